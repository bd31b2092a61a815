//! The key that encrypts and authenticates the session cookie: `SESSION_KEY` when set,
//! otherwise one made at the first start and kept in the database, so that a restart signs
//! nobody out and every app server on the database uses the same one.

use actix_web::cookie::Key;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rand::RngCore;

use crate::config::Secret;
use crate::schema::app_secrets;

const NAME: &str = "session_key";

pub async fn cookie_key(
    conn: &mut AsyncPgConnection,
    configured: Option<&Secret>,
) -> anyhow::Result<Key> {
    if let Some(key) = configured {
        return Ok(Key::derive_from(key.expose().as_bytes()));
    }
    let mut bytes = [0u8; 64];
    rand::thread_rng().fill_bytes(&mut bytes);
    let made: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    // The first server to start keeps its key; the others read it.
    diesel::insert_into(app_secrets::table)
        .values((app_secrets::name.eq(NAME), app_secrets::value.eq(&made)))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    let kept: String = app_secrets::table
        .find(NAME)
        .select(app_secrets::value)
        .first(conn)
        .await?;
    if kept == made {
        tracing::info!("SESSION_KEY is not set: made a session key and kept it in the database");
    }
    Ok(Key::derive_from(kept.as_bytes()))
}
