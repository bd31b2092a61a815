//! The test-card walkthroughs in a real browser: headless Chromium, driven over WebDriver by
//! chromedriver, against the real shop in sandbox mode with a fresh database per test.
//! Screenshots of every step go to `tests/artifacts/browser/<test>/`.
//!
//! Needs Debian's `chromium` and `chromium-driver` and, for the accessibility checks, axe-core
//! from npm (`npm ci`); `scripts/test` installs them when missing.

mod accessibility;
mod accounts;
mod admin;
mod axe;
mod bank_debit;
mod browse;
mod checkout;
#[path = "../common/mod.rs"]
mod common;
mod harness;
mod hosted_checkout;
mod keyboard;
mod receipt;
mod shop;
mod stripe_js;
mod subscriptions;
mod variants;
