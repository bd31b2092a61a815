use reqwest::StatusCode;

use crate::helpers::{TestApp, assert_redirect, spawn_app, text};

const PASSWORD: &str = "correct horse battery";

async fn registered(app: &TestApp, email: &str) {
    let response = app.register(email, PASSWORD).await;
    assert_redirect(&response, "/");
    app.logout().await;
}

#[tokio::test]
async fn registering_signs_the_shopper_in() {
    let app = spawn_app().await;
    let response = app.register("Ada@Example.com", PASSWORD).await;
    assert_redirect(&response, "/");
    let html = app.get_html("/").await;
    assert!(html.contains("Sign out"));
    assert!(html.contains("My orders"));
    assert!(html.contains("Welcome! Your account is ready."));

    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use storefront::schema::users;
    let (email, hash): (String, String) = users::table
        .select((users::email, users::password_hash))
        .first(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(email, "ada@example.com", "emails are kept lower-cased");
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "OWASP's argon2id parameters"
    );
    assert!(!hash.contains(PASSWORD));
}

#[tokio::test]
async fn registration_refuses_bad_input_with_a_clear_message() {
    let app = spawn_app().await;
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "not-an-email",
            PASSWORD,
            PASSWORD,
            "Enter a valid email address",
        ),
        ("ada@example.com", "short", "short", "at least 8 characters"),
        (
            "ada@example.com",
            PASSWORD,
            "something else",
            "do not match",
        ),
    ];
    for (email, password, confirmation, message) in cases {
        let response = app
            .submit(
                "/register",
                &[
                    ("email", email),
                    ("password", password),
                    ("password_confirmation", confirmation),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(text(response).await.contains(message), "{message}");
    }

    registered(&app, "ada@example.com").await;
    let response = app.register("ADA@example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(text(response).await.contains("already exists"));
}

#[tokio::test]
async fn sign_in_and_sign_out() {
    let app = spawn_app().await;
    registered(&app, "ada@example.com").await;
    assert!(app.get_html("/").await.contains("Sign in"));

    let response = app.login("ADA@example.com", PASSWORD).await;
    assert_redirect(&response, "/");
    assert!(app.get_html("/").await.contains("Sign out"));

    let response = app.logout().await;
    assert_redirect(&response, "/");
    let html = app.get_html("/").await;
    assert!(!html.contains("Sign out"));
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_message() {
    let app = spawn_app().await;
    registered(&app, "ada@example.com").await;

    let wrong_password = app.login("ada@example.com", "not the password").await;
    assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);
    let wrong_password = text(wrong_password).await;

    let unknown_email = app.login("nobody@example.com", "not the password").await;
    assert_eq!(unknown_email.status(), StatusCode::UNAUTHORIZED);
    let unknown_email = text(unknown_email).await;

    assert!(
        wrong_password.contains("Incorrect email or password."),
        "{wrong_password}"
    );
    assert!(unknown_email.contains("Incorrect email or password."));
    assert!(!app.get_html("/").await.contains("Sign out"));
}

#[tokio::test]
async fn sign_in_returns_to_the_page_asked_for_but_never_off_site() {
    let app = spawn_app().await;
    registered(&app, "ada@example.com").await;
    let response = app
        .submit(
            "/login",
            &[
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("next", "/cart"),
            ],
        )
        .await;
    assert_redirect(&response, "/cart");
    app.logout().await;
    let response = app
        .submit(
            "/login",
            &[
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_redirect(&response, "/");
}

#[tokio::test]
async fn the_guest_cart_merges_into_the_account_cart_at_sign_in() {
    let app = spawn_app().await;
    registered(&app, "ada@example.com").await;
    // As Ada: one mug in the account's cart.
    app.login("ada@example.com", PASSWORD).await;
    app.add_to_cart("ceramic-pour-over-mug", "1").await;
    app.logout().await;

    // As a guest: two more mugs and a tote.
    app.add_to_cart("ceramic-pour-over-mug", "2").await;
    app.add_to_cart("canvas-tote-bag", "1").await;
    app.login("ada@example.com", PASSWORD).await;

    let html = app.get_html("/cart").await;
    assert!(html.contains("Canvas Tote Bag"));
    assert!(html.contains("aria-label=\"4 items in cart\""));
    assert_eq!(
        app.cart_rows().await,
        vec![
            ("canvas-tote-bag".into(), 1),
            ("ceramic-pour-over-mug".into(), 3)
        ],
        "one cart left, with the lines merged"
    );
}

#[tokio::test]
async fn a_signed_in_shopper_finds_their_cart_again_after_signing_back_in() {
    let app = spawn_app().await;
    registered(&app, "ada@example.com").await;
    app.login("ada@example.com", PASSWORD).await;
    app.add_to_cart("wool-hiking-socks", "3").await;
    app.logout().await;
    assert!(app.get_html("/cart").await.contains("Your cart is empty."));

    // A different browser, even.
    let laptop = app.another_browser();
    laptop.login("ada@example.com", PASSWORD).await;
    let html = laptop.get_html("/cart").await;
    assert!(html.contains("Wool Hiking Socks"));
    assert!(html.contains("value=\"3\""));
}

#[tokio::test]
async fn the_session_is_renewed_at_sign_in() {
    let app = spawn_app().await;
    registered(&app, "ada@example.com").await;
    let before = app.csrf_token().await;
    app.login("ada@example.com", PASSWORD).await;
    let after = app.csrf_token().await;
    assert_ne!(before, after, "a new CSRF token comes with the new session");
}

#[tokio::test]
async fn easily_guessed_passwords_are_refused_with_advice() {
    let app = spawn_app().await;
    for (weak, advice) in [
        ("password", "common"),
        ("12345678", "too easy to guess"),
        ("ada@example.com", "too easy to guess"),
        ("qwertyuiop", "too easy to guess"),
    ] {
        let response = app.register("ada@example.com", weak).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{weak}");
        let html = text(response).await;
        assert!(
            html.contains("This password is too easy to guess"),
            "{weak}"
        );
        assert!(html.contains(advice), "{weak}: {advice}");
    }
    let rejected =
        storefront::admin::cli::create_admin(&app.pool, "owner@example.com", "password1").await;
    assert!(rejected.is_err_and(|e| e.to_string().contains("too easy to guess")));
    assert_eq!(
        app.register("ada@example.com", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}
