use actix_web::HttpResponse;

use crate::csrf::{CsrfForm, NoFields};
use crate::session::ShopSession;

pub async fn logout(session: ShopSession, CsrfForm(_): CsrfForm<NoFields>) -> HttpResponse {
    session.sign_out();
    HttpResponse::SeeOther()
        .insert_header(("Location", "/"))
        .finish()
}
