//! Password-reset tokens: the one writer of `password_resets`. A token is 256 random bits,
//! shown once (in the email's link) and kept only as its SHA-256, so reading the table resets
//! no password. It works once, before it expires, and a reset spends every other token of the
//! account.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rand::RngCore;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::schema::password_resets;

/// How long a reset link works.
pub const LIFETIME: time::Duration = time::Duration::hours(1);

/// A token as the link carries it: 64 hex digits.
pub struct Token(String);

impl Token {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new token for the user, working until the time returned with it.
pub async fn issue(
    conn: &mut AsyncPgConnection,
    user_id: i64,
) -> QueryResult<(Token, OffsetDateTime)> {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let expires_at = OffsetDateTime::now_utc() + LIFETIME;
    // Tokens long dead are of no use to anyone.
    diesel::delete(
        password_resets::table
            .filter(password_resets::expires_at.lt(OffsetDateTime::now_utc() - LIFETIME)),
    )
    .execute(conn)
    .await?;
    diesel::insert_into(password_resets::table)
        .values((
            password_resets::token_hash.eq(hash(&token)),
            password_resets::user_id.eq(user_id),
            password_resets::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .await?;
    Ok((Token(token), expires_at))
}

/// The account a token would reset, while it works (unused and not expired).
pub async fn user_of(conn: &mut AsyncPgConnection, token: &str) -> QueryResult<Option<i64>> {
    password_resets::table
        .find(hash(token))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(OffsetDateTime::now_utc()))
        .select(password_resets::user_id)
        .first(conn)
        .await
        .optional()
}

/// Spends the token, and every other token of its account; the account's id when the token
/// still worked. Of two resets racing with one token, one gets it.
pub async fn spend(conn: &mut AsyncPgConnection, token: &str) -> QueryResult<Option<i64>> {
    let now = OffsetDateTime::now_utc();
    let user_id: Option<i64> = diesel::update(
        password_resets::table
            .find(hash(token))
            .filter(password_resets::used_at.is_null())
            .filter(password_resets::expires_at.gt(now)),
    )
    .set(password_resets::used_at.eq(now))
    .returning(password_resets::user_id)
    .get_result(conn)
    .await
    .optional()?;
    if let Some(user_id) = user_id {
        diesel::update(
            password_resets::table
                .filter(password_resets::user_id.eq(user_id))
                .filter(password_resets::used_at.is_null()),
        )
        .set(password_resets::used_at.eq(now))
        .execute(conn)
        .await?;
    }
    Ok(user_id)
}
