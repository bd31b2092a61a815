//! Every error response without a page of its own becomes a page in the site's layout.

use actix_web::HttpResponse;
use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, ContentType};
use actix_web::middleware::ErrorHandlerResponse;
use askama::Template;

use crate::error::{AppError, page_text_for};
use crate::page::PageContext;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: PageContext,
    status: u16,
    title: &'static str,
    message: String,
}

/// Renders every error response that has no page of its own (an [`AppError`], or actix's
/// answer to an unknown route) as a page in the layout. Pages a handler rendered itself (a
/// form shown again with its error) and JSON or plain-text answers (the webhook route, the
/// sandbox's API) are left as they are.
pub fn render_error_page<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_none_or(|ct| ct.to_str().is_ok_and(|ct| ct.starts_with("text/html")));
    let has_no_page = res.response().error().is_some()
        || matches!(
            res.response().body().size(),
            BodySize::None | BodySize::Sized(0)
        );
    if !is_html || !has_no_page {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let retry_after = res.headers().get(header::RETRY_AFTER).cloned();
    let (title, message) = match res
        .response()
        .error()
        .and_then(|e| e.as_error::<AppError>())
    {
        Some(app_error) => app_error.page_text(),
        None => page_text_for(status),
    };
    let (req, _) = res.into_parts();
    Ok(ErrorHandlerResponse::Future(Box::pin(async move {
        let ctx = PageContext::for_error_page(&req).await;
        let page = ErrorPage {
            ctx,
            status: status.as_u16(),
            title,
            message,
        };
        let mut response = match page.render() {
            Ok(body) => HttpResponse::build(status)
                .content_type(ContentType::html())
                .body(body),
            Err(e) => {
                tracing::error!(error = %e, "rendering the error page failed");
                HttpResponse::build(status).finish()
            }
        };
        if let Some(retry_after) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after);
        }
        Ok(ServiceResponse::new(req, response).map_into_right_body::<B>())
    })))
}
