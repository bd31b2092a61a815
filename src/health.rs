//! `GET /healthz`: 200 when the database answers, 503 when it does not.

use actix_web::{HttpResponse, web};
use diesel_async::SimpleAsyncConnection;

use crate::db::DbPool;

pub async fn healthz(pool: web::Data<DbPool>) -> HttpResponse {
    let answer = async {
        let mut conn = pool.get().await.map_err(anyhow::Error::new)?;
        conn.batch_execute("SELECT 1")
            .await
            .map_err(anyhow::Error::new)
    };
    match answer.await {
        Ok(()) => HttpResponse::Ok().content_type("text/plain").body("ok"),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain")
                .body("database unavailable")
        }
    }
}
