//! What the browser loads from the sandbox: its index page, the Stripe.js stand-in, the
//! Payment Element iframe, the 3-D Secure challenge page and a demo payment page. Each page
//! sets its own Content-Security-Policy and framing headers, so the shop's defaults do not
//! apply to them.
//!
//! | method | path | |
//! |---|---|---|
//! | GET | `M/` | the index: the test keys (secret key included), the webhook endpoints, the test controls with a `curl` line each, links to the demos |
//! | GET | `M/js/v3/stripe.js` | the Stripe.js stand-in (finds its base URL from its own `src`) |
//! | GET | `M/elements/payment?origin=ORIGIN` | the card iframe (may be framed by ORIGIN) |
//! | GET | `M/assets/{file}` | the iframe's, challenge page's and demo's scripts and styles |
//! | GET | `M/3ds/{challenge}` | the 3-D Secure page ("Complete authentication", "Fail authentication") |
//! | POST | `M/3ds/{challenge}` | `outcome=complete|fail`; then 303 to the intent's `return_url` with `payment_intent`, `payment_intent_client_secret`, `redirect_status` |
//! | GET | `M/3ds/{challenge}?frame=1&origin=ORIGIN` | the same page in Stripe.js's dialog on ORIGIN's page: framable by ORIGIN, and once answered it tells that page (`assets/challenge.js`) instead of redirecting |
//! | GET | `M/c/pay/{session}` | a Checkout Session's hosted page: its lines, the Payment Element for its PaymentIntent (made on the first visit), Stripe's messages, a Back link to `cancel_url` |
//! | GET | `M/c/pay/{session}/done` | where the page goes once paid: 303 to `success_url` (`{CHECKOUT_SESSION_ID}` filled in) when the session is complete, else back to the page |
//! | POST | `M/c/pay/{session}` | a `subscription`-mode session's card form (`number`, `exp`, `cvc`, `postal_code`, `email`): starts the subscription, then 303 to `success_url` |
//! | GET | `M/i/{invoice}` · POST (card form) | an invoice's hosted page (`hosted_invoice_url`): its lines, and a card form that pays it while it is open |
//! | GET | `M/i/{invoice}/pdf` | its PDF (`invoice_pdf`) |
//! | GET | `M/p/session/{session}` · POST (`action=card\|switch\|cancel\|renew`) | a customer portal session's page (`url`): subscriptions, card, plan switch, cancel and renew as its configuration allows, invoices |
//! | GET | `M/_clock` · POST (`customer`, `days`, `hours`) | advance a customer's test clock from a browser |
//! | GET | `M/_demo` | a demo payment page (creates a $20.00 PaymentIntent, €20.00 with `?currency=eur`; confirms with `redirect: 'if_required'`, or `'always'` with `?redirect=always`; 12 a minute in all, the latest 100 kept) |
//! | GET | `M/_demo/return` | where the demo returns |

pub mod challenge;
mod checkout;
mod clock;
pub mod demo;
mod html;
mod index;
mod invoice;
mod pdf;
mod portal;
mod stripe_js;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(index::page))
        .route("/js/v3/stripe.js", web::get().to(stripe_js::stripe_js))
        .route("/elements/payment", web::get().to(stripe_js::elements_page))
        .route("/assets/{file}", web::get().to(stripe_js::asset))
        .service(
            web::resource("/3ds/{challenge}")
                .name(challenge::ROUTE)
                .route(web::get().to(challenge::page))
                .route(web::post().to(challenge::answer)),
        )
        .service(
            web::resource("/c/pay/{session}")
                .route(web::get().to(checkout::page))
                .route(web::post().to(checkout::subscribe)),
        )
        .service(
            web::resource("/i/{invoice}")
                .route(web::get().to(invoice::page))
                .route(web::post().to(invoice::pay)),
        )
        .route("/i/{invoice}/pdf", web::get().to(invoice::pdf))
        .service(
            web::resource("/p/session/{session}")
                .route(web::get().to(portal::page))
                .route(web::post().to(portal::act)),
        )
        .route("/c/pay/{session}/done", web::get().to(checkout::done))
        .service(
            web::resource("/_clock")
                .route(web::get().to(clock::page))
                .route(web::post().to(clock::advance)),
        )
        .route("/_demo", web::get().to(demo::page))
        .route("/_demo/return", web::get().to(demo::returned));
}
