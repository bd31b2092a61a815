//! Server-side sessions: revocable (sign-out, password change, idle timeout, lifetime), shared
//! by every server on the database and kept across restarts, and free for visitors who only
//! browse.

use std::time::Duration;

use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl, SimpleAsyncConnection};
use reqwest::{Response, StatusCode};
use storefront::schema::sessions;

use crate::helpers::{
    TestApp, assert_redirect, browser, location, spawn_app, spawn_app_with, text,
};

const PASSWORD: &str = "correct horse battery";
const COOKIE: &str = "storefront_session";

/// The session cookie a response sets, as `name=value` for a `Cookie` header.
fn session_cookie(response: &Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{COOKIE}=")))
        .and_then(|c| c.split(';').next())
        .unwrap_or_else(|| panic!("no session cookie set"))
        .to_owned()
}

impl TestApp {
    async fn session_rows(&self) -> i64 {
        sessions::table
            .count()
            .get_result(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("counting sessions: {e}"))
    }

    /// Whether a browser holding only `cookie` is signed in (its orders page opens).
    async fn signed_in_with(&self, cookie: &str) -> bool {
        let response = browser()
            .get(self.url("/orders"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET /orders: {e}"));
        match response.status() {
            StatusCode::OK => true,
            StatusCode::SEE_OTHER => {
                assert!(location(&response).starts_with("/login"));
                false
            }
            other => panic!("GET /orders: {other}"),
        }
    }

    /// Whether the session behind `cookie` ends within the time a PostgreSQL notification
    /// takes to reach every server.
    async fn signed_out_soon(&self, cookie: &str) -> bool {
        for _ in 0..40 {
            if !self.signed_in_with(cookie).await {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    /// Registers and returns the session cookie the browser got (a copy an attacker might keep).
    async fn registered_cookie(&self, email: &str) -> String {
        let response = self.register(email, PASSWORD).await;
        assert_redirect(&response, "/");
        session_cookie(&response)
    }
}

#[tokio::test]
async fn a_visitor_who_only_browses_creates_no_session_row() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/products/ceramic-pour-over-mug",
        "/cart",
        "/login",
        "/register",
        "/",
    ] {
        app.get_html(path).await;
    }
    let token = app.csrf_token().await;
    assert!(!token.is_empty(), "the forms still carry a CSRF token");
    assert_eq!(app.session_rows().await, 0);

    // Holding something (a cart) is what makes a row.
    assert_redirect(
        &app.add_to_cart("ceramic-pour-over-mug", "1").await,
        "/cart",
    );
    assert_eq!(app.session_rows().await, 1);
    assert!(
        app.get_html("/cart")
            .await
            .contains("Ceramic Pour-Over Mug")
    );
}

#[tokio::test]
async fn a_cookie_copied_before_sign_out_does_not_work_after_it() {
    let app = spawn_app().await;
    let copied = app.registered_cookie("ada@example.com").await;
    assert!(app.signed_in_with(&copied).await);
    assert_redirect(&app.logout().await, "/");
    assert!(!app.signed_in_with(&copied).await);
    assert_eq!(app.session_rows().await, 0);
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session_of_the_account() {
    let app = spawn_app().await;
    // Signed in on another device...
    let elsewhere = app.registered_cookie("ada@example.com").await;
    // ...and on this one, which changes the password.
    let app = app.another_browser();
    let response = app.login("ada@example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(app.signed_in_with(&elsewhere).await);

    let response = app
        .submit(
            "/account/password",
            &[
                ("current_password", "not it"),
                ("password", "tulip ferry gravel"),
                ("password_confirmation", "tulip ferry gravel"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        text(response)
            .await
            .contains("current password is not right")
    );
    let response = app
        .submit(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", "password1"),
                ("password_confirmation", "password1"),
            ],
        )
        .await;
    assert!(text(response).await.contains("too easy to guess"));
    assert!(app.signed_in_with(&elsewhere).await, "nothing changed yet");

    let response = app
        .submit(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", "tulip ferry gravel"),
                ("password_confirmation", "tulip ferry gravel"),
            ],
        )
        .await;
    assert_redirect(&response, "/orders");
    assert!(
        app.signed_out_soon(&elsewhere).await,
        "the other session ended"
    );
    assert!(
        app.get_html("/orders")
            .await
            .contains("signed out everywhere else")
    );
    assert_eq!(
        app.session_rows().await,
        1,
        "only the browser that changed it"
    );

    app.logout().await;
    assert_eq!(
        app.login("ada@example.com", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("ada@example.com", "tulip ferry gravel")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn admin_create_with_a_new_password_ends_the_accounts_sessions() {
    let app = spawn_app().await;
    storefront::admin::cli::create_admin(&app.pool, "owner@example.com", PASSWORD)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let response = app.login("owner@example.com", PASSWORD).await;
    let cookie = session_cookie(&response);
    assert!(app.signed_in_with(&cookie).await);
    storefront::admin::cli::create_admin(&app.pool, "owner@example.com", "tulip ferry gravel")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(app.signed_out_soon(&cookie).await);
}

#[tokio::test]
async fn an_idle_session_ends() {
    let app = spawn_app_with(&[("SESSION_IDLE_SECS", "2")]).await;
    let cookie = app.registered_cookie("ada@example.com").await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(
        app.signed_in_with(&cookie).await,
        "used within the idle timeout"
    );
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(app.signed_in_with(&cookie).await, "each use counts");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(!app.signed_in_with(&cookie).await, "left idle too long");
}

#[tokio::test]
async fn a_session_ends_after_its_lifetime_however_much_it_is_used() {
    let app = spawn_app_with(&[("SESSION_LIFETIME_SECS", "3")]).await;
    let cookie = app.registered_cookie("ada@example.com").await;
    for _ in 0..2 {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        assert!(app.signed_in_with(&cookie).await);
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!app.signed_in_with(&cookie).await);
}

#[tokio::test]
async fn sessions_and_a_guests_pending_order_survive_a_restart_without_a_session_key() {
    let app = spawn_app().await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let order = app.checkout("ada@example.com").await;
    app.payment_form(order).await;

    // The shop restarts (a new process on the same database, no SESSION_KEY): the browser's
    // cookie still opens its session, and the guest still owns the order (may pay for it).
    let restarted = spawn_app_with(&[("DATABASE_URL", &app.database_url)]).await;
    let again = TestApp {
        client: app.client.clone(),
        ..restarted
    };
    let page = again.get_html(&format!("/orders/{order}")).await;
    assert!(
        page.contains("Pay now"),
        "the guest's order is still theirs"
    );
    assert!(
        again
            .get_html("/cart")
            .await
            .contains("Ceramic Pour-Over Mug")
    );
    let stranger = again.another_browser();
    assert!(
        !stranger
            .get_html(&format!("/orders/{order}"))
            .await
            .contains("Pay now")
    );
}

#[tokio::test]
async fn sign_out_on_one_server_ends_the_session_on_every_server() {
    let one = spawn_app().await;
    let two = spawn_app_with(&[("DATABASE_URL", &one.database_url)]).await;
    let cookie = one.registered_cookie("ada@example.com").await;
    // The second server reads the session once and keeps it.
    assert!(two.signed_in_with(&cookie).await);
    assert!(two.signed_in_with(&cookie).await);

    one.logout().await;
    assert!(
        two.signed_out_soon(&cookie).await,
        "server two still honours a session signed out on server one"
    );
}

#[tokio::test]
async fn a_page_view_does_not_wait_on_a_session_query() {
    let app = spawn_app().await;
    let cookie = app.registered_cookie("ada@example.com").await;
    assert!(app.signed_in_with(&cookie).await);

    // Hold the sessions table locked: any query on it would wait for the lock.
    let mut blocker = diesel_async::AsyncPgConnection::establish(&app.database_url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    blocker
        .batch_execute("BEGIN; LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let page = tokio::time::timeout(Duration::from_secs(3), async {
        let response = browser()
            .get(app.url("/"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET /: {e}"));
        text(response).await
    })
    .await
    .unwrap_or_else(|_| panic!("the page waited for the sessions table"));
    assert!(page.contains("Sign out"), "still signed in");
    blocker
        .batch_execute("ROLLBACK")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}
