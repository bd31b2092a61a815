//! Guessing passwords is slowed per client address and per account, and password hashing
//! never runs more than a fixed number at once.

use futures_util::StreamExt;
use reqwest::{Response, StatusCode};

use crate::helpers::{TestApp, spawn_app, spawn_app_with, text};

const PASSWORD: &str = "correct horse battery";

impl TestApp {
    /// A sign-in attempt as if from `client`, through a proxy that says so in X-Forwarded-For.
    async fn login_from(&self, client: &str, email: &str, password: &str) -> Response {
        let token = self.csrf_token().await;
        self.client
            .post(self.url("/login"))
            .header("x-forwarded-for", client)
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", email),
                ("password", password),
            ])
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST /login: {e}"))
    }
}

fn retry_after(response: &Response) -> u64 {
    response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no Retry-After on {}", response.status()))
}

#[tokio::test]
async fn guesses_at_one_account_from_many_addresses_are_slowed_and_the_owner_gets_back_in() {
    let app = spawn_app_with(&[
        ("TRUSTED_PROXIES", "127.0.0.1"),
        ("LOGIN_FREE_FAILURES", "3"),
        ("LOGIN_MAX_DELAY_SECS", "2"),
    ])
    .await;
    app.register("ada@example.com", PASSWORD).await;
    app.logout().await;

    let mut statuses = Vec::new();
    for i in 0..6 {
        let response = app
            .login_from(&format!("198.51.100.{i}"), "Ada@example.com", "guess")
            .await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!((1..=2).contains(&retry_after(&response)));
            assert!(
                text(response)
                    .await
                    .contains("Too many failed sign-ins for this email")
            );
            statuses.push(429);
        } else {
            statuses.push(response.status().as_u16());
        }
    }
    // Three free failures, the fourth sets a delay: the guesses right after it are refused
    // without checking the password.
    assert_eq!(statuses, [401, 401, 401, 401, 429, 429]);
    let response = app
        .login_from("203.0.113.1", "ada@example.com", PASSWORD)
        .await;
    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );

    // The delay is short: then the owner signs in, and that clears the count.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let response = app
        .login_from("203.0.113.1", "ada@example.com", PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    app.logout().await;
    let response = app
        .login_from("203.0.113.2", "ada@example.com", "guess")
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn unknown_emails_are_slowed_exactly_like_accounts() {
    let app = spawn_app_with(&[
        ("LOGIN_FREE_FAILURES", "1"),
        ("LOGIN_ATTEMPTS_PER_MINUTE", "100"),
    ])
    .await;
    let first = app.login("nobody@example.com", "guess").await;
    assert_eq!(first.status(), StatusCode::UNAUTHORIZED);
    let second = app.login("nobody@example.com", "guess").await;
    assert_eq!(second.status(), StatusCode::UNAUTHORIZED);
    let third = app.login("nobody@example.com", "guess").await;
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&third) >= 25);
}

#[tokio::test]
async fn one_address_is_throttled_across_accounts_and_forged_forwarding_does_not_help() {
    let app = spawn_app().await;
    let mut statuses = Vec::new();
    for i in 0..12 {
        // No trusted proxy: X-Forwarded-For is the client's own invention and is ignored.
        let response = app
            .login_from(
                &format!("192.0.2.{i}"),
                &format!("user{i}@example.com"),
                "guess",
            )
            .await;
        statuses.push(response.status());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!((1..=6).contains(&retry_after(&response)));
            assert!(
                text(response)
                    .await
                    .contains("Too many sign-in attempts from your network")
            );
        }
    }
    assert_eq!(&statuses[..10], &[StatusCode::UNAUTHORIZED; 10]);
    assert_eq!(&statuses[10..], &[StatusCode::TOO_MANY_REQUESTS; 2]);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_address_has_its_own_allowance() {
    let app = spawn_app_with(&[("TRUSTED_PROXIES", "127.0.0.0/8")]).await;
    for i in 0..10 {
        let response = app
            .login_from("198.51.100.1", &format!("a{i}@example.com"), "guess")
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let response = app
        .login_from("198.51.100.1", "b@example.com", "guess")
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let response = app
        .login_from("198.51.100.2", "b@example.com", "guess")
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_burst_of_sign_ins_waits_for_the_hashing_threads_or_is_refused_never_piled_up() {
    let app = spawn_app_with(&[
        ("PASSWORD_HASHING_THREADS", "1"),
        ("TRUSTED_PROXIES", "127.0.0.1"),
    ])
    .await;
    let token = app.csrf_token().await;
    // 200 wrong passwords, 64 at a time, each from its own address and at its own email.
    let statuses: Vec<(StatusCode, Option<String>)> = futures_util::stream::iter(0..200)
        .map(|i| {
            let app = &app;
            let token = token.clone();
            async move {
                let response = app
                    .client
                    .post(app.url("/login"))
                    .header("x-forwarded-for", format!("10.{}.{}.1", i / 256, i % 256))
                    .form(&[
                        ("csrf_token", token.as_str()),
                        ("email", &format!("user{i}@example.com")),
                        ("password", "guess"),
                    ])
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("POST /login: {e}"));
                let retry = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                (response.status(), retry)
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    let refused = statuses
        .iter()
        .filter(|(s, _)| *s == StatusCode::SERVICE_UNAVAILABLE)
        .count();
    assert!(
        statuses
            .iter()
            .all(|(s, _)| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::SERVICE_UNAVAILABLE),
        "{statuses:?}"
    );
    assert!(
        refused > 0,
        "64 at once on one hashing thread: some must be refused"
    );
    assert!(
        statuses
            .iter()
            .filter(|(s, _)| *s == StatusCode::SERVICE_UNAVAILABLE)
            .all(|(_, retry)| retry.is_some())
    );
}
