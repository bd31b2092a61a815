//! The cart of the session making the request.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::db;
use crate::session::ShopSession;

/// The session's cart, created (and remembered in the session) when there is none yet.
pub async fn cart_for_update(
    conn: &mut AsyncPgConnection,
    session: &ShopSession,
) -> diesel::QueryResult<Uuid> {
    if let Some(cart_id) = session.cart_id()
        && db::exists(conn, cart_id).await?
    {
        return Ok(cart_id);
    }
    let cart_id = match session.user() {
        Some(user) => db::user_cart(conn, user.id).await?,
        None => db::create_guest_cart(conn).await?,
    };
    session.set_cart_id(cart_id);
    Ok(cart_id)
}
