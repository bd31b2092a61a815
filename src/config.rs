//! Settings, read once from the environment at start-up and passed explicitly.

use std::fmt;
use std::num::NonZeroU32;
use std::time::Duration;

use crate::accounts::throttle::LoginLimits;
use crate::client_ip::TrustedProxies;
use crate::domain::{Country, Currency};
use crate::session::store::SessionLimits;

/// A value that must never reach a page, a log line or an error message.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Where the shop ships when `SHIPPING_COUNTRIES` is unset.
pub const DEFAULT_SHIPPING_COUNTRIES: &str = "US,CA,GB,IE,FR,DE,NL";

#[derive(Debug, Clone)]
pub struct Settings {
    pub listen_addr: String,
    /// The public URL shoppers use: links, the Stripe return URL, and the cookie Secure flag.
    pub base_url: String,
    pub database_url: Secret,
    /// Signs and encrypts the session cookie; at least 64 bytes. When unset, one is made once
    /// and kept in the database.
    pub session_key: Option<Secret>,
    pub currency: Currency,
    /// How shoppers pay by default (`CHECKOUT_MODE`); the review page offers the other way too.
    pub checkout_mode: CheckoutMode,
    /// The countries checkout offers for a shipping address, in the order shown.
    pub shipping_countries: Vec<Country>,
    pub stripe: StripeSettings,
    pub reconciler: ReconcilerSettings,
    pub seed_catalog: bool,
    /// Where admin-uploaded product images are written; served under /static/uploads/.
    pub upload_dir: String,
    /// Limits that keep one visitor from exhausting the shop (README, "Security").
    pub limits: LimitSettings,
    /// How long a session lives.
    pub sessions: SessionLimits,
    /// Where the built-in sandbox keeps its keys and objects across restarts (sandbox mode);
    /// `None` keeps them in memory only.
    pub sandbox_state_file: Option<std::path::PathBuf>,
    /// How emails leave the shop, and how hard it tries.
    pub mail: MailSettings,
    /// Connections this server keeps to PostgreSQL for requests and background work (besides
    /// one listening connection each for catalog, session and outbox changes).
    pub database_pool_size: usize,
    /// On SIGTERM, how long requests in flight may take to finish before they are cut.
    pub shutdown_timeout: Duration,
    /// Where `/metrics` is served (Prometheus); `None`, the default, serves it nowhere. Never
    /// on `listen_addr`: the public port does not show the shop's figures.
    pub metrics_addr: Option<String>,
    /// `STRIPE_TEST_CLOCKS=1` (test keys or the sandbox only): each new Stripe customer is made
    /// on its own test clock, so a walkthrough can advance its subscription's time.
    pub stripe_test_clocks: bool,
}

/// Where the shopper pays: Stripe's Payment Element on the shop's own page, or Stripe's
/// hosted Checkout page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CheckoutMode {
    #[default]
    PaymentElement,
    Hosted,
}

/// Emails: sent over SMTP when `SMTP_URL` is set, otherwise caught and shown at
/// `/_sandbox/mail` (a development shop; a live one refuses to start without SMTP).
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `smtp://user:pass@host:port` (STARTTLS with `?tls=required`) or `smtps://...`.
    pub smtp_url: Option<Secret>,
    /// The sender, e.g. `Storefront <shop@example.com>`.
    pub from: String,
    /// The wait before the first retry of a failed send; it doubles with each attempt...
    pub retry_after: Duration,
    /// ...up to this.
    pub retry_max: Duration,
    /// Attempts before an email is marked failed for the owner to see (and send again).
    pub max_attempts: u32,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: "Storefront <storefront@localhost>".into(),
            retry_after: Duration::from_secs(30),
            retry_max: Duration::from_secs(60 * 60),
            max_attempts: 10,
        }
    }
}

/// The limits the shop applies against abuse; README's Security section explains each.
#[derive(Debug, Clone)]
pub struct LimitSettings {
    /// Threads that hash passwords (each takes 19 MiB while it works).
    pub password_hashing_threads: usize,
    pub login: LoginLimits,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
    /// Orders waiting for payment that one session (or account) may have.
    pub open_orders_per_session: i64,
    /// Orders waiting for payment placed from one client address.
    pub open_orders_per_address: i64,
    /// How long an order holds its stock once the shopper presses Pay.
    pub payment_reservation: Duration,
    /// Searches one client address may make a minute (after a burst of as many).
    pub searches_per_minute: NonZeroU32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            password_hashing_threads: 2,
            login: LoginLimits::default(),
            trusted_proxies: TrustedProxies::default(),
            open_orders_per_session: 3,
            open_orders_per_address: 5,
            payment_reservation: Duration::from_secs(60 * 60),
            searches_per_minute: NonZeroU32::MIN.saturating_add(59),
        }
    }
}

#[derive(Debug, Clone)]
pub enum StripeSettings {
    /// No keys configured: the shop serves the built-in Stripe sandbox and talks to it.
    Sandbox,
    /// Stripe itself, or any Stripe-compatible server given by `STRIPE_API_BASE`.
    Keys(StripeKeys),
}

#[derive(Debug, Clone)]
pub struct StripeKeys {
    pub secret_key: Secret,
    pub publishable_key: String,
    pub webhook_secret: Secret,
    /// async-stripe's base URL, ending in `/` and without `v1`; `None` means api.stripe.com.
    pub api_base: Option<String>,
    pub js_url: String,
}

impl StripeKeys {
    pub fn is_live(&self) -> bool {
        self.publishable_key.starts_with("pk_live_")
    }
}

#[derive(Debug, Clone)]
pub struct ReconcilerSettings {
    /// How often the reconciler sweeps.
    pub interval: Duration,
    /// Orders still pending or requiring action after this long are checked with Stripe.
    pub stale_after: Duration,
    /// How long checkout holds stock for an unpaid order before cancelling it, until the
    /// shopper presses Pay (`LimitSettings::payment_reservation` from then).
    pub reservation: Duration,
    /// The longest wait between two looks at an order that does not change (its backoff
    /// doubles from `stale_after` up to this).
    pub max_backoff: Duration,
    /// How long after its payment an order is watched for refunds and disputes made at Stripe
    /// whose webhooks were lost.
    pub watch_paid: Duration,
}

impl Default for ReconcilerSettings {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(60),
            stale_after: Duration::from_secs(5 * 60),
            reservation: Duration::from_secs(15 * 60),
            max_backoff: Duration::from_secs(30 * 60),
            watch_paid: Duration::from_secs(7 * 24 * 60 * 60),
        }
    }
}

/// Why start-up refused the configuration; each message names the variable to fix and never
/// echoes a secret.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct ConfigError(String);

impl Settings {
    /// Reads the settings from the process environment (after `.env` was loaded by dotenvy).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let database_url = var("DATABASE_URL").ok_or_else(|| {
            ConfigError("DATABASE_URL is not set: point it at a PostgreSQL database".into())
        })?;
        let listen_addr = var("LISTEN_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into());
        let base_url = var("BASE_URL")
            .unwrap_or_else(|| format!("http://{listen_addr}"))
            .trim_end_matches('/')
            .to_owned();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(ConfigError(
                "BASE_URL must start with http:// or https://".into(),
            ));
        }
        let session_key = match var("SESSION_KEY") {
            Some(key) if key.len() < 64 => {
                return Err(ConfigError(
                    "SESSION_KEY must be at least 64 characters (try `openssl rand -hex 32`)"
                        .into(),
                ));
            }
            key => key.map(Secret::new),
        };
        let currency = match var("CURRENCY") {
            Some(code) => Currency::parse(&code).map_err(|_| {
                ConfigError("CURRENCY must be a three-letter ISO code such as usd".into())
            })?,
            None => Currency::usd(),
        };
        let checkout_mode = match var("CHECKOUT_MODE").as_deref() {
            None | Some("payment_element") => CheckoutMode::PaymentElement,
            Some("hosted") => CheckoutMode::Hosted,
            Some(_) => {
                return Err(ConfigError(
                    "CHECKOUT_MODE must be payment_element or hosted".into(),
                ));
            }
        };
        let shipping_countries = Country::parse_list(
            var("SHIPPING_COUNTRIES")
                .as_deref()
                .unwrap_or(DEFAULT_SHIPPING_COUNTRIES),
        )
        .map_err(|bad| {
            ConfigError(format!(
                "SHIPPING_COUNTRIES must list two-letter country codes separated by commas \
                 (known: {}); {bad:?} is not one",
                Country::known_codes()
            ))
        })?;
        let seconds = |name: &str, default: Duration| -> Result<Duration, ConfigError> {
            match var(name) {
                None => Ok(default),
                Some(v) => v
                    .parse::<u64>()
                    .ok()
                    .filter(|s| *s > 0)
                    .map(Duration::from_secs)
                    .ok_or_else(|| {
                        ConfigError(format!("{name} must be a whole number of seconds"))
                    }),
            }
        };
        let defaults = ReconcilerSettings::default();
        let reconciler = ReconcilerSettings {
            interval: seconds("RECONCILE_INTERVAL_SECS", defaults.interval)?,
            stale_after: seconds("RECONCILE_AFTER_SECS", defaults.stale_after)?,
            reservation: seconds("RESERVATION_SECS", defaults.reservation)?,
            max_backoff: seconds("RECONCILE_MAX_BACKOFF_SECS", defaults.max_backoff)?,
            watch_paid: seconds("RECONCILE_WATCH_SECS", defaults.watch_paid)?,
        };
        let seed_catalog = match var("SEED_CATALOG").as_deref() {
            None | Some("true" | "1" | "yes") => true,
            Some("false" | "0" | "no") => false,
            Some(_) => return Err(ConfigError("SEED_CATALOG must be true or false".into())),
        };
        let limits = limit_settings(&var)?;
        let database_pool_size = match var("DATABASE_POOL_SIZE") {
            None => 16,
            Some(v) => v
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| {
                    ConfigError("DATABASE_POOL_SIZE must be a whole number above 0".into())
                })?,
        };
        let shutdown_timeout = seconds("SHUTDOWN_TIMEOUT_SECS", Duration::from_secs(30))?;
        let stripe = stripe_settings(&var)?;
        let mail = mail_settings(&var, &stripe)?;
        let stripe_test_clocks = match var("STRIPE_TEST_CLOCKS").as_deref() {
            None | Some("0" | "false" | "no") => false,
            Some("1" | "true" | "yes") => true,
            Some(_) => return Err(ConfigError("STRIPE_TEST_CLOCKS must be 1 or 0".into())),
        };
        if stripe_test_clocks && matches!(&stripe, StripeSettings::Keys(keys) if keys.is_live()) {
            return Err(ConfigError(
                "STRIPE_TEST_CLOCKS works with test keys only: unset it with live keys".into(),
            ));
        }
        let session_defaults = SessionLimits::default();
        let sessions = SessionLimits {
            idle_timeout: seconds("SESSION_IDLE_SECS", session_defaults.idle_timeout)?,
            lifetime: seconds("SESSION_LIFETIME_SECS", session_defaults.lifetime)?,
        };
        Ok(Self {
            listen_addr,
            base_url,
            database_url: Secret::new(database_url),
            session_key,
            currency,
            checkout_mode,
            shipping_countries,
            stripe,
            reconciler,
            seed_catalog,
            upload_dir: var("UPLOAD_DIR").unwrap_or_else(|| "static/uploads".into()),
            limits,
            sessions,
            sandbox_state_file: match var("SANDBOX_STATE_FILE").as_deref() {
                None => Some(".data/sandbox.json".into()),
                Some("none") => None,
                Some(path) => Some(path.into()),
            },
            mail,
            database_pool_size,
            shutdown_timeout,
            metrics_addr: var("METRICS_ADDR"),
            stripe_test_clocks,
        })
    }

    pub fn is_https(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

fn limit_settings(var: &impl Fn(&str) -> Option<String>) -> Result<LimitSettings, ConfigError> {
    let count = |name: &str, default: usize| -> Result<usize, ConfigError> {
        match var(name) {
            None => Ok(default),
            Some(v) => v
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| ConfigError(format!("{name} must be a whole number above 0"))),
        }
    };
    let defaults = LimitSettings::default();
    let trusted_proxies = match var("TRUSTED_PROXIES") {
        None => TrustedProxies::default(),
        Some(list) => TrustedProxies::parse(&list).map_err(|bad| {
            ConfigError(format!(
                "TRUSTED_PROXIES must list IP addresses or networks (10.0.0.0/8), \
                 separated by commas; {bad:?} is neither"
            ))
        })?,
    };
    let as_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(LimitSettings {
        password_hashing_threads: count(
            "PASSWORD_HASHING_THREADS",
            defaults.password_hashing_threads,
        )?,
        login: LoginLimits {
            attempts_per_minute_per_address: NonZeroU32::new(as_u32(count(
                "LOGIN_ATTEMPTS_PER_MINUTE",
                defaults.login.attempts_per_minute_per_address.get() as usize,
            )?))
            .unwrap_or(defaults.login.attempts_per_minute_per_address),
            free_failures: as_u32(count(
                "LOGIN_FREE_FAILURES",
                defaults.login.free_failures as usize,
            )?),
            max_delay: Duration::from_secs(count(
                "LOGIN_MAX_DELAY_SECS",
                defaults.login.max_delay.as_secs() as usize,
            )? as u64),
        },
        trusted_proxies,
        open_orders_per_session: count(
            "OPEN_ORDERS_PER_SESSION",
            defaults.open_orders_per_session as usize,
        )? as i64,
        open_orders_per_address: count(
            "OPEN_ORDERS_PER_ADDRESS",
            defaults.open_orders_per_address as usize,
        )? as i64,
        payment_reservation: Duration::from_secs(count(
            "PAYMENT_RESERVATION_SECS",
            defaults.payment_reservation.as_secs() as usize,
        )? as u64),
        searches_per_minute: NonZeroU32::new(as_u32(count(
            "SEARCHES_PER_MINUTE",
            defaults.searches_per_minute.get() as usize,
        )?))
        .unwrap_or(defaults.searches_per_minute),
    })
}

fn mail_settings(
    var: &impl Fn(&str) -> Option<String>,
    stripe: &StripeSettings,
) -> Result<MailSettings, ConfigError> {
    let defaults = MailSettings::default();
    let smtp_url = var("SMTP_URL");
    if let Some(url) = &smtp_url
        && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
    {
        return Err(ConfigError(
            "SMTP_URL must start with smtp:// (add ?tls=required for STARTTLS) or smtps://".into(),
        ));
    }
    if smtp_url.is_none()
        && let StripeSettings::Keys(keys) = stripe
        && keys.is_live()
    {
        return Err(ConfigError(
            "SMTP_URL is not set but the Stripe keys are live: a live shop must send its emails \
             (order confirmations, password resets); without SMTP_URL they are only caught for \
             development"
                .into(),
        ));
    }
    let from = match (var("MAIL_FROM"), &smtp_url) {
        (Some(from), _) => from,
        (None, None) => defaults.from,
        (None, Some(_)) => {
            return Err(ConfigError(
                "MAIL_FROM is not set: with SMTP_URL the shop needs a sender address, \
                 such as Storefront <shop@example.com>"
                    .into(),
            ));
        }
    };
    if from.parse::<lettre::message::Mailbox>().is_err() {
        return Err(ConfigError(
            "MAIL_FROM must be an address such as shop@example.com or Storefront <shop@example.com>"
                .into(),
        ));
    }
    let seconds = |name: &str, default: Duration| -> Result<Duration, ConfigError> {
        match var(name) {
            None => Ok(default),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|s| *s > 0)
                .map(Duration::from_secs)
                .ok_or_else(|| ConfigError(format!("{name} must be a whole number of seconds"))),
        }
    };
    let max_attempts = match var("MAIL_MAX_ATTEMPTS") {
        None => defaults.max_attempts,
        Some(v) => v
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| {
                ConfigError("MAIL_MAX_ATTEMPTS must be a whole number from 1 to 100".into())
            })?,
    };
    Ok(MailSettings {
        smtp_url: smtp_url.map(Secret::new),
        from,
        retry_after: seconds("MAIL_RETRY_SECS", defaults.retry_after)?,
        retry_max: seconds("MAIL_RETRY_MAX_SECS", defaults.retry_max)?,
        max_attempts,
    })
}

fn stripe_settings(var: &impl Fn(&str) -> Option<String>) -> Result<StripeSettings, ConfigError> {
    let secret = var("STRIPE_SECRET_KEY");
    let publishable = var("STRIPE_PUBLISHABLE_KEY");
    let webhook = var("STRIPE_WEBHOOK_SECRET");
    let Some(secret) = secret else {
        if publishable.is_some() || webhook.is_some() {
            return Err(ConfigError(
                "STRIPE_SECRET_KEY is not set but other Stripe keys are: set it too, \
                 or unset STRIPE_PUBLISHABLE_KEY and STRIPE_WEBHOOK_SECRET to use the sandbox"
                    .into(),
            ));
        }
        return Ok(StripeSettings::Sandbox);
    };

    let secret_mode = if secret.starts_with("pk_") {
        return Err(ConfigError(
            "STRIPE_SECRET_KEY holds a publishable key (pk_...): put the secret key (sk_...) there"
                .into(),
        ));
    } else if secret.starts_with("sk_test_") || secret.starts_with("rk_test_") {
        "test"
    } else if secret.starts_with("sk_live_") || secret.starts_with("rk_live_") {
        "live"
    } else {
        return Err(ConfigError(
            "STRIPE_SECRET_KEY must start with sk_test_, sk_live_, rk_test_ or rk_live_".into(),
        ));
    };

    let publishable = publishable.ok_or_else(|| {
        ConfigError("STRIPE_PUBLISHABLE_KEY is not set (pk_test_... or pk_live_...)".into())
    })?;
    let publishable_mode = if publishable.starts_with("pk_test_") {
        "test"
    } else if publishable.starts_with("pk_live_") {
        "live"
    } else if publishable.starts_with("sk_") || publishable.starts_with("rk_") {
        return Err(ConfigError(
            "STRIPE_PUBLISHABLE_KEY holds a secret key: put the publishable key (pk_...) there, \
             and roll the secret key if it was ever exposed"
                .into(),
        ));
    } else {
        return Err(ConfigError(
            "STRIPE_PUBLISHABLE_KEY must start with pk_test_ or pk_live_".into(),
        ));
    };
    if secret_mode != publishable_mode {
        return Err(ConfigError(format!(
            "STRIPE_SECRET_KEY is a {secret_mode} key but STRIPE_PUBLISHABLE_KEY is a \
             {publishable_mode} key: use keys from the same mode"
        )));
    }

    let webhook = webhook.ok_or_else(|| {
        ConfigError(
            "STRIPE_WEBHOOK_SECRET is not set: without it no payment can be confirmed \
             (`stripe listen` prints a whsec_... for local development)"
                .into(),
        )
    })?;
    if !webhook.starts_with("whsec_") {
        return Err(ConfigError(
            "STRIPE_WEBHOOK_SECRET must start with whsec_".into(),
        ));
    }

    let api_base = var("STRIPE_API_BASE").map(|base| {
        let base = base.trim_end_matches('/').trim_end_matches("/v1");
        format!("{base}/")
    });
    let js_url = var("STRIPE_JS_URL").unwrap_or_else(|| "https://js.stripe.com/v3/".into());

    Ok(StripeSettings::Keys(StripeKeys {
        secret_key: Secret::new(secret),
        publishable_key: publishable,
        webhook_secret: Secret::new(webhook),
        api_base,
        js_url,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let mut env: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        env.entry("DATABASE_URL".into())
            .or_insert_with(|| "postgres://localhost/shop".into());
        Settings::from_lookup(|name| env.get(name).cloned())
    }

    fn error(pairs: &[(&str, &str)]) -> String {
        match settings(pairs) {
            Err(e) => e.to_string(),
            Ok(_) => String::from("accepted"),
        }
    }

    #[test]
    fn no_keys_means_sandbox_mode() {
        let s = settings(&[]).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(s.stripe, StripeSettings::Sandbox));
        assert_eq!(s.base_url, "http://127.0.0.1:8080");
    }

    #[test]
    fn test_and_live_keys_do_not_mix() {
        let e = error(&[
            ("STRIPE_SECRET_KEY", "sk_test_abc"),
            ("STRIPE_PUBLISHABLE_KEY", "pk_live_abc"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_abc"),
        ]);
        assert!(e.contains("STRIPE_SECRET_KEY is a test key"), "{e}");
    }

    #[test]
    fn a_publishable_key_in_the_secret_slot_is_named_without_echoing_it() {
        let e = error(&[
            ("STRIPE_SECRET_KEY", "pk_test_do_not_print"),
            ("STRIPE_PUBLISHABLE_KEY", "pk_test_abc"),
        ]);
        assert!(
            e.contains("STRIPE_SECRET_KEY holds a publishable key"),
            "{e}"
        );
        assert!(!e.contains("do_not_print"));
    }

    #[test]
    fn a_secret_key_in_the_publishable_slot_is_refused() {
        let e = error(&[
            ("STRIPE_SECRET_KEY", "sk_test_abc"),
            ("STRIPE_PUBLISHABLE_KEY", "sk_test_do_not_print"),
        ]);
        assert!(
            e.contains("STRIPE_PUBLISHABLE_KEY holds a secret key"),
            "{e}"
        );
        assert!(!e.contains("do_not_print"));
    }

    #[test]
    fn real_keys_need_a_webhook_secret() {
        let e = error(&[
            ("STRIPE_SECRET_KEY", "sk_test_abc"),
            ("STRIPE_PUBLISHABLE_KEY", "pk_test_abc"),
        ]);
        assert!(e.contains("STRIPE_WEBHOOK_SECRET is not set"), "{e}");
    }

    #[test]
    fn the_api_base_is_normalised_for_async_stripe() {
        let s = settings(&[
            ("STRIPE_SECRET_KEY", "sk_test_abc"),
            ("STRIPE_PUBLISHABLE_KEY", "pk_test_abc"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_abc"),
            ("STRIPE_API_BASE", "http://127.0.0.1:12111/v1/"),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        let StripeSettings::Keys(keys) = s.stripe else {
            panic!("expected keys")
        };
        assert_eq!(keys.api_base.as_deref(), Some("http://127.0.0.1:12111/"));
    }

    #[test]
    fn limits_have_defaults_and_bad_values_are_named() {
        let s = settings(&[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.limits.open_orders_per_address, 5);
        assert_eq!(s.reconciler.reservation, Duration::from_secs(900));
        assert_eq!(s.sessions.idle_timeout, Duration::from_secs(3 * 24 * 3600));
        let e = error(&[("TRUSTED_PROXIES", "10.0.0.0/8, proxy.local")]);
        assert!(
            e.contains("TRUSTED_PROXIES") && e.contains("proxy.local"),
            "{e}"
        );
        let e = error(&[("LOGIN_ATTEMPTS_PER_MINUTE", "0")]);
        assert!(
            e.contains("LOGIN_ATTEMPTS_PER_MINUTE must be a whole number"),
            "{e}"
        );
        let s = settings(&[
            ("TRUSTED_PROXIES", "127.0.0.1"),
            ("OPEN_ORDERS_PER_SESSION", "7"),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.limits.open_orders_per_session, 7);
    }

    #[test]
    fn mail_is_caught_without_smtp_and_a_live_shop_needs_smtp() {
        let s = settings(&[]).unwrap_or_else(|e| panic!("{e}"));
        assert!(s.mail.smtp_url.is_none());
        let live = [
            ("STRIPE_SECRET_KEY", "sk_live_abc"),
            ("STRIPE_PUBLISHABLE_KEY", "pk_live_abc"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_abc"),
        ];
        let e = error(&live);
        assert!(
            e.contains("SMTP_URL is not set but the Stripe keys are live"),
            "{e}"
        );
        let mut with_smtp = live.to_vec();
        with_smtp.push(("SMTP_URL", "smtps://shop:do_not_print@mail.example.com"));
        let e = error(&with_smtp);
        assert!(e.contains("MAIL_FROM is not set"), "{e}");
        assert!(!e.contains("do_not_print"));
        with_smtp.push(("MAIL_FROM", "Storefront <shop@example.com>"));
        let s = settings(&with_smtp).unwrap_or_else(|e| panic!("{e}"));
        assert!(!format!("{s:?}").contains("do_not_print"));
        let e = error(&[
            ("SMTP_URL", "http://mail.example.com"),
            ("MAIL_FROM", "a@b.c"),
        ]);
        assert!(e.contains("SMTP_URL must start with smtp://"), "{e}");
        let e = error(&[("MAIL_FROM", "not an address")]);
        assert!(e.contains("MAIL_FROM must be an address"), "{e}");
        let e = error(&[("MAIL_MAX_ATTEMPTS", "0")]);
        assert!(e.contains("MAIL_MAX_ATTEMPTS"), "{e}");
    }

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let s = settings(&[("SESSION_KEY", &"k".repeat(64))]).unwrap_or_else(|e| panic!("{e}"));
        let printed = format!("{s:?}");
        assert!(!printed.contains("kkkk"));
        assert!(!printed.contains("postgres://"));
    }
}
