//! Builds the application from its settings: database, migrations, seed, HTTP server.
//! `Application::build` binds before it returns, so tests start the real app on port 0.

use std::net::TcpListener;
use std::time::Duration;

use actix_files::Files;
use actix_session::SessionMiddleware;
use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_web::cookie::SameSite;
use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::dev::Server;
use actix_web::middleware::{Compress, ErrorHandlers, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use stripe_sandbox::{Sandbox, SandboxConfig, WebhookEndpoint};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing_actix_web::TracingLogger;

use crate::accounts::password::PasswordHashers;
use crate::accounts::throttle::LoginThrottle;
use crate::assets::Assets;
use crate::assets::Site;
use crate::config::{Secret, Settings, StripeSettings};
use crate::db::{self, DbPool};
use crate::error::AppError;
use crate::page::{MailDelivery, PaymentMode};
use crate::payments::{Payments, StripeAccess, reconciler};
use crate::security_headers::{default_headers, origin_of};
use crate::session::new_token;
use crate::session::store::PgSessionStore;
use crate::telemetry::RequestSpan;
use crate::{
    accounts, admin, assets, bad_input, cart, catalog, checkout, club, email, error_page, health,
    orders, payments, seed, seo, session,
};

pub struct Application {
    port: u16,
    server: Server,
    pool: DbPool,
    sandbox_key: Option<Secret>,
    /// The metrics listener's port, when `METRICS_ADDR` is set.
    metrics_port: Option<u16>,
    metrics_server: Option<Server>,
    /// Tells the background loops (reconciler, email worker) to stop at their next safe point.
    stop: CancellationToken,
    background: Vec<JoinHandle<()>>,
}

/// How long the background loops get, after the server stopped, to reach a safe point: a send
/// to an SMTP server or a look at one order with Stripe, each bounded by its own timeout.
const BACKGROUND_STOP_TIMEOUT: Duration = Duration::from_secs(30);

/// Where the in-process sandbox is mounted on the shop's own origin.
const SANDBOX_SCOPE: &str = "/_sandbox";

/// The built-in sandbox and the keys the shop talks to it with. The keys are made up at the
/// first start and kept with the sandbox's objects in `SANDBOX_STATE_FILE`, so that after a
/// restart the sandbox still knows the shop's intents and their payment pages keep working.
fn sandbox_mode(
    settings: &Settings,
    loopback: std::net::SocketAddr,
) -> anyhow::Result<(StripeAccess, Sandbox)> {
    let saved = match &settings.sandbox_state_file {
        Some(path) => stripe_sandbox::SavedKeys::read(path)?,
        None => None,
    };
    let keys = saved.unwrap_or_else(|| stripe_sandbox::SavedKeys {
        secret_key: format!("sk_test_sandbox_{}", new_token()),
        publishable_key: format!("pk_test_sandbox_{}", new_token()),
        webhook_secret: format!("whsec_sandbox_{}", new_token()),
    });
    let access = StripeAccess {
        secret_key: Secret::new(keys.secret_key.clone()),
        publishable_key: keys.publishable_key.clone(),
        webhook_secret: Secret::new(keys.webhook_secret.clone()),
        api_base: Some(format!("http://{loopback}{SANDBOX_SCOPE}/")),
        js_url: format!("{SANDBOX_SCOPE}/js/v3/stripe.js"),
        dashboard_url: None,
    };
    let sandbox = Sandbox::open(SandboxConfig {
        secret_key: keys.secret_key,
        publishable_key: keys.publishable_key,
        webhook_endpoints: vec![WebhookEndpoint {
            url: format!("http://{loopback}/webhooks/stripe"),
            secret: keys.webhook_secret,
        }],
        state_file: settings.sandbox_state_file.clone(),
    })
    .context("opening the sandbox's state (SANDBOX_STATE_FILE)")?;
    Ok((access, sandbox))
}

/// Where payments go: the keys the shop uses, how the banner names the mode, and the in-process
/// sandbox when it is Stripe.
struct PaymentsSetup {
    access: StripeAccess,
    sandbox: Option<Sandbox>,
    mode: PaymentMode,
}

/// The shared state every worker's `App` gets, built once.
struct Shared {
    settings: web::Data<Settings>,
    payment_mode: web::Data<PaymentMode>,
    mail: web::Data<MailDelivery>,
    payments: web::Data<Payments>,
    catalog_cache: web::Data<catalog::CatalogCache>,
    cart_counts: web::Data<cart::CartCounts>,
    search_limit: web::Data<catalog::search_limit::SearchLimit>,
    password_hashers: web::Data<PasswordHashers>,
    login_throttle: web::Data<LoginThrottle>,
    trusted_proxies: web::Data<crate::client_ip::TrustedProxies>,
    plan_prices: web::Data<club::PlanPrices>,
}

/// The cookie session: the store, the key that seals the cookie, and how long it lives.
struct Sessions {
    store: PgSessionStore,
    key: actix_web::cookie::Key,
    lifetime: CookieDuration,
}

impl Application {
    pub async fn build(mut settings: Settings) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(&settings.listen_addr)
            .with_context(|| format!("binding {}", settings.listen_addr))?;
        let metrics_listener = match &settings.metrics_addr {
            Some(addr) => Some(
                TcpListener::bind(addr).with_context(|| format!("binding METRICS_ADDR {addr}"))?,
            ),
            None => None,
        };
        let local_addr = listener.local_addr()?;
        let port = local_addr.port();
        // A base URL derived from the listen address follows the port actually bound (port 0).
        if settings.base_url == format!("http://{}", settings.listen_addr) {
            settings.base_url = format!("http://{local_addr}");
        }

        let pool = prepare_database(&settings).await?;
        let setup = choose_payments(&settings, loopback_of(local_addr))?;
        let js_origin = origin_of(&setup.access.js_url);
        let sandbox_key = setup
            .sandbox
            .as_ref()
            .map(|_| setup.access.secret_key.clone());
        let stop = CancellationToken::new();
        let (payments, reconciler) =
            start_payments(&pool, &settings, setup.access, stop.clone()).await?;
        let (mail, mailer) = start_mail(&pool, &settings, stop.clone())?;
        let shutdown_timeout = settings.shutdown_timeout;
        let sessions = start_sessions(&pool, &settings).await?;
        // Uploaded product images are served from their own directory, which may lie outside
        // `static/`.
        std::fs::create_dir_all(&settings.upload_dir)
            .with_context(|| format!("creating the upload directory {}", settings.upload_dir))?;
        let upload_dir = settings.upload_dir.clone();
        let site = web::Data::new(Site {
            base_url: settings.base_url.trim_end_matches('/').to_owned(),
            assets: Assets::scan(
                std::path::Path::new("static"),
                std::path::Path::new(&upload_dir),
            )?,
        });
        let https = settings.is_https();
        let shared = start_shared(&pool, settings, payments, setup.mode, mail)?;
        let sandbox = setup.sandbox;

        let server = {
            let pool = pool.clone();
            HttpServer::new(move || {
                App::new()
                    .wrap(from_fn(bad_input::refuse_nul_in_address))
                    .wrap(ErrorHandlers::new().default_handler(error_page::render_error_page))
                    .wrap(
                        SessionMiddleware::builder(sessions.store.clone(), sessions.key.clone())
                            .session_lifecycle(
                                PersistentSession::default().session_ttl(sessions.lifetime),
                            )
                            .cookie_name("storefront_session".into())
                            .cookie_content_security(CookieContentSecurity::Private)
                            .cookie_secure(https)
                            .cookie_http_only(true)
                            .cookie_same_site(SameSite::Lax)
                            .build(),
                    )
                    .wrap(default_headers(js_origin.as_deref(), https))
                    // gzip for the pages, stylesheets, scripts and SVGs of clients that accept
                    // it (not for photos, which are compressed already).
                    .wrap(Compress::default())
                    .wrap(TracingLogger::<RequestSpan>::new())
                    // Outermost, so the time includes every other middleware.
                    .wrap(from_fn(crate::metrics::time_requests))
                    .app_data(web::Data::new(pool.clone()))
                    .app_data(site.clone())
                    .app_data(shared.settings.clone())
                    .app_data(shared.payment_mode.clone())
                    .app_data(shared.mail.clone())
                    .app_data(shared.payments.clone())
                    .app_data(shared.catalog_cache.clone())
                    .app_data(shared.cart_counts.clone())
                    .app_data(shared.search_limit.clone())
                    .app_data(shared.password_hashers.clone())
                    .app_data(shared.login_throttle.clone())
                    .app_data(shared.trusted_proxies.clone())
                    .app_data(shared.plan_prices.clone())
                    .app_data(web::FormConfig::default().limit(64 * 1024))
                    // `/orders/1` names no order: the site's 404 page, not the parser's words.
                    .app_data(
                        web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()),
                    )
                    .app_data(web::PayloadConfig::default().limit(64 * 1024))
                    .configure(routes)
                    // Before the sandbox's scope, which would answer 404 for its paths.
                    .configure(|cfg| {
                        if mail == MailDelivery::Mailbox {
                            email::mailbox::routes(cfg);
                        }
                    })
                    .configure(|cfg| {
                        if let Some(sandbox) = &sandbox {
                            cfg.service(
                                web::scope(SANDBOX_SCOPE).configure(|c| sandbox.configure(c)),
                            );
                        }
                    })
                    .service(Files::new("/static/uploads", &upload_dir))
                    .service(Files::new("/static", "static"))
            })
            // On SIGTERM actix stops accepting and lets requests in flight (a webhook being
            // applied among them) finish for up to this long.
            .shutdown_timeout(shutdown_timeout.as_secs())
            .listen(listener)?
            .run()
        };

        let metrics_port = match &metrics_listener {
            Some(listener) => Some(listener.local_addr()?.port()),
            None => None,
        };
        let metrics_server = match metrics_listener {
            Some(listener) => {
                tracing::info!(port = metrics_port, "metrics are served at /metrics");
                Some(crate::metrics::serve(listener, pool.clone())?)
            }
            None => None,
        };

        Ok(Self {
            port,
            server,
            pool,
            sandbox_key,
            metrics_port,
            metrics_server,
            stop,
            background: vec![reconciler, mailer],
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Where `/metrics` is served, when `METRICS_ADDR` is set.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_port
    }

    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    /// The secret key the in-process sandbox accepts (sandbox mode only): its test controls
    /// need it.
    pub fn sandbox_key(&self) -> Option<&Secret> {
        self.sandbox_key.as_ref()
    }

    /// Serves until the server stops (SIGTERM or SIGINT), then stops the background loops at
    /// their next safe point and waits for them.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = match self.metrics_server {
            Some(metrics) => {
                let handle = metrics.handle();
                let metrics = tokio::spawn(metrics);
                let served = self.server.await;
                handle.stop(true).await;
                let _ = metrics.await;
                served
            }
            None => self.server.await,
        };
        self.stop.cancel();
        let stopped = async {
            for task in self.background {
                if let Err(e) = task.await {
                    tracing::error!(error = %e, "a background task ended abnormally");
                }
            }
        };
        if tokio::time::timeout(BACKGROUND_STOP_TIMEOUT, stopped)
            .await
            .is_err()
        {
            tracing::warn!("background tasks did not stop in time");
        }
        served
    }
}

/// Every route of the shop, module by module.
fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .configure(catalog::routes)
        .configure(seo::routes)
        .configure(assets::routes)
        .configure(cart::routes)
        .configure(accounts::routes)
        .configure(checkout::routes)
        .configure(club::routes)
        .configure(orders::routes)
        .configure(payments::routes)
        .configure(admin::routes);
}

/// Connects, runs the migrations, gives a shop without shipping methods the default ones, and
/// seeds the demo catalog when asked.
async fn prepare_database(settings: &Settings) -> anyhow::Result<DbPool> {
    let pool = db::pool(settings.database_url.expose(), settings.database_pool_size)?;
    db::migrate(&pool).await?;
    {
        let mut conn = pool
            .get()
            .await
            .context("connecting to add shipping methods")?;
        if seed::shipping_methods(&mut conn, settings.currency).await? > 0 {
            tracing::info!(currency = %settings.currency, "added the default shipping methods");
        }
    }
    if settings.seed_catalog {
        let mut conn = pool.get().await.context("connecting to seed the catalog")?;
        let added = seed::catalog(&mut conn, settings.currency).await?;
        if added > 0 {
            tracing::info!(added, "seeded the demo catalog");
        }
    }
    Ok(pool)
}

/// The address the shop reaches itself on (the in-process sandbox, its webhooks).
fn loopback_of(local_addr: std::net::SocketAddr) -> std::net::SocketAddr {
    if local_addr.ip().is_unspecified() {
        std::net::SocketAddr::from(([127, 0, 0, 1], local_addr.port()))
    } else {
        local_addr
    }
}

/// The built-in sandbox with keys made up for it, or Stripe with the configured keys.
fn choose_payments(
    settings: &Settings,
    loopback: std::net::SocketAddr,
) -> anyhow::Result<PaymentsSetup> {
    // In sandbox mode the shop serves the sandbox on its own origin and talks to it over
    // loopback, with keys made up for this process, exactly as it would talk to Stripe.
    Ok(match &settings.stripe {
        StripeSettings::Sandbox => {
            let (access, sandbox) = sandbox_mode(settings, loopback)?;
            tracing::info!(
                "sandbox mode: payments go to the built-in Stripe sandbox at {SANDBOX_SCOPE}/, no network needed"
            );
            // Made up for this offline sandbox and useless anywhere else, so it may be shown: its
            // test controls need it (the sandbox's page shows it too).
            tracing::info!(
                "sandbox test controls: {}{SANDBOX_SCOPE}/ lists them with the test keys; key: {}",
                settings.base_url,
                access.secret_key.expose()
            );
            PaymentsSetup {
                access,
                sandbox: Some(sandbox),
                mode: PaymentMode::Sandbox,
            }
        }
        StripeSettings::Keys(keys) => {
            let live = keys.is_live();
            let access = StripeAccess {
                secret_key: keys.secret_key.clone(),
                publishable_key: keys.publishable_key.clone(),
                webhook_secret: keys.webhook_secret.clone(),
                api_base: keys.api_base.clone(),
                js_url: keys.js_url.clone(),
                dashboard_url: keys.api_base.is_none().then(|| {
                    if live {
                        "https://dashboard.stripe.com"
                    } else {
                        "https://dashboard.stripe.com/test"
                    }
                    .to_owned()
                }),
            };
            tracing::info!(
                mode = if live { "live" } else { "test" },
                api = keys
                    .api_base
                    .as_deref()
                    .unwrap_or("https://api.stripe.com/"),
                "payments go to Stripe"
            );
            PaymentsSetup {
                access,
                sandbox: None,
                mode: if live {
                    PaymentMode::StripeLive
                } else {
                    PaymentMode::StripeTest
                },
            }
        }
    })
}

/// The Stripe client with this installation's idempotency keys, and the reconciler behind it.
async fn start_payments(
    pool: &DbPool,
    settings: &Settings,
    access: StripeAccess,
    stop: CancellationToken,
) -> anyhow::Result<(web::Data<Payments>, JoinHandle<()>)> {
    let keys = {
        let mut conn = pool
            .get()
            .await
            .context("connecting to read the installation")?;
        payments::idempotency::Keys::of_installation(&mut conn).await?
    };
    let payments =
        web::Data::new(Payments::new(access, keys)?.with_test_clocks(settings.stripe_test_clocks));
    let reconciler = reconciler::spawn(
        pool.clone(),
        payments.clone().into_inner(),
        settings.reconciler.clone(),
        stop,
    );
    Ok((payments, reconciler))
}

/// The email worker, over SMTP or into the mailbox (a live shop without `SMTP_URL` was
/// refused with the settings).
fn start_mail(
    pool: &DbPool,
    settings: &Settings,
    stop: CancellationToken,
) -> anyhow::Result<(MailDelivery, JoinHandle<()>)> {
    let transport = email::Transport::from_settings(&settings.mail)?;
    let delivery = if transport.catches() {
        tracing::warn!(
            mailbox = %format!("{}{}", settings.base_url, email::mailbox::PATH),
            "no SMTP_URL: emails are caught, not sent, and anyone who can open the mailbox reads them (a development shop)"
        );
        MailDelivery::Mailbox
    } else {
        tracing::info!("emails are sent over SMTP (SMTP_URL)");
        MailDelivery::Smtp
    };
    let worker = email::worker::spawn(
        pool.clone(),
        settings.database_url.expose().to_owned(),
        transport,
        settings.mail.clone(),
        settings.base_url.clone(),
        stop,
    )?;
    Ok((delivery, worker))
}

async fn start_sessions(pool: &DbPool, settings: &Settings) -> anyhow::Result<Sessions> {
    let key = {
        let mut conn = pool.get().await.context("connecting for the session key")?;
        session::key::cookie_key(&mut conn, settings.session_key.as_ref()).await?
    };
    let store = PgSessionStore::start(
        pool.clone(),
        settings.database_url.expose().to_owned(),
        settings.sessions.clone(),
    );
    let lifetime =
        CookieDuration::try_from(settings.sessions.lifetime).unwrap_or(CookieDuration::days(30));
    Ok(Sessions {
        store,
        key,
        lifetime,
    })
}

/// The state shared by every worker, with the background tasks that keep it (the catalog's
/// and the cart counts' change listeners, the login throttle's cleanup).
fn start_shared(
    pool: &DbPool,
    settings: Settings,
    payments: web::Data<Payments>,
    mode: PaymentMode,
    mail: MailDelivery,
) -> anyhow::Result<Shared> {
    let catalog_cache = web::Data::new(catalog::CatalogCache::default());
    catalog::cache::spawn_listener(
        settings.database_url.expose().to_owned(),
        catalog_cache.clone().into_inner(),
    );
    let cart_counts = web::Data::new(cart::CartCounts::start(
        settings.database_url.expose().to_owned(),
    ));
    let search_limit = web::Data::new(catalog::search_limit::SearchLimit::new(
        settings.limits.searches_per_minute,
    ));
    search_limit.clone().into_inner().spawn_cleanup();
    let password_hashers = web::Data::new(PasswordHashers::start(
        settings.limits.password_hashing_threads,
    )?);
    let login_throttle = web::Data::new(LoginThrottle::new(settings.limits.login.clone()));
    login_throttle
        .clone()
        .into_inner()
        .spawn_cleanup(pool.clone());
    let trusted_proxies = web::Data::new(settings.limits.trusted_proxies.clone());
    // The membership's Stripe prices are found or made from the plan table on first use (a
    // shop that sells no membership never writes to Stripe's catalog).
    let plan_prices = web::Data::new(club::PlanPrices::new(settings.currency));
    Ok(Shared {
        settings: web::Data::new(settings),
        payment_mode: web::Data::new(mode),
        mail: web::Data::new(mail),
        payments,
        catalog_cache,
        cart_counts,
        search_limit,
        password_hashers,
        login_throttle,
        trusted_proxies,
        plan_prices,
    })
}
