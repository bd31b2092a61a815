//! What every way of signing in shares: the session it starts, and where it goes next.

use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::cart;
use crate::error::AppError;
use crate::session::{SessionUser, ShopSession};

/// Signs the user in: the guest cart merges into the account's cart, and the session is renewed.
pub(super) async fn start_session(
    conn: &mut AsyncPgConnection,
    session: &ShopSession,
    counts: &cart::CartCounts,
    user: SessionUser,
) -> Result<(), AppError> {
    let guest_cart = session.cart_id();
    let user_id = user.id;
    let (cart_id, revision) = conn
        .transaction::<_, diesel::result::Error, _>(|conn| {
            async move {
                let user_cart = cart::db::user_cart(conn, user_id).await?;
                if let Some(guest_cart) = guest_cart
                    && cart::db::exists(conn, guest_cart).await?
                {
                    cart::db::merge(conn, guest_cart, user_cart).await?;
                }
                // The account's cart as this browser now knows it, merged or not.
                let revision = cart::db::touch(conn, user_cart).await?;
                Ok((user_cart, revision))
            }
            .scope_boxed()
        })
        .await?;
    if let Some(guest_cart) = guest_cart {
        counts.changed(guest_cart);
    }
    counts.changed(cart_id);
    session.sign_in(&user, cart_id);
    session.cart_changed(revision);
    Ok(())
}

/// Where to go after signing in: a path on this shop, `/` when none or another site is named.
/// Control characters (CR/LF would split the `Location` header; browsers drop tabs, so
/// `/\t/evil.example` would become `//evil.example`) are refused outright.
pub(super) fn safe_next(next: Option<&str>) -> Result<String, AppError> {
    let Some(next) = next.filter(|n| !n.is_empty()) else {
        return Ok("/".to_owned());
    };
    if next.chars().any(char::is_control) {
        return Err(AppError::bad_request(
            "The page to return to after signing in is not a valid address: \
             it contains a control character (such as a line break or a tab).",
        ));
    }
    // Resolve it as a browser would, against a stand-in origin: whatever leaves that origin
    // (`//host`, `/\\host`, `https://host`) is not a path on this shop.
    let Ok(base) = reqwest::Url::parse("http://shop.invalid/") else {
        return Ok("/".to_owned());
    };
    match base.join(next) {
        Ok(url) if next.starts_with('/') && url.origin() == base.origin() => {
            let mut path = url.path().to_owned();
            if let Some(query) = url.query() {
                path.push('?');
                path.push_str(query);
            }
            Ok(path)
        }
        _ => Ok("/".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    fn next(raw: &str) -> String {
        safe_next(Some(raw)).unwrap_or_else(|e| format!("refused: {e}"))
    }

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(next("/cart"), "/cart");
        assert_eq!(next("/orders/1?x=y"), "/orders/1?x=y");
        assert_eq!(next("//evil.example"), "/");
        assert_eq!(next("https://evil.example"), "/");
        assert_eq!(next("/\\evil.example"), "/");
        assert_eq!(next("/%2F%2Fevil.example"), "/%2F%2Fevil.example");
        assert_eq!(next("cart"), "/");
        assert_eq!(safe_next(None).ok().as_deref(), Some("/"));
    }

    #[test]
    fn control_characters_are_refused() {
        for raw in ["/\t/evil.example", "/a\r\nSet-Cookie: x=y", "/\0"] {
            assert!(next(raw).starts_with("refused"), "{raw:?}");
        }
    }
}
