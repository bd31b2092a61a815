//! Accounts: registration, sign-in, sign-out, changing the password, and resetting a forgotten
//! one by email. Passwords are hashed with argon2id.

mod change_password;
pub mod db;
mod forgot_password;
mod login;
mod logout;
pub mod password;
mod register;
mod reset_password;
pub mod reset_tokens;
mod sign_in;
pub mod strength;
pub mod throttle;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/register", web::get().to(register::register_page))
        .route("/register", web::post().to(register::register))
        .route("/login", web::get().to(login::login_page))
        .route("/login", web::post().to(login::login))
        .route("/logout", web::post().to(logout::logout))
        .route(
            "/account/password",
            web::get().to(change_password::password_page),
        )
        .route(
            "/account/password",
            web::post().to(change_password::change_password),
        )
        .route(
            "/password/forgot",
            web::get().to(forgot_password::forgot_page),
        )
        .route(
            "/password/forgot",
            web::post().to(forgot_password::ask_for_reset),
        )
        .route("/password/reset", web::get().to(reset_password::reset_page))
        .route(
            "/password/reset",
            web::post().to(reset_password::reset_password),
        );
}
