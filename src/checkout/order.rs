//! The order a checkout route is about.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::error::AppError;
use crate::orders::db::{self as orders_db, Order};

/// The order, or 404.
pub async fn load_order(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Order, AppError> {
    orders_db::find(conn, id).await?.ok_or(AppError::NotFound)
}
