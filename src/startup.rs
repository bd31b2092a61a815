//! Builds the application from its settings: database, migrations, seed, HTTP server.
//! `Application::build` binds before it returns, so tests start the real app on port 0.

use std::net::TcpListener;

use actix_files::Files;
use actix_session::SessionMiddleware;
use actix_session::config::CookieContentSecurity;
use actix_session::storage::CookieSessionStore;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::middleware::ErrorHandlers;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use tracing_actix_web::TracingLogger;

use crate::config::{Settings, StripeSettings};
use crate::db::{self, DbPool};
use crate::page::PaymentMode;
use crate::security_headers::{default_headers, origin_of};
use crate::{accounts, cart, catalog, error, health, seed};

pub struct Application {
    port: u16,
    server: Server,
    pool: DbPool,
}

impl Application {
    pub async fn build(mut settings: Settings) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(&settings.listen_addr)
            .with_context(|| format!("binding {}", settings.listen_addr))?;
        let local_addr = listener.local_addr()?;
        let port = local_addr.port();
        // A base URL derived from the listen address follows the port actually bound (port 0).
        if settings.base_url == format!("http://{}", settings.listen_addr) {
            settings.base_url = format!("http://{local_addr}");
        }

        let pool = db::pool(settings.database_url.expose(), 16)?;
        db::migrate(&pool).await?;
        if settings.seed_catalog {
            let mut conn = pool.get().await.context("connecting to seed the catalog")?;
            let added = seed::catalog(&mut conn, settings.currency).await?;
            if added > 0 {
                tracing::info!(added, "seeded the demo catalog");
            }
        }

        let payment_mode = match &settings.stripe {
            StripeSettings::Sandbox => {
                tracing::info!(
                    "sandbox mode: payments go to the built-in Stripe sandbox, no network needed"
                );
                PaymentMode::Sandbox
            }
            StripeSettings::Keys(keys) if keys.is_live() => PaymentMode::StripeLive,
            StripeSettings::Keys(_) => PaymentMode::StripeTest,
        };
        let js_origin = match &settings.stripe {
            StripeSettings::Keys(keys) => origin_of(&keys.js_url),
            StripeSettings::Sandbox => None,
        };

        let session_key = match &settings.session_key {
            Some(key) => Key::derive_from(key.expose().as_bytes()),
            None => {
                tracing::warn!(
                    "SESSION_KEY is not set: using a random key, so sessions end when the shop restarts"
                );
                Key::generate()
            }
        };

        let server = {
            let pool = pool.clone();
            let https = settings.is_https();
            let settings = web::Data::new(settings);
            let payment_mode = web::Data::new(payment_mode);
            HttpServer::new(move || {
                App::new()
                    .wrap(ErrorHandlers::new().default_handler(error::render_error_page))
                    .wrap(
                        SessionMiddleware::builder(
                            CookieSessionStore::default(),
                            session_key.clone(),
                        )
                        .cookie_name("storefront_session".into())
                        .cookie_content_security(CookieContentSecurity::Private)
                        .cookie_secure(https)
                        .cookie_http_only(true)
                        .cookie_same_site(SameSite::Lax)
                        .build(),
                    )
                    .wrap(default_headers(js_origin.as_deref(), https))
                    .wrap(TracingLogger::default())
                    .app_data(web::Data::new(pool.clone()))
                    .app_data(settings.clone())
                    .app_data(payment_mode.clone())
                    .app_data(web::FormConfig::default().limit(64 * 1024))
                    .app_data(web::PayloadConfig::default().limit(64 * 1024))
                    .route("/healthz", web::get().to(health::healthz))
                    .configure(catalog::routes)
                    .configure(cart::routes)
                    .configure(accounts::routes)
                    .service(Files::new("/static", "static"))
            })
            .listen(listener)?
            .run()
        };

        Ok(Self { port, server, pool })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
