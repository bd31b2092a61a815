//! Bytes no page can use get a 400 with a clear message, never a 500, and change nothing.

use reqwest::StatusCode;

use crate::helpers::{TestApp, location, spawn_app, text};

const PASSWORD: &str = "correct horse battery";

async fn assert_400(response: reqwest::Response, words: &str) {
    let status = response.status();
    let body = text(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains(words), "{words:?} not in {body}");
}

#[tokio::test]
async fn a_nul_byte_in_a_query_string_or_path_is_a_400() {
    let app = spawn_app().await;
    for path in [
        "/checkout/return?payment_intent=%00",
        "/checkout/return?payment_intent=pi_%00x",
        "/products/mug%00",
        "/login?next=%2F%00",
    ] {
        assert_400(app.get(path).await, "NUL character").await;
    }
}

#[tokio::test]
async fn a_nul_byte_in_the_admin_search_is_a_400() {
    let app = spawn_app().await;
    app.sign_in_as_admin("owner@example.com").await;
    assert_400(app.get("/admin?q=ada%00").await, "NUL character").await;
    assert_400(app.get("/admin/webhooks?type=%00").await, "NUL character").await;
}

#[tokio::test]
async fn a_nul_byte_in_a_form_field_is_a_400_and_changes_nothing() {
    let app = spawn_app().await;
    let response = app.login("ada\0@example.com", PASSWORD).await;
    assert_400(response, "NUL character").await;
    let response = app.register("ada\0@example.com", PASSWORD).await;
    assert_400(response, "NUL character").await;

    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    let response = app
        .submit("/checkout", &[("email", "ada@exa\0mple.com")])
        .await;
    assert_400(response, "NUL character").await;
    assert_eq!(app.order_count().await, 0);
}

#[tokio::test]
async fn line_breaks_in_next_are_a_400_not_a_split_header() {
    let app = spawn_app().await;
    app.register("ada@example.com", PASSWORD).await;
    app.logout().await;
    assert_400(
        app.get("/login?next=%2Fa%0D%0ASet-Cookie:%20x=y").await,
        "control character",
    )
    .await;
    let response = app
        .submit(
            "/login",
            &[
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("next", "/a\r\nSet-Cookie: x=y"),
            ],
        )
        .await;
    assert_400(response, "control character").await;
}

async fn next_after_sign_in(app: &TestApp, next: &str) -> (StatusCode, String) {
    let response = app
        .submit(
            "/login",
            &[
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("next", next),
            ],
        )
        .await;
    (response.status(), location(&response))
}

#[tokio::test]
async fn next_only_ever_leads_to_a_path_on_this_shop() {
    let app = spawn_app().await;
    app.register("ada@example.com", PASSWORD).await;
    app.logout().await;
    for evil in [
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
    ] {
        let (status, to) = next_after_sign_in(&app, evil).await;
        assert_eq!(
            (status, to.as_str()),
            (StatusCode::SEE_OTHER, "/"),
            "{evil:?}"
        );
        app.logout().await;
    }
    // Browsers drop tabs from URLs: `/\t/evil.example` is `//evil.example` to them.
    let (status, to) = next_after_sign_in(&app, "/\t/evil.example").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "went to {to:?}");

    let (status, to) = next_after_sign_in(&app, "/orders?page=2").await;
    assert_eq!(
        (status, to.as_str()),
        (StatusCode::SEE_OTHER, "/orders?page=2")
    );
}
