//! The browser under test: one chromedriver per test binary, one headless Chromium session per
//! test, and the ways a person finds things on a page (headings, labels, button and link
//! names, visible text), with bounded waits.
//!
//! By concern: [`driver`] (chromedriver and viewports), [`walkthrough`] (one test's browser
//! session), [`browser`] (finding things as a person does) and [`keyboard`] (the keyboard alone).

mod browser;
mod driver;
mod keyboard;
mod walkthrough;

pub use browser::*;
pub use driver::*;
pub use walkthrough::*;

use std::future::Future;
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, OnceLock};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::shop::Shop;
