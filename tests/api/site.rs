use reqwest::StatusCode;

use crate::helpers::{spawn_app, text};

#[tokio::test]
async fn healthz_answers_while_the_process_runs() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(text(response).await, "ok");
}

#[tokio::test]
async fn readyz_says_ready_only_while_every_migration_is_applied() {
    use diesel_async::SimpleAsyncConnection;
    let app = spawn_app().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(text(response).await, "ready");

    // The database rolled back to before the newest migration, as a restore from an old
    // backup would leave it: this build cannot serve it.
    let newest: String = {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        #[derive(QueryableByName)]
        struct Version {
            #[diesel(sql_type = diesel::sql_types::Text)]
            version: String,
        }
        diesel::sql_query(
            "SELECT version FROM __diesel_schema_migrations ORDER BY version DESC LIMIT 1",
        )
        .get_result::<Version>(&mut app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("the newest migration: {e}"))
        .version
    };
    app.conn()
        .await
        .batch_execute(&format!(
            "DELETE FROM __diesel_schema_migrations WHERE version = '{newest}'"
        ))
        .await
        .unwrap_or_else(|e| panic!("forgetting a migration: {e}"));
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = text(response).await;
    assert_eq!(body, "not ready: database migrations pending");
    assert_eq!(
        app.get("/healthz").await.status(),
        StatusCode::OK,
        "liveness does not depend on the database"
    );
}

#[tokio::test]
async fn readyz_says_not_ready_when_the_database_is_gone() {
    use diesel_async::SimpleAsyncConnection;
    let app = spawn_app().await;
    // Every connection the app has is ended and no new one is allowed, as in an outage.
    let database = app
        .database_url
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let admin_url = app.database_url.replace(&database, "postgres");
    let mut admin = {
        use diesel_async::AsyncConnection;
        diesel_async::AsyncPgConnection::establish(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("connecting as admin: {e}"))
    };
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {database} ALLOW_CONNECTIONS false; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"
        ))
        .await
        .unwrap_or_else(|e| panic!("cutting the database off: {e}"));
    let response = app.get("/readyz").await;
    let status = response.status();
    let body = text(response).await;
    admin
        .batch_execute(&format!("ALTER DATABASE {database} ALLOW_CONNECTIONS true"))
        .await
        .unwrap_or_else(|e| panic!("reconnecting the database: {e}"));
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, "not ready: database unavailable");
    assert!(
        !body.contains("postgres"),
        "no connection details in {body:?}"
    );
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    let mut ready = false;
    for _ in 0..50 {
        if app.get("/readyz").await.status() == StatusCode::OK {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ready, "ready again once the database is back");
}

#[tokio::test]
async fn pages_carry_the_security_headers() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let csp = header("content-security-policy");
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("x-frame-options"), "DENY");
    assert_eq!(header("referrer-policy"), "strict-origin-when-cross-origin");
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_lax() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("storefront_session="))
        .unwrap_or_else(|| panic!("no session cookie"))
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");
}

#[tokio::test]
async fn every_page_says_payments_are_simulated_in_sandbox_mode() {
    let app = spawn_app().await;
    for path in ["/", "/cart", "/login", "/products/no-such-thing"] {
        let html = text(app.get(path).await).await;
        assert!(html.contains("Sandbox mode:"), "{path}");
        assert!(html.contains("4242 4242 4242 4242"), "{path}");
    }
}

#[tokio::test]
async fn in_sandbox_mode_the_sandbox_page_shows_the_keys_its_test_controls_need() {
    let app = spawn_app().await;
    // The keys are made up at each start: the page is where a developer finds them.
    let response = app.get("/_sandbox/").await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = text(response).await;
    assert!(html.contains(&app.stripe.secret_key), "{html}");
    assert!(html.contains("_controls/webhooks/wait"));
    assert!(html.contains("/webhooks/stripe"), "the shop's endpoint");
}

#[tokio::test]
async fn an_unknown_route_is_a_404_page_in_the_layout() {
    let app = spawn_app().await;
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = text(response).await;
    assert!(html.contains("Page not found"));
    assert!(html.contains("Back to the shop"));
}

#[tokio::test]
async fn a_malformed_id_in_a_path_is_the_404_page_in_the_layout() {
    let app = spawn_app().await;
    for path in ["/orders/1", "/orders/not-a-uuid/thanks"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let html = text(response).await;
        assert!(html.contains("Page not found"), "{path}: {html}");
        assert!(!html.contains("UUID parsing failed"), "{path}");
    }
}

#[tokio::test]
async fn the_anonymous_sandbox_demo_page_is_rate_limited() {
    let app = spawn_app().await;
    let (mut shown, mut refused) = (0, 0);
    for _ in 0..300 {
        let response = app.get("/_sandbox/_demo").await;
        match response.status() {
            reqwest::StatusCode::OK => shown += 1,
            reqwest::StatusCode::TOO_MANY_REQUESTS => {
                assert!(response.headers().contains_key("retry-after"));
                refused += 1;
            }
            other => panic!("{other}"),
        }
    }
    assert!(shown <= 12, "{shown} demo payments in a burst");
    assert_eq!(shown + refused, 300);
    app.webhooks_delivered().await;
    let created = app
        .stripe_events()
        .await
        .into_iter()
        .filter(|(kind, _)| kind == "payment_intent.created")
        .count();
    assert!(created <= 12, "{created} events stored");
}
