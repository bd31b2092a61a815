//! A forgotten password, reset from the link the shop emails: the link works once and for an
//! hour, the reset ends every session of the account, and asking tells nobody who has an
//! account.

use reqwest::StatusCode;

use crate::helpers::{TestApp, assert_redirect, csrf_token_in, location, spawn_app, text};

const OLD: &str = "correct horse battery";
const NEW: &str = "purple elephant umbrella";

async fn ask_for_reset(app: &TestApp, email: &str) -> (StatusCode, String, String) {
    let response = app.submit("/password/forgot", &[("email", email)]).await;
    let status = response.status();
    let to = location(&response);
    let flash = crate::helpers::flash_in(&app.get_html(&to).await);
    // The flash names the address typed; the rest of the answer must not differ.
    (status, to, flash.replace(email, "EMAIL"))
}

/// The reset link's path and query, from the email in the mailbox.
async fn reset_link(app: &TestApp, email: &str) -> String {
    let mail = app
        .wait_for_mail(email, "Reset your Storefront password")
        .await;
    mail.assert_no_secrets();
    let link = mail.link(&format!("{}/password/reset?token=", app.address));
    link.trim_start_matches(&app.address).to_owned()
}

async fn choose_password(app: &TestApp, link: &str, password: &str) -> reqwest::Response {
    let page = app.get(link).await;
    let status = page.status();
    let html = text(page).await;
    if status != StatusCode::OK {
        return app
            .submit(
                "/password/reset",
                &[
                    ("token", link.split("token=").nth(1).unwrap_or_default()),
                    ("password", password),
                    ("password_confirmation", password),
                ],
            )
            .await;
    }
    let token = html
        .split(r#"name="token" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no token in the form: {html}"))
        .to_owned();
    app.post_form(
        "/password/reset",
        &[
            ("csrf_token", &csrf_token_in(&html)),
            ("token", &token),
            ("password", password),
            ("password_confirmation", password),
        ],
    )
    .await
}

async fn is_signed_in(app: &TestApp) -> bool {
    app.get("/orders").await.status() == StatusCode::OK
}

/// Whether the browser is signed out within the time a PostgreSQL notification takes to reach
/// the server (each server drops its copy of a revoked session when notified).
async fn signed_out_soon(app: &TestApp) -> bool {
    for _ in 0..40 {
        if !is_signed_in(app).await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once_and_ends_every_session_of_the_account() {
    let app = spawn_app().await;
    app.register("ada@example.com", OLD).await;
    let laptop = app.another_browser();
    laptop.login("ada@example.com", OLD).await;
    assert!(is_signed_in(&app).await && is_signed_in(&laptop).await);

    let stranger = app.another_browser();
    let (status, to, _) = ask_for_reset(&stranger, "Ada@Example.com").await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/login"));
    let link = reset_link(&app, "ada@example.com").await;

    // Opening the link changes nothing (mail scanners open links too).
    assert_eq!(stranger.get(&link).await.status(), StatusCode::OK);
    assert_eq!(stranger.get(&link).await.status(), StatusCode::OK);
    let response = choose_password(&stranger, &link, NEW).await;
    assert_redirect(&response, "/login");
    let page = stranger.get_html("/login").await;
    assert!(page.contains("you are signed out everywhere"), "{page}");

    // Every session of the account ended, on every browser.
    assert!(signed_out_soon(&app).await);
    assert!(signed_out_soon(&laptop).await);
    // The old password is gone, the new one works.
    let again = app.another_browser();
    assert_eq!(
        again.login("ada@example.com", OLD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        again.login("ada@example.com", NEW).await.status(),
        StatusCode::SEE_OTHER
    );

    // The link works once.
    let reused = app.another_browser();
    assert_eq!(reused.get(&link).await.status(), StatusCode::GONE);
    let response = choose_password(&reused, &link, "another fine password 42").await;
    assert_eq!(response.status(), StatusCode::GONE);
    assert_eq!(
        reused
            .another_browser()
            .login("ada@example.com", NEW)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );

    // Once sent, the outbox keeps no usable link (the mailbox of a dev shop does).
    let rows = app.outbox_of_kind("password_reset").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, "sent");
    assert_eq!(rows[0].text_body, None);
}

#[tokio::test]
async fn an_expired_reset_link_does_not_work() {
    let app = spawn_app().await;
    app.register("ada@example.com", OLD).await;
    let stranger = app.another_browser();
    ask_for_reset(&stranger, "ada@example.com").await;
    let link = reset_link(&app, "ada@example.com").await;
    // An hour and more later.
    {
        use diesel_async::RunQueryDsl;
        diesel::sql_query("UPDATE password_resets SET expires_at = now() - interval '1 second'")
            .execute(&mut app.conn().await)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let page = stranger.get(&link).await;
    assert_eq!(page.status(), StatusCode::GONE);
    assert!(text(page).await.contains("This link no longer works"));
    let response = choose_password(&stranger, &link, NEW).await;
    assert_eq!(response.status(), StatusCode::GONE);
    assert_eq!(
        app.another_browser()
            .login("ada@example.com", OLD)
            .await
            .status(),
        StatusCode::SEE_OTHER,
        "the password did not change"
    );
}

#[tokio::test]
async fn asking_for_a_reset_answers_the_same_whether_or_not_the_email_has_an_account() {
    let app = spawn_app().await;
    app.register("ada@example.com", OLD).await;
    let asker = app.another_browser();
    let known = ask_for_reset(&asker, "ada@example.com").await;
    let unknown = ask_for_reset(&asker, "nobody@example.com").await;
    assert_eq!(known, unknown);
    assert!(
        known
            .2
            .contains("If an account uses EMAIL, a link to choose a new password is on its way")
    );

    // Only the account's own address gets an email, at most three an hour.
    for _ in 0..3 {
        ask_for_reset(&asker, "ada@example.com").await;
    }
    let rows = app.outbox_of_kind("password_reset").await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows.iter().all(|r| r.recipient == "ada@example.com"));
    // A typo in the address is the only thing a wrong answer is about.
    let response = asker
        .submit("/password/forgot", &[("email", "not an address")])
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn asking_for_resets_is_throttled_like_sign_in() {
    let app = spawn_app().await;
    let asker = app.another_browser();
    let mut statuses = Vec::new();
    for n in 0..11 {
        let email = format!("someone{n}@example.com");
        statuses.push(
            asker
                .submit("/password/forgot", &[("email", &email)])
                .await
                .status(),
        );
    }
    assert!(
        statuses[..10].iter().all(|s| *s == StatusCode::SEE_OTHER),
        "{statuses:?}"
    );
    let refused = asker
        .submit("/password/forgot", &[("email", "x@example.com")])
        .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    assert!(
        text(refused)
            .await
            .contains("Too many password reset requests")
    );
}

#[tokio::test]
async fn a_weak_new_password_is_refused_and_the_link_still_works() {
    let app = spawn_app().await;
    app.register("ada@example.com", OLD).await;
    let stranger = app.another_browser();
    ask_for_reset(&stranger, "ada@example.com").await;
    let link = reset_link(&app, "ada@example.com").await;
    let response = choose_password(&stranger, &link, "password").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = choose_password(&stranger, &link, NEW).await;
    assert_redirect(&response, "/login");
}
