//! Accounts: registration, sign-in and sign-out. Passwords are hashed with argon2id.

pub mod db;
mod login;
mod logout;
pub mod password;
mod register;

use actix_web::web;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::cart;
use crate::error::AppError;
use crate::session::{SessionUser, ShopSession};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/register", web::get().to(register::register_page))
        .route("/register", web::post().to(register::register))
        .route("/login", web::get().to(login::login_page))
        .route("/login", web::post().to(login::login))
        .route("/logout", web::post().to(logout::logout));
}

/// Signs the user in: the guest cart merges into the account's cart, and the session is renewed.
async fn start_session(
    conn: &mut AsyncPgConnection,
    session: &ShopSession,
    user: SessionUser,
) -> Result<(), AppError> {
    let guest_cart = session.cart_id();
    let user_id = user.id;
    let cart_id = conn
        .transaction::<_, diesel::result::Error, _>(|conn| {
            async move {
                let user_cart = cart::db::user_cart(conn, user_id).await?;
                if let Some(guest_cart) = guest_cart
                    && cart::db::exists(conn, guest_cart).await?
                {
                    cart::db::merge(conn, guest_cart, user_cart).await?;
                }
                Ok(user_cart)
            }
            .scope_boxed()
        })
        .await?;
    session.sign_in(&user, cart_id);
    Ok(())
}

/// Where to go after signing in: only a path on this site, never another origin.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(safe_next(Some("/cart")), "/cart");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
