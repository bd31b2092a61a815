//! The HTTP API under `M/v1/`: Stripe's authentication, form parameters, idempotency,
//! errors and headers around each resource's handlers.
//!
//! | method | path | |
//! |---|---|---|
//! | POST | `/v1/payment_intents` | create |
//! | GET | `/v1/payment_intents` | list (`customer`, `limit`, `starting_after`, `ending_before`, `created`) |
//! | GET | `/v1/payment_intents/search` | search (`query` in Stripe's query language: `metadata['k']`, `status`, `currency`, `customer`, `amount`, `created`; `limit`, `page`) |
//! | GET | `/v1/payment_intents/{id}` | retrieve (publishable key + `client_secret` allowed) |
//! | POST | `/v1/payment_intents/{id}` | update |
//! | POST | `/v1/payment_intents/{id}/confirm` | confirm (publishable key + `client_secret` allowed) |
//! | POST | `/v1/payment_intents/{id}/cancel` | cancel |
//! | POST | `/v1/checkout/sessions` · GET `/v1/checkout/sessions` (`status`, `customer`, `payment_intent`, `customer_details[email]`, `created`) · GET `/v1/checkout/sessions/{id}` · GET `/v1/checkout/sessions/{id}/line_items` · POST `/v1/checkout/sessions/{id}/expire` | Checkout Sessions in `payment` mode (the hosted page is `browser/checkout.rs`) |
//! | POST | `/v1/products` · GET `/v1/products` (`active`, `ids[]`, `shippable`, `url`, `created`) · GET `/v1/products/search` · GET/POST `/v1/products/{id}` | products (`default_price_data` makes its price) |
//! | POST | `/v1/prices` · GET `/v1/prices` (`lookup_keys[]`, `active`, `product`, `type`, `currency`, `recurring[interval]`, `created`) · GET `/v1/prices/search` · GET/POST `/v1/prices/{id}` | prices, one-time or recurring; `transfer_lookup_key` |
//! | POST | `/v1/subscriptions` · GET `/v1/subscriptions` (`customer`, `status`, `price`, `test_clock`, `created`) · GET/POST/DELETE `/v1/subscriptions/{id}` | subscriptions: create, retrieve, update (items with prorations, `cancel_at_period_end`), cancel |
//! | GET | `/v1/invoices` (`customer`, `subscription`, `status`) · GET `/v1/invoices/{id}` · GET `/v1/invoices/{id}/lines` · POST `/v1/invoices/{id}/pay`, `/void`, `/mark_uncollectible` | invoices of subscriptions |
//! | GET | `/v1/payment_methods/{id}` · POST `/v1/payment_methods/{id}/attach` | a card attached to a customer |
//! | POST | `/v1/test_helpers/test_clocks` · GET (list) · GET/DELETE `/v1/test_helpers/test_clocks/{id}` · POST `/v1/test_helpers/test_clocks/{id}/advance` | test clocks |
//! | POST | `/v1/billing_portal/configurations` · GET (list: `active`, `is_default`) · GET/POST `/v1/billing_portal/configurations/{id}` · POST `/v1/billing_portal/sessions` | the customer portal (its page is `browser/portal.rs`) |
//! | POST | `/v1/refunds` · GET `/v1/refunds/{id}` · GET `/v1/refunds` | refunds |
//! | POST | `/v1/customers` · GET `/v1/customers/{id}` | customers |
//! | GET | `/v1/events/{id}` · GET `/v1/events` (`type`, `types[]`, `limit`, `starting_after`, `ending_before`, `created`, `delivery_success`) | events |
//! | GET | `/v1/charges/{id}` | charges |
//! | GET | `/v1/disputes` (`charge`, `payment_intent`, ...) · GET/POST `/v1/disputes/{id}` · POST `/v1/disputes/{id}/close` | disputes: list, retrieve, evidence (`winning_evidence`/`losing_evidence` decide it), accept the loss |

mod auth;
mod billing_portal;
mod charges;
mod checkout_sessions;
mod context;
mod customers;
mod disputes;
mod events;
mod expand;
mod invoices;
mod list;
mod payment_intents;
mod payment_methods;
mod prices;
mod products;
mod refunds;
mod request;
mod routes;
mod subscriptions;
mod test_clocks;
mod values;

use actix_web::web;

pub use values::email_is_valid;

/// Registers `/v1/...`: every request goes through [`request::dispatch`].
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/v1/{tail:.*}").to(request::dispatch));
}
