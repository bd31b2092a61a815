//! Input no page of the shop can use is refused with a 400 before it reaches a handler or the
//! database: a NUL byte (PostgreSQL cannot store one in text) in the address or a form field.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use crate::error::AppError;

const NUL_IN_ADDRESS: &str =
    "The address contains a NUL character (%00), which no page of this shop accepts.";
pub const NUL_IN_FORM: &str =
    "The form contains a NUL character, which is not allowed. Remove it and try again.";

/// Middleware: a request whose path or query string encodes a NUL byte gets a 400 page.
pub async fn refuse_nul_in_address(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    // In a well-formed URI a `%` always starts an escape, so "%00" is a NUL and nothing else.
    let uri = req.uri();
    if uri.path().contains("%00") || uri.query().is_some_and(|q| q.contains("%00")) {
        tracing::info!("refused an address with a NUL byte");
        return Ok(req
            .error_response(AppError::bad_request(NUL_IN_ADDRESS))
            .map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// Whether a submitted text holds a byte no text column can store.
pub fn has_nul(value: &str) -> bool {
    value.contains('\0')
}
