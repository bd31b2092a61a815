//! `POST /logout`.

use actix_web::HttpResponse;

use crate::csrf::{CsrfForm, NoFields};
use crate::page::see_other;
use crate::session::ShopSession;

pub async fn logout(session: ShopSession, CsrfForm(_): CsrfForm<NoFields>) -> HttpResponse {
    session.sign_out();
    see_other("/")
}
