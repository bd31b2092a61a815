//! Every state-changing form carries the session's CSRF token in a `csrf_token` field;
//! [`CsrfForm`] refuses the request before the handler runs when the token is missing or wrong.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::bad_input::{NUL_IN_FORM, has_nul};
use crate::error::AppError;
use crate::session::ShopSession;

pub const FIELD: &str = "csrf_token";

/// A url-encoded form whose CSRF token was checked against the session.
pub struct CsrfForm<T>(pub T);

/// For forms whose only field is the token (sign out, remove a line).
#[derive(Debug, Deserialize)]
pub struct NoFields {}

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = Bytes::from_request(&req, payload);
        Box::pin(async move {
            let body = body
                .await
                .map_err(|_| AppError::bad_request("The form could not be read."))?;
            let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
                .map_err(|_| AppError::bad_request("The form could not be read."))?;
            if fields
                .iter()
                .any(|(name, value)| has_nul(name) || has_nul(value))
            {
                return Err(AppError::bad_request(NUL_IN_FORM));
            }
            let token = fields
                .iter()
                .find(|(name, _)| name == FIELD)
                .map(|(_, value)| value.as_str())
                .unwrap_or_default();
            if !ShopSession::from_request(&req).csrf_matches(token) {
                tracing::warn!(path = %req.path(), "refused a form with a missing or wrong CSRF token");
                return Err(AppError::Csrf);
            }
            let form = serde_urlencoded::from_bytes(&body)
                .map_err(|_| AppError::bad_request("Some fields of the form are missing."))?;
            Ok(Self(form))
        })
    }
}
