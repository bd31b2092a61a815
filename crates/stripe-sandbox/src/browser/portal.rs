//! The customer portal (`M/p/session/{session}`, a portal session's `url`): the customer's
//! subscriptions with what its configuration allows — update the card, switch plan (with
//! the configured proration), cancel (at the period's end or at once, as configured) and
//! renew — its invoices with their links, and a link back to `return_url`. Each action makes
//! the same change, with the same events, as the API call it stands for.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::Value;

use super::html;
use crate::currency::format_amount;
use crate::objects::SubStatus;
use crate::shared::Shared;
use crate::store::subscriptions::{Proration, interval_words, short_date};
use crate::store::{Origin, Store};

const PORTAL_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

struct PlanOption {
    price: String,
    label: String,
}

struct SubRow {
    id: String,
    plan: String,
    status: String,
    note: String,
    can_cancel: bool,
    can_renew: bool,
    options: Vec<PlanOption>,
}

struct InvoiceRow {
    number: String,
    date: String,
    amount: String,
    status: String,
    url: String,
    pdf: String,
}

#[derive(Template)]
#[template(path = "portal.html")]
struct PortalPage {
    email: String,
    card: Option<String>,
    message: Option<String>,
    subscriptions: Vec<SubRow>,
    invoices: Vec<InvoiceRow>,
    update_card: bool,
    invoice_history: bool,
    cancel_now: bool,
    return_url: String,
    action: String,
}

#[derive(Deserialize)]
pub struct PortalForm {
    action: String,
    subscription: Option<String>,
    price: Option<String>,
    number: Option<String>,
    exp: Option<String>,
    cvc: Option<String>,
    postal_code: Option<String>,
}

/// A session is short-lived, as on Stripe: its link must be opened within 5 minutes, and the
/// page then works for an hour (Stripe documents that unvisited sessions expire, not when).
const UNVISITED_SECONDS: i64 = 5 * 60;
const VISIT_SECONDS: i64 = 60 * 60;

/// Whether the session's page may still be used; the first use starts its hour.
fn usable(store: &mut Store, id: &str) -> bool {
    let now = crate::ids::now();
    let Some(created) = store
        .billing
        .portal_sessions
        .get(id)
        .and_then(|s| s["created"].as_i64())
    else {
        return false;
    };
    match store.billing.portal_visits.get(id) {
        Some(first) => now < first + VISIT_SECONDS,
        None if now < created + UNVISITED_SECONDS => {
            store.billing.portal_visits.insert(id.to_string(), now);
            true
        }
        None => false,
    }
}

fn expired() -> HttpResponse {
    HttpResponse::Gone()
        .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
        .body("This portal session has expired. Go back to the shop and open the billing portal again.")
}

fn missing() -> HttpResponse {
    HttpResponse::NotFound()
        .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
        .body("This portal session does not exist.")
}

/// The session and its configuration.
fn session(store: &Store, id: &str) -> Option<(Value, Value)> {
    let session = store.billing.portal_sessions.get(id)?.clone();
    let config = store
        .billing
        .portal_configurations
        .get(session["configuration"].as_str()?)?
        .clone();
    Some((session, config))
}

fn enabled(config: &Value, feature: &str) -> bool {
    config["features"][feature]["enabled"] == Value::Bool(true)
}

fn plan_label(store: &Store, price_id: &str) -> String {
    let Some(price) = store.billing.prices.get(price_id) else {
        return price_id.to_string();
    };
    let name = store
        .billing
        .products
        .get(&price.product)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    format!(
        "{name} — {} / {}",
        format_amount(price.unit_amount, &price.currency),
        interval_words(price)
    )
}

fn render(store: &Store, id: &str, message: Option<String>, status: StatusCode) -> HttpResponse {
    let Some((session, config)) = session(store, id) else {
        return missing();
    };
    let customer_id = session["customer"].as_str().unwrap_or_default();
    let Some(customer) = store.customers.get(customer_id) else {
        return missing();
    };
    let card = customer
        .details
        .get("invoice_settings")
        .and_then(|s| s["default_payment_method"].as_str())
        .and_then(|pm| store.payment_methods.get(pm))
        .map(|pm| {
            format!(
                "Card ending in {}, expires {:02}/{}",
                pm.last4(),
                pm.exp_month,
                pm.exp_year
            )
        });
    let allowed: Vec<String> = config["features"]["subscription_update"]["products"]
        .as_array()
        .map(|products| {
            products
                .iter()
                .flat_map(|p| p["prices"].as_array().cloned().unwrap_or_default())
                .filter_map(|p| p.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut subs: Vec<_> = store
        .billing
        .subscriptions
        .values()
        .filter(|s| s.customer == customer_id && !s.status.is_final())
        .collect();
    subs.sort_by_key(|s| std::cmp::Reverse(s.created));
    let subscriptions = subs
        .into_iter()
        .map(|s| {
            let current = s.items.first().map(|i| i.price.clone()).unwrap_or_default();
            let note = if s.cancel_at_period_end {
                format!("Cancels on {}", short_date(s.current_period_end))
            } else if s.status == SubStatus::Trialing {
                format!("Trial ends on {}", short_date(s.current_period_end))
            } else {
                format!("Renews on {}", short_date(s.current_period_end))
            };
            SubRow {
                id: s.id.clone(),
                plan: plan_label(store, &current),
                status: s.status.as_str().replace('_', " "),
                note,
                can_cancel: enabled(&config, "subscription_cancel") && !s.cancel_at_period_end,
                can_renew: s.cancel_at_period_end,
                options: if enabled(&config, "subscription_update") && !s.cancel_at_period_end {
                    allowed
                        .iter()
                        .filter(|p| **p != current)
                        .filter(|p| {
                            store
                                .billing
                                .prices
                                .get(*p)
                                .is_some_and(|p| p.active && p.currency == s.currency)
                        })
                        .map(|p| PlanOption {
                            price: p.clone(),
                            label: plan_label(store, p),
                        })
                        .collect()
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    let mut invoices: Vec<_> = store
        .billing
        .invoices
        .values()
        .filter(|i| i.customer == customer_id && i.status != crate::objects::InvoiceStatus::Draft)
        .collect();
    invoices.sort_by_key(|i| store.billing.newest_first(i.created, &i.id));
    let invoices = invoices
        .into_iter()
        .map(|i| InvoiceRow {
            number: i.number.clone().unwrap_or_default(),
            date: short_date(i.finalized_at.unwrap_or(i.created)),
            amount: format_amount(i.total(), &i.currency),
            status: i.status.as_str().to_string(),
            url: i.hosted_invoice_url.clone(),
            pdf: i.invoice_pdf.clone(),
        })
        .collect();
    let page = PortalPage {
        email: customer
            .email
            .clone()
            .unwrap_or_else(|| customer.id.clone()),
        card,
        message,
        subscriptions,
        invoices,
        update_card: enabled(&config, "payment_method_update"),
        invoice_history: enabled(&config, "invoice_history"),
        cancel_now: config["features"]["subscription_cancel"]["mode"] == "immediately",
        return_url: session["return_url"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        action: id.to_string(),
    };
    html::page(status, PORTAL_CSP, page.render())
}

pub async fn page(shared: web::Data<Shared>, path: web::Path<String>) -> HttpResponse {
    let mut store = shared.lock();
    if !store.billing.portal_sessions.contains_key(path.as_str()) {
        return missing();
    }
    if !usable(&mut store, &path) {
        return expired();
    }
    render(&store, &path, None, StatusCode::OK)
}

/// One action of the page; it changes only the session customer's own subscriptions, and only
/// as the configuration allows.
pub async fn act(
    shared: web::Data<Shared>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<PortalForm>,
) -> HttpResponse {
    let id = path.into_inner();
    let pages = super::challenge::mount_point(&req);
    let mut store = shared.lock();
    let Some((session, config)) = session(&store, &id) else {
        return missing();
    };
    if !usable(&mut store, &id) {
        return expired();
    }
    let customer = session["customer"].as_str().unwrap_or_default().to_string();
    let origin = Origin::default();
    let own = form
        .subscription
        .as_deref()
        .filter(|s| {
            store
                .billing
                .subscriptions
                .get(*s)
                .is_some_and(|s| s.customer == customer && !s.status.is_final())
        })
        .map(str::to_string);
    let refused = |store: &Store, message: &str| {
        render(
            store,
            &id,
            Some(message.to_string()),
            StatusCode::BAD_REQUEST,
        )
    };
    let result = match form.action.as_str() {
        "card" if enabled(&config, "payment_method_update") => {
            let card = super::invoice::CardForm {
                number: form.number.clone(),
                exp: form.exp.clone(),
                cvc: form.cvc.clone(),
                postal_code: form.postal_code.clone(),
                email: None,
            };
            store
                .replace_default_card(&customer, &card.card(), &origin)
                .map(|()| "Your card was updated.".to_string())
        }
        "cancel" if enabled(&config, "subscription_cancel") => {
            let Some(sub) = own else {
                return refused(&store, "Choose one of your subscriptions.");
            };
            if config["features"]["subscription_cancel"]["mode"] == "immediately" {
                let at = store.customer_now(&customer);
                if let Some(s) = store.billing.subscriptions.get_mut(&sub) {
                    s.cancellation_reason = Some("cancellation_requested".into());
                }
                store.end_subscription(&sub, at, "cancellation_requested", &origin);
                Ok("Your subscription was canceled.".to_string())
            } else {
                store
                    .set_cancel_at_period_end(&sub, true, &origin)
                    .map(|()| {
                        "Your subscription will be canceled at the end of its period.".to_string()
                    })
            }
        }
        "renew" => {
            let Some(sub) = own else {
                return refused(&store, "Choose one of your subscriptions.");
            };
            store
                .set_cancel_at_period_end(&sub, false, &origin)
                .map(|()| "Your subscription was renewed.".to_string())
        }
        "switch" if enabled(&config, "subscription_update") => {
            let Some(sub) = own else {
                return refused(&store, "Choose one of your subscriptions.");
            };
            let price = form.price.clone().unwrap_or_default();
            let allowed = config["features"]["subscription_update"]["products"]
                .as_array()
                .is_some_and(|products| {
                    products.iter().any(|p| {
                        p["prices"]
                            .as_array()
                            .is_some_and(|prices| prices.iter().any(|x| x == price.as_str()))
                    })
                });
            if !allowed || !store.billing.prices.get(&price).is_some_and(|p| p.active) {
                return refused(&store, "This plan cannot be chosen here.");
            }
            let proration =
                match config["features"]["subscription_update"]["proration_behavior"].as_str() {
                    Some("always_invoice") => Proration::AlwaysInvoice,
                    Some("create_prorations") => Proration::CreateProrations,
                    _ => Proration::None,
                };
            let item = store
                .billing
                .subscriptions
                .get(&sub)
                .and_then(|s| s.items.first())
                .map(|i| (i.id.clone(), i.quantity));
            let Some((item, quantity)) = item else {
                return refused(&store, "This subscription has no plan to switch.");
            };
            let at = store.customer_now(&customer);
            store
                .change_items(
                    &sub,
                    vec![(Some(item), price, quantity)],
                    (proration, None),
                    &pages,
                    &origin,
                    None,
                )
                .and_then(|invoice| match invoice {
                    Some(inv) => store.invoice_update_now(&inv, at, &origin),
                    None => Ok(()),
                })
                .map(|()| "Your plan was changed.".to_string())
        }
        _ => return refused(&store, "This action is not available in this portal."),
    };
    match result {
        Ok(message) => render(&store, &id, Some(message), StatusCode::OK),
        Err(e) => {
            let message = e
                .body
                .get("message")
                .and_then(|m| m.as_str())
                .unwrap_or("That did not work.")
                .to_string();
            render(&store, &id, Some(message), e.status)
        }
    }
}
