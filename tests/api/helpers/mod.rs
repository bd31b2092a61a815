//! What the API tests share, by concern. Everything is re-exported here, so a test reads
//! `crate::helpers::{spawn_app, VISA, ...}`.

mod admin;
mod checkout;
mod http;
mod mail;
mod process;
mod proxy;
mod spawn;
mod standalone;

pub use checkout::*;
pub use http::*;
pub use mail::*;
pub use process::*;
pub use proxy::*;
pub use spawn::*;
pub use standalone::*;

use reqwest::{Response, StatusCode};
use storefront::db::{DbConn, DbPool};
use storefront::startup::Application;
use uuid::Uuid;
