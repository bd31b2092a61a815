//! Recurring billing as Stripe runs it (/billing/subscriptions/overview,
//! /billing/invoices/subscription): a subscription's periods, its invoices (made, finalized,
//! paid with the customer's default payment method), trials, prorations, cancellation at the
//! period end, failed renewals and their retries. Time is each customer's: its test clock's
//! frozen time, or the real time; [`Store::run_due_billing`] does what has come due.

use serde_json::Value;

use super::billing::{AfterRetries, PendingItem};
use super::payment_intents::Confirm;
use super::payment_methods::PaymentMethodSource;
use super::{Origin, Store, changed_fields};
use crate::error::ApiError;
use crate::ids::{new_id, now, random_string};
use crate::objects::{
    Invoice, InvoiceLine, InvoicePayment, InvoiceStatus, PaymentIntent, Price, SubStatus,
    Subscription, SubscriptionItem,
};

const DAY: i64 = 24 * 60 * 60;
/// A renewal's draft invoice is finalized an hour after it is made.
pub const DRAFT_SECONDS: i64 = 60 * 60;
/// `customer.subscription.trial_will_end` comes three days before a trial ends.
const TRIAL_WILL_END: i64 = 3 * DAY;
/// An `incomplete` subscription whose first invoice is not paid within 23 hours expires.
const INCOMPLETE_SECONDS: i64 = 23 * 60 * 60;
/// The sandbox's stand-in for Smart Retries: a failed renewal is tried again 3, 5 and 7 days
/// after each failed attempt (days 3, 8 and 15); the fourth failure is the last.
pub const RETRY_DAYS: [i64; 3] = [3, 5, 7];

/// How a change of price is prorated (`proration_behavior`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proration {
    CreateProrations,
    None,
    AlwaysInvoice,
}

/// `payment_behavior` of a create or an update (Stripe's names).
#[allow(clippy::enum_variant_names)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentBehavior {
    AllowIncomplete,
    DefaultIncomplete,
    ErrorIfIncomplete,
    PendingIfIncomplete,
}

/// A subscription to make.
pub struct NewSubscription {
    pub customer: String,
    pub items: Vec<(String, u64, std::collections::BTreeMap<String, String>)>,
    pub trial_end: Option<i64>,
    pub default_payment_method: Option<String>,
    pub payment_behavior: PaymentBehavior,
    pub metadata: std::collections::BTreeMap<String, String>,
    pub description: Option<String>,
    pub cancel_at_period_end: bool,
}

/// The end of the `n`th period after `anchor` for `interval` × `count`: months keep the
/// anchor's day where the month has it, else its last day (Jan 31 → Feb 28 → Mar 31).
pub fn period_boundary(anchor: i64, interval: &str, count: i64, n: i64) -> i64 {
    let step = count.saturating_mul(n);
    match interval {
        "day" => anchor + step * DAY,
        "week" => anchor + step * 7 * DAY,
        _ => {
            let months = if interval == "year" { step * 12 } else { step };
            let Ok(start) = time::OffsetDateTime::from_unix_timestamp(anchor) else {
                return anchor;
            };
            let total =
                i64::from(start.year()) * 12 + i64::from(u8::from(start.month())) - 1 + months;
            let year = (total.div_euclid(12)) as i32;
            let month = time::Month::try_from((total.rem_euclid(12) + 1) as u8)
                .unwrap_or(time::Month::January);
            let last = month.length(year);
            let day = start.day().min(last);
            time::Date::from_calendar_date(year, month, day)
                .map(|d| d.with_time(start.time()).assume_utc().unix_timestamp())
                .unwrap_or(anchor)
        }
    }
}

/// "26 Nov 2026", as Stripe writes dates on invoice lines.
pub fn short_date(t: i64) -> String {
    let Ok(d) = time::OffsetDateTime::from_unix_timestamp(t) else {
        return String::new();
    };
    let month = format!("{:?}", d.month());
    format!("{} {} {}", d.day(), &month[..3.min(month.len())], d.year())
}

/// What comes due for a subscription or an invoice, at a time.
#[derive(Debug, Clone)]
enum Due {
    TrialWillEnd(String),
    PeriodEnd(String),
    Finalize(String),
    Retry(String),
    ExpireIncomplete(String),
}

impl Store {
    /// The current time for a customer: its test clock's frozen time, or now.
    pub fn customer_now(&self, customer: &str) -> i64 {
        self.customer_clock(customer)
            .and_then(|c| self.billing.test_clocks.get(&c))
            .map_or_else(now, |c| c.frozen_time)
    }

    /// The test clock a customer was created on.
    pub fn customer_clock(&self, customer: &str) -> Option<String> {
        self.customers
            .get(customer)
            .and_then(|c| c.details.get("test_clock"))
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    /// The payment method a customer's invoices are charged with: the subscription's, else
    /// the customer's `invoice_settings.default_payment_method`.
    fn billing_payment_method(&self, sub: Option<&Subscription>, customer: &str) -> Option<String> {
        sub.and_then(|s| s.default_payment_method.clone())
            .or_else(|| {
                self.customers
                    .get(customer)
                    .and_then(|c| c.details.get("invoice_settings"))
                    .and_then(|s| s.get("default_payment_method"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
    }

    pub fn subscription(&self, id: &str) -> Result<&Subscription, ApiError> {
        self.billing
            .subscriptions
            .get(id)
            .ok_or_else(|| ApiError::not_found("subscription", id, "id"))
    }

    pub fn invoice(&self, id: &str) -> Result<&Invoice, ApiError> {
        self.billing
            .invoices
            .get(id)
            .ok_or_else(|| ApiError::not_found("invoice", id, "invoice"))
    }

    pub fn subscription_json(&self, sub: &Subscription) -> Value {
        sub.to_json(&self.billing.prices)
    }

    /// The invoice's open PaymentIntent's client secret (`confirmation_secret`).
    pub fn invoice_json(&self, inv: &Invoice, payments: bool, secret: bool) -> Value {
        let secret = secret
            .then(|| inv.open_payment())
            .flatten()
            .and_then(|p| self.intents.get(&p.payment_intent))
            .map(|pi| pi.client_secret.clone());
        inv.to_json(payments, secret)
    }

    fn emit_subscription_updated(&mut self, before: &Value, id: &str, origin: &Origin) {
        let Some(sub) = self.billing.subscriptions.get(id) else {
            return;
        };
        let after = self.subscription_json(sub);
        let previous = changed_fields(before, &after);
        if previous.as_object().is_some_and(|m| !m.is_empty()) {
            self.emit_updated("customer.subscription.updated", after, previous, origin);
        }
    }

    fn sub_snapshot(&self, id: &str) -> Value {
        self.billing
            .subscriptions
            .get(id)
            .map(|s| self.subscription_json(s))
            .unwrap_or(Value::Null)
    }

    /// A new invoice for a subscription: a line per item for `[start, end]` (zero during a
    /// trial), then the subscription's pending prorations. Not yet kept.
    fn subscription_invoice(
        &mut self,
        sub_id: &str,
        (start, end): (i64, i64),
        trial: bool,
        billing_reason: &str,
        at: i64,
        pages: &str,
    ) -> Option<Invoice> {
        let sub = self.billing.subscriptions.get(sub_id)?.clone();
        let mut lines = Vec::new();
        for item in &sub.items {
            let price = self.billing.prices.get(&item.price)?;
            let name = self
                .billing
                .products
                .get(&price.product)
                .map(|p| p.name.clone())
                .unwrap_or_default();
            let amount = if trial {
                0
            } else {
                price.unit_amount.saturating_mul(item.quantity as i64)
            };
            let description = if trial {
                format!("Trial period for {name}")
            } else {
                format!(
                    "{} × {name} (at {} / {})",
                    item.quantity,
                    crate::currency::format_amount(price.unit_amount, &price.currency),
                    interval_words(price)
                )
            };
            lines.push(InvoiceLine {
                id: new_id("il"),
                amount,
                currency: price.currency.clone(),
                description,
                price: Some(price.id.clone()),
                product: Some(price.product.clone()),
                quantity: item.quantity,
                period_start: start,
                period_end: end,
                proration: false,
                subscription_item: Some(item.id.clone()),
                invoice_item: None,
                subscription: Some(sub.id.clone()),
            });
        }
        let pending: Vec<PendingItem> = self
            .billing
            .pending_items
            .iter()
            .filter(|p| p.subscription == sub.id)
            .cloned()
            .collect();
        self.billing
            .pending_items
            .retain(|p| p.subscription != sub.id);
        // Prorations come first on Stripe's invoices.
        let mut proration_lines: Vec<InvoiceLine> = pending
            .into_iter()
            .map(|p| proration_line(&p, &sub.currency))
            .collect();
        proration_lines.extend(lines);
        Some(self.new_invoice(
            &sub,
            proration_lines,
            (start, end),
            billing_reason,
            at,
            pages,
        ))
    }

    fn new_invoice(
        &self,
        sub: &Subscription,
        lines: Vec<InvoiceLine>,
        (start, end): (i64, i64),
        billing_reason: &str,
        at: i64,
        pages: &str,
    ) -> Invoice {
        let id = format!("in_{}", random_string(24));
        let customer = self.customers.get(&sub.customer);
        Invoice {
            hosted_invoice_url: format!("{pages}i/{id}"),
            invoice_pdf: format!("{pages}i/{id}/pdf"),
            id,
            number: None,
            customer: sub.customer.clone(),
            customer_email: customer.and_then(|c| c.email.clone()),
            customer_name: customer.and_then(|c| c.name.clone()),
            subscription: Some(sub.id.clone()),
            status: InvoiceStatus::Draft,
            created: at,
            period_start: start,
            period_end: end,
            currency: sub.currency.clone(),
            lines,
            billing_reason: billing_reason.to_string(),
            attempt_count: 0,
            attempted: false,
            next_payment_attempt: None,
            amount_paid: 0,
            finalized_at: None,
            paid_at: None,
            voided_at: None,
            marked_uncollectible_at: None,
            automatically_finalizes_at: Some(at + DRAFT_SECONDS),
            payments: Vec::new(),
            test_clock: sub.test_clock.clone(),
            metadata: Default::default(),
            subscription_metadata: sub.metadata.clone(),
            last_payment_error: None,
        }
    }

    fn keep_invoice(&mut self, inv: Invoice, origin: &Origin) -> String {
        let id = inv.id.clone();
        let json = self.invoice_json(&inv, false, false);
        self.billing.number(&id);
        self.billing.invoices.insert(id.clone(), inv);
        self.emit("invoice.created", json, origin);
        id
    }

    /// Finalizes a draft: its number, `open`, `invoice.finalized`. A draft owing nothing is
    /// paid at once.
    fn finalize(&mut self, inv_id: &str, at: i64, origin: &Origin) {
        self.finalize_announced(inv_id, at, origin, true);
    }

    fn finalize_announced(&mut self, inv_id: &str, at: i64, origin: &Origin, announce: bool) {
        let Some(inv) = self.billing.invoices.get(inv_id) else {
            return;
        };
        if inv.status != InvoiceStatus::Draft {
            return;
        }
        let customer = inv.customer.clone();
        let n = self
            .billing
            .invoice_numbers
            .entry(customer.clone())
            .or_insert(0);
        *n += 1;
        let seq = *n;
        let prefix = self
            .customers
            .get(&customer)
            .map(|c| c.to_json())
            .and_then(|c| c["invoice_prefix"].as_str().map(str::to_string))
            .unwrap_or_else(|| "SBX".into());
        let Some(inv) = self.billing.invoices.get_mut(inv_id) else {
            return;
        };
        inv.status = InvoiceStatus::Open;
        inv.number = Some(format!("{prefix}-{seq:04}"));
        inv.finalized_at = Some(at);
        inv.automatically_finalizes_at = None;
        let json = inv.to_json(false, None);
        if announce {
            self.emit("invoice.finalized", json, origin);
        }
    }

    /// Marks an invoice paid (by `pi`, or owing nothing), with Stripe's events:
    /// `invoice_payment.paid`, `invoice.paid`, `invoice.payment_succeeded`; then its
    /// subscription is active again if it was waiting for this payment.
    pub fn settle_invoice(&mut self, inv_id: &str, pi: Option<&str>, at: i64, origin: &Origin) {
        let Some(inv) = self.billing.invoices.get_mut(inv_id) else {
            return;
        };
        if !matches!(
            inv.status,
            InvoiceStatus::Open | InvoiceStatus::Uncollectible
        ) {
            return;
        }
        inv.status = InvoiceStatus::Paid;
        inv.amount_paid = inv.amount_due();
        inv.paid_at = Some(at);
        inv.attempted = true;
        inv.next_payment_attempt = None;
        inv.last_payment_error = None;
        let mut payment = None;
        if let Some(pi) = pi
            && let Some(p) = inv.payments.iter_mut().find(|p| p.payment_intent == pi)
        {
            p.paid_at = Some(at);
            payment = Some(p.to_json(&inv.id, &inv.currency));
        }
        let json = inv.to_json(false, None);
        let sub_id = inv.subscription.clone();
        if let Some(p) = payment {
            self.emit("invoice_payment.paid", p, origin);
        }
        self.emit("invoice.paid", json.clone(), origin);
        self.emit("invoice.payment_succeeded", json, origin);
        if let Some(sub_id) = sub_id {
            let before = self.sub_snapshot(&sub_id);
            if let Some(sub) = self.billing.subscriptions.get_mut(&sub_id)
                && sub.latest_invoice.as_deref() == Some(inv_id)
                && matches!(
                    sub.status,
                    SubStatus::Incomplete | SubStatus::PastDue | SubStatus::Unpaid
                )
            {
                sub.status = SubStatus::Active;
                self.emit_subscription_updated(&before, &sub_id, origin);
            }
        }
    }

    /// Charges an open invoice with the customer's payment method. Returns the decline (or
    /// the missing payment method) as Stripe's error when it failed.
    pub fn attempt_invoice(
        &mut self,
        inv_id: &str,
        at: i64,
        payment_method: Option<String>,
        origin: &Origin,
    ) -> Result<(), ApiError> {
        let inv = self.invoice(inv_id)?.clone();
        if inv.status != InvoiceStatus::Open {
            return Ok(());
        }
        if inv.amount_remaining() == 0 {
            self.settle_invoice(inv_id, None, at, origin);
            return Ok(());
        }
        let sub = inv
            .subscription
            .as_ref()
            .and_then(|s| self.billing.subscriptions.get(s))
            .cloned();
        let pm =
            payment_method.or_else(|| self.billing_payment_method(sub.as_ref(), &inv.customer));
        let Some(pm) = pm else {
            let e = ApiError::invalid(
                "This customer has no attached payment source or default payment method. Please consider adding a default payment method. For more information, visit https://stripe.com/docs/billing/subscriptions/payment-methods-setting#payment-method-priority.",
            );
            self.invoice_payment_failed(inv_id, at, &e, origin);
            return Err(e);
        };
        let pi_id = self.invoice_intent(&inv, origin);
        self.billing.charging = Some(pi_id.clone());
        let result = self.confirm(
            &pi_id,
            Confirm {
                source: PaymentMethodSource::Id(pm),
                return_url: None,
                off_session: true,
                receipt_email: None,
                challenge: (String::new(), String::new()),
                client_view: false,
                require_return_url: false,
                mandate: None,
            },
            origin,
        );
        self.billing.charging = None;
        match result {
            Ok(_)
                if self
                    .intents
                    .get(&pi_id)
                    .is_some_and(|pi| pi.status == crate::objects::Status::Succeeded) =>
            {
                self.settle_invoice(inv_id, Some(&pi_id), at, origin);
                Ok(())
            }
            Ok(_) => {
                let e = ApiError::card(
                    "authentication_required",
                    Some("authentication_required"),
                    "Your card was declined. This transaction requires authentication.",
                );
                self.invoice_payment_failed(inv_id, at, &e, origin);
                Err(e)
            }
            Err(e) => {
                self.invoice_payment_failed(inv_id, at, &e, origin);
                Err(e)
            }
        }
    }

    /// The invoice's open PaymentIntent, or a new one (`payment_intent.created`).
    fn invoice_intent(&mut self, inv: &Invoice, origin: &Origin) -> String {
        if let Some(p) = inv.open_payment()
            && self.intents.get(&p.payment_intent).is_some_and(|pi| {
                !matches!(
                    pi.status,
                    crate::objects::Status::Succeeded | crate::objects::Status::Canceled
                )
            })
        {
            return p.payment_intent.clone();
        }
        let mut pi = PaymentIntent::new(inv.amount_remaining(), inv.currency.clone());
        pi.customer = Some(inv.customer.clone());
        pi.description = Some(
            match inv.billing_reason.as_str() {
                "subscription_create" => "Subscription creation",
                "subscription_update" => "Subscription update",
                _ => "Subscription update",
            }
            .to_string(),
        );
        let pi_id = pi.id.clone();
        self.add_intent(pi, origin);
        if let Some(inv) = self.billing.invoices.get_mut(&inv.id) {
            inv.payments.push(InvoicePayment {
                id: new_id("inpay"),
                payment_intent: pi_id.clone(),
                amount: inv.amount_remaining(),
                created: now(),
                paid_at: None,
                canceled_at: None,
            });
        }
        pi_id
    }

    /// A failed attempt: `invoice.payment_failed`; a renewal's subscription goes `past_due`
    /// and the invoice is retried on the schedule, until the last retry's failure cancels the
    /// subscription or leaves it `unpaid`.
    fn invoice_payment_failed(&mut self, inv_id: &str, at: i64, error: &ApiError, origin: &Origin) {
        let after_retries = self.billing.after_retries;
        let Some(inv) = self.billing.invoices.get_mut(inv_id) else {
            return;
        };
        inv.attempt_count += 1;
        inv.attempted = true;
        inv.last_payment_error = Some(Value::Object(error.body.clone()));
        let renewal = inv.billing_reason != "subscription_create";
        let attempts = inv.attempt_count as usize;
        inv.next_payment_attempt = if renewal {
            RETRY_DAYS.get(attempts - 1).map(|d| at + d * DAY)
        } else {
            None
        };
        let exhausted = renewal && inv.next_payment_attempt.is_none();
        let json = inv.to_json(false, None);
        let sub_id = inv.subscription.clone();
        self.emit("invoice.payment_failed", json, origin);
        let Some(sub_id) = sub_id else { return };
        let before = self.sub_snapshot(&sub_id);
        let Some(sub) = self.billing.subscriptions.get_mut(&sub_id) else {
            return;
        };
        if sub.status.is_final() || sub.latest_invoice.as_deref() != Some(inv_id) {
            return;
        }
        if !renewal {
            return;
        }
        if exhausted {
            match after_retries {
                AfterRetries::Cancel => {
                    self.end_subscription(&sub_id, at, "payment_failed", origin);
                    return;
                }
                AfterRetries::Unpaid => sub.status = SubStatus::Unpaid,
            }
        } else if matches!(sub.status, SubStatus::Active | SubStatus::Trialing) {
            sub.status = SubStatus::PastDue;
        }
        self.emit_subscription_updated(&before, &sub_id, origin);
    }

    /// Ends a subscription now: `canceled`, `customer.subscription.deleted`. Its pending
    /// prorations are dropped.
    pub fn end_subscription(&mut self, sub_id: &str, at: i64, reason: &str, origin: &Origin) {
        let Some(sub) = self.billing.subscriptions.get_mut(sub_id) else {
            return;
        };
        if sub.status.is_final() {
            return;
        }
        sub.status = SubStatus::Canceled;
        sub.ended_at = Some(at);
        if sub.canceled_at.is_none() {
            sub.canceled_at = Some(at);
        }
        if sub.cancellation_reason.is_none() {
            sub.cancellation_reason = Some(reason.to_string());
        }
        let sub_id = sub.id.clone();
        self.billing
            .pending_items
            .retain(|p| p.subscription != sub_id);
        let json = self.sub_snapshot(&sub_id);
        self.emit("customer.subscription.deleted", json, origin);
    }

    /// Makes a subscription (`/v1/subscriptions`, or a Checkout Session), its first invoice
    /// (finalized at once; zero during a trial) and its first payment. Answers the id; with
    /// `error_if_incomplete`, a failed payment is the error and nothing is kept but the
    /// failed PaymentIntent.
    pub fn create_subscription(
        &mut self,
        new: NewSubscription,
        pages: &str,
        origin: &Origin,
    ) -> Result<String, ApiError> {
        self.billing.pages = pages.to_string();
        let at = self.customer_now(&new.customer);
        let prices: Vec<Price> = new
            .items
            .iter()
            .filter_map(|(p, _, _)| self.billing.prices.get(p).cloned())
            .collect();
        let Some(first) = prices.first() else {
            return Err(ApiError::missing_parameter("items"));
        };
        let recurring = first
            .recurring
            .clone()
            .unwrap_or(crate::objects::Recurring {
                interval: "month".into(),
                interval_count: 1,
                trial_period_days: None,
            });
        let trial = new.trial_end.filter(|t| *t > at);
        let (period_end, anchor) = match trial {
            Some(t) => (t, t),
            None => (
                period_boundary(at, &recurring.interval, recurring.interval_count, 1),
                at,
            ),
        };
        let id = new_id("sub");
        let sub = Subscription {
            id: id.clone(),
            customer: new.customer.clone(),
            created: at,
            start_date: at,
            status: if trial.is_some() {
                SubStatus::Trialing
            } else {
                SubStatus::Incomplete
            },
            items: new
                .items
                .iter()
                .map(|(price, quantity, metadata)| SubscriptionItem {
                    id: new_id("si"),
                    price: price.clone(),
                    quantity: *quantity,
                    created: at,
                    metadata: metadata.clone(),
                })
                .collect(),
            currency: first.currency.clone(),
            current_period_start: at,
            current_period_end: period_end,
            billing_cycle_anchor: anchor,
            trial_start: trial.map(|_| at),
            trial_end: trial,
            cancel_at_period_end: new.cancel_at_period_end,
            cancel_at: new.cancel_at_period_end.then_some(period_end),
            canceled_at: new.cancel_at_period_end.then_some(at),
            ended_at: None,
            cancellation_reason: new
                .cancel_at_period_end
                .then(|| "cancellation_requested".to_string()),
            cancellation_comment: None,
            cancellation_feedback: None,
            default_payment_method: new.default_payment_method.clone(),
            latest_invoice: None,
            metadata: new.metadata.clone(),
            description: new.description.clone(),
            test_clock: self.customer_clock(&new.customer),
            trial_will_end_sent: false,
        };
        let pm = self.billing_payment_method(Some(&sub), &sub.customer);
        let mut invoice_amount = sub.period_amount(&self.billing.prices);
        if trial.is_some() {
            invoice_amount = 0;
        }
        if invoice_amount > 0
            && pm.is_none()
            && new.payment_behavior != PaymentBehavior::DefaultIncomplete
        {
            return Err(ApiError::invalid(
                "This customer has no attached payment source or default payment method. Please consider adding a default payment method. For more information, visit https://stripe.com/docs/billing/subscriptions/payment-methods-setting#payment-method-priority.",
            ));
        }
        self.billing.number(&id);
        self.billing.subscriptions.insert(id.clone(), sub);
        let Some(mut inv) = self.subscription_invoice(
            &id,
            (at, period_end),
            trial.is_some(),
            "subscription_create",
            at,
            pages,
        ) else {
            self.billing.subscriptions.remove(&id);
            return Err(ApiError::invalid(
                "The subscription's prices could not be found.",
            ));
        };
        inv.automatically_finalizes_at = None;
        let inv_id = inv.id.clone();
        if let Some(sub) = self.billing.subscriptions.get_mut(&id) {
            sub.latest_invoice = Some(inv_id.clone());
        }
        // The first invoice is charged before anything is announced, so that the
        // subscription is announced in the state its first payment left it in.
        self.billing.number(&inv_id);
        self.billing.invoices.insert(inv_id.clone(), inv);
        self.finalize_quietly(&inv_id, at);
        let outcome = if invoice_amount == 0 {
            if let Some(inv) = self.billing.invoices.get_mut(&inv_id) {
                inv.status = InvoiceStatus::Paid;
                inv.paid_at = Some(at);
                inv.attempted = true;
            }
            Ok(true)
        } else if new.payment_behavior == PaymentBehavior::DefaultIncomplete {
            let inv = self.invoice(&inv_id)?.clone();
            self.invoice_intent(&inv, origin);
            Ok(false)
        } else {
            self.charge_quietly(&inv_id, pm, at, origin)
        };
        if let Err(e) = &outcome
            && new.payment_behavior == PaymentBehavior::ErrorIfIncomplete
        {
            self.billing.subscriptions.remove(&id);
            self.billing.invoices.remove(&inv_id);
            return Err(e.clone());
        }
        let paid = matches!(outcome, Ok(true));
        if let Some(sub) = self.billing.subscriptions.get_mut(&id)
            && paid
            && sub.status == SubStatus::Incomplete
        {
            sub.status = SubStatus::Active;
        }
        let sub_json = self.sub_snapshot(&id);
        self.emit("customer.subscription.created", sub_json, origin);
        if let Some(inv) = self.billing.invoices.get(&inv_id).cloned() {
            let mut draft = inv.clone();
            draft.status = InvoiceStatus::Draft;
            draft.number = None;
            draft.finalized_at = None;
            draft.paid_at = None;
            draft.amount_paid = 0;
            draft.attempt_count = 0;
            draft.attempted = false;
            draft.payments.clear();
            self.emit("invoice.created", draft.to_json(false, None), origin);
            let mut open = inv.clone();
            open.status = InvoiceStatus::Open;
            open.paid_at = None;
            open.amount_paid = 0;
            self.emit("invoice.finalized", open.to_json(false, None), origin);
            if paid {
                if let Some(p) = inv.payments.last() {
                    self.emit(
                        "invoice_payment.paid",
                        p.to_json(&inv.id, &inv.currency),
                        origin,
                    );
                }
                let json = inv.to_json(false, None);
                self.emit("invoice.paid", json.clone(), origin);
                self.emit("invoice.payment_succeeded", json, origin);
            } else if outcome.is_err() {
                self.emit("invoice.payment_failed", inv.to_json(false, None), origin);
            }
        }
        self.schedule_trial_will_end(&id, at, origin);
        Ok(id)
    }

    /// Finalizes without `invoice.finalized` (the caller announces it in order).
    fn finalize_quietly(&mut self, inv_id: &str, at: i64) {
        self.finalize_announced(inv_id, at, &Origin::default(), false);
    }

    /// Charges the first invoice; the PaymentIntent's own events are sent, the invoice's are
    /// left to the caller. `Ok(true)` when paid.
    fn charge_quietly(
        &mut self,
        inv_id: &str,
        pm: Option<String>,
        at: i64,
        origin: &Origin,
    ) -> Result<bool, ApiError> {
        let Some(pm) = pm else {
            return Ok(false);
        };
        let inv = self.invoice(inv_id)?.clone();
        let pi_id = self.invoice_intent(&inv, origin);
        self.billing.charging = Some(pi_id.clone());
        let result = self.confirm(
            &pi_id,
            Confirm {
                source: PaymentMethodSource::Id(pm),
                return_url: None,
                off_session: true,
                receipt_email: None,
                challenge: (String::new(), String::new()),
                client_view: false,
                require_return_url: false,
                mandate: None,
            },
            origin,
        );
        self.billing.charging = None;
        let succeeded = self
            .intents
            .get(&pi_id)
            .is_some_and(|pi| pi.status == crate::objects::Status::Succeeded);
        let Some(inv) = self.billing.invoices.get_mut(inv_id) else {
            return Ok(false);
        };
        inv.attempted = true;
        if succeeded {
            inv.status = InvoiceStatus::Paid;
            inv.amount_paid = inv.amount_due();
            inv.paid_at = Some(at);
            if let Some(p) = inv.payments.iter_mut().find(|p| p.payment_intent == pi_id) {
                p.paid_at = Some(at);
            }
            return Ok(true);
        }
        inv.attempt_count += 1;
        let e = result.err().unwrap_or_else(|| {
            ApiError::card(
                "authentication_required",
                Some("authentication_required"),
                "Your card was declined. This transaction requires authentication.",
            )
        });
        inv.last_payment_error = Some(Value::Object(e.body.clone()));
        Err(e)
    }

    /// `customer.subscription.trial_will_end` right away for a trial shorter than three days.
    fn schedule_trial_will_end(&mut self, sub_id: &str, at: i64, origin: &Origin) {
        let Some(sub) = self.billing.subscriptions.get(sub_id) else {
            return;
        };
        if let Some(end) = sub.trial_end
            && sub.status == SubStatus::Trialing
            && !sub.trial_will_end_sent
            && end - TRIAL_WILL_END <= at
        {
            self.trial_will_end(sub_id, origin);
        }
    }

    fn trial_will_end(&mut self, sub_id: &str, origin: &Origin) {
        let Some(sub) = self.billing.subscriptions.get_mut(sub_id) else {
            return;
        };
        sub.trial_will_end_sent = true;
        let json = self.sub_snapshot(sub_id);
        self.emit("customer.subscription.trial_will_end", json, origin);
    }

    /// The end of a period: the subscription ends if it was to end then; otherwise a new
    /// period starts (a trial's end makes it `active`) with a draft invoice for it,
    /// finalized and charged an hour later.
    fn period_end(&mut self, sub_id: &str, at: i64, pages: &str, origin: &Origin) {
        let Some(sub) = self.billing.subscriptions.get(sub_id).cloned() else {
            return;
        };
        if sub.status.is_final() {
            return;
        }
        if sub.cancel_at.is_some_and(|c| c <= at) || sub.cancel_at_period_end {
            self.end_subscription(sub_id, at, "cancellation_requested", origin);
            return;
        }
        let Some(price) = sub
            .items
            .first()
            .and_then(|i| self.billing.prices.get(&i.price))
            .cloned()
        else {
            return;
        };
        let r = price
            .recurring
            .clone()
            .unwrap_or(crate::objects::Recurring {
                interval: "month".into(),
                interval_count: 1,
                trial_period_days: None,
            });
        let start = sub.current_period_end;
        // Periods count from the anchor, so that month ends stay month ends.
        let mut n = 1;
        let mut end = period_boundary(sub.billing_cycle_anchor, &r.interval, r.interval_count, n);
        while end <= start && n < 100_000 {
            n += 1;
            end = period_boundary(sub.billing_cycle_anchor, &r.interval, r.interval_count, n);
        }
        let before = self.sub_snapshot(sub_id);
        if let Some(s) = self.billing.subscriptions.get_mut(sub_id) {
            s.current_period_start = start;
            s.current_period_end = end;
            if s.status == SubStatus::Trialing {
                s.status = SubStatus::Active;
            }
        }
        let Some(mut inv) =
            self.subscription_invoice(sub_id, (start, end), false, "subscription_cycle", at, pages)
        else {
            return;
        };
        if sub.status == SubStatus::Unpaid {
            // An unpaid subscription's invoices stay drafts (/billing/subscriptions/overview#unpaid).
            inv.automatically_finalizes_at = None;
        }
        let inv_id = inv.id.clone();
        if let Some(s) = self.billing.subscriptions.get_mut(sub_id) {
            s.latest_invoice = Some(inv_id.clone());
        }
        self.emit_subscription_updated(&before, sub_id, origin);
        self.keep_invoice(inv, origin);
    }

    /// A change of items (`/v1/subscriptions/{id}` with `items`, the portal's plan switch):
    /// the new prices from now, with prorations for the rest of the period as Stripe computes
    /// them (the unused time of the old price as a credit, the remaining time of the new one as
    /// a charge, each `amount × remaining / period` rounded). A change of interval starts a new
    /// period now and is invoiced at once.
    pub fn change_items(
        &mut self,
        sub_id: &str,
        items: Vec<(Option<String>, String, u64)>,
        (proration, proration_date): (Proration, Option<i64>),
        pages: &str,
        origin: &Origin,
        before: Option<Value>,
    ) -> Result<Option<Invoice>, ApiError> {
        let sub = self.subscription(sub_id)?.clone();
        let at = self.customer_now(&sub.customer);
        let t = proration_date.unwrap_or(at);
        let old_amounts: Vec<(String, i64, String, String)> = sub
            .items
            .iter()
            .filter_map(|i| {
                let p = self.billing.prices.get(&i.price)?;
                let name = self
                    .billing
                    .products
                    .get(&p.product)
                    .map(|p| p.name.clone())
                    .unwrap_or_default();
                Some((
                    p.id.clone(),
                    p.unit_amount * i.quantity as i64,
                    p.product.clone(),
                    name,
                ))
            })
            .collect();
        let old_interval = sub
            .items
            .first()
            .and_then(|i| self.billing.prices.get(&i.price))
            .and_then(|p| p.recurring.clone());
        let mut new_items = sub.items.clone();
        for (item_id, price, quantity) in &items {
            match item_id
                .as_ref()
                .and_then(|id| new_items.iter_mut().find(|i| &i.id == id))
            {
                Some(item) => {
                    item.price = price.clone();
                    item.quantity = *quantity;
                }
                None => new_items.push(SubscriptionItem {
                    id: new_id("si"),
                    price: price.clone(),
                    quantity: *quantity,
                    created: at,
                    metadata: Default::default(),
                }),
            }
        }
        let new_interval = new_items
            .first()
            .and_then(|i| self.billing.prices.get(&i.price))
            .and_then(|p| p.recurring.clone());
        let interval_changed = old_interval
            .as_ref()
            .map(|r| (&r.interval, r.interval_count))
            != new_interval
                .as_ref()
                .map(|r| (&r.interval, r.interval_count));
        let trialing = sub.status == SubStatus::Trialing;
        let before = before.unwrap_or_else(|| self.sub_snapshot(sub_id));
        let period = (sub.current_period_end - sub.current_period_start).max(1);
        let remaining = (sub.current_period_end - t).clamp(0, period);
        let mut prorations = Vec::new();
        if proration != Proration::None && !trialing && !sub.status.is_final() {
            for (price, amount, product, name) in &old_amounts {
                let credit = -round_share(*amount, remaining, period);
                if credit != 0 {
                    prorations.push(PendingItem {
                        id: new_id("ii"),
                        subscription: sub.id.clone(),
                        amount: credit,
                        description: format!("Unused time on {name} after {}", short_date(t)),
                        price: price.clone(),
                        product: product.clone(),
                        period_start: t,
                        period_end: sub.current_period_end,
                    });
                }
            }
            if !interval_changed {
                for item in &new_items {
                    let Some(p) = self.billing.prices.get(&item.price) else {
                        continue;
                    };
                    let name = self
                        .billing
                        .products
                        .get(&p.product)
                        .map(|p| p.name.clone())
                        .unwrap_or_default();
                    let charge =
                        round_share(p.unit_amount * item.quantity as i64, remaining, period);
                    if charge != 0 {
                        prorations.push(PendingItem {
                            id: new_id("ii"),
                            subscription: sub.id.clone(),
                            amount: charge,
                            description: format!(
                                "Remaining time on {name} after {}",
                                short_date(t)
                            ),
                            price: p.id.clone(),
                            product: p.product.clone(),
                            period_start: t,
                            period_end: sub.current_period_end,
                        });
                    }
                }
            }
        }
        if let Some(s) = self.billing.subscriptions.get_mut(sub_id) {
            s.items = new_items;
            if interval_changed && !trialing {
                let r = new_interval.clone().unwrap_or(crate::objects::Recurring {
                    interval: "month".into(),
                    interval_count: 1,
                    trial_period_days: None,
                });
                s.current_period_start = at;
                s.current_period_end = period_boundary(at, &r.interval, r.interval_count, 1);
                s.billing_cycle_anchor = at;
            }
        }
        self.billing.pending_items.extend(prorations);
        let invoice_now = !trialing
            && !sub.status.is_final()
            && (interval_changed || proration == Proration::AlwaysInvoice);
        let mut invoice = None;
        if invoice_now {
            let (start, end) = {
                let s = self.subscription(sub_id)?;
                (s.current_period_start, s.current_period_end)
            };
            let inv = if interval_changed {
                self.subscription_invoice(
                    sub_id,
                    (start, end),
                    false,
                    "subscription_update",
                    at,
                    pages,
                )
            } else {
                // Only the prorations.
                let lines: Vec<InvoiceLine> = self
                    .billing
                    .pending_items
                    .iter()
                    .filter(|p| p.subscription == sub_id)
                    .map(|p| proration_line(p, &sub.currency))
                    .collect();
                self.billing
                    .pending_items
                    .retain(|p| p.subscription != sub_id);
                let s = self.subscription(sub_id)?.clone();
                (!lines.is_empty()).then(|| {
                    self.new_invoice(&s, lines, (start, end), "subscription_update", at, pages)
                })
            };
            if let Some(inv) = inv {
                if let Some(s) = self.billing.subscriptions.get_mut(sub_id) {
                    s.latest_invoice = Some(inv.id.clone());
                }
                invoice = Some(inv);
            }
        }
        self.emit_subscription_updated(&before, sub_id, origin);
        Ok(invoice)
    }

    /// Announces a change made to a kept subscription (`customer.subscription.updated`).
    pub fn announce_subscription_change(&mut self, before: &Value, sub_id: &str, origin: &Origin) {
        self.emit_subscription_updated(before, sub_id, origin);
    }

    /// Keeps, finalizes and charges an invoice made by an update.
    pub fn invoice_update_now(
        &mut self,
        inv: &Invoice,
        at: i64,
        origin: &Origin,
    ) -> Result<(), ApiError> {
        let inv_id = self.keep_invoice(inv.clone(), origin);
        self.finalize(&inv_id, at, origin);
        self.attempt_invoice(&inv_id, at, None, origin)
    }

    /// Whatever is due at or before `until` for the subscriptions of one test clock (`Some`)
    /// or of customers without one (`None`), in the order it falls due, each at its time.
    pub fn run_due_billing(&mut self, clock: Option<&str>, until: i64, pages: &str) {
        for _ in 0..10_000 {
            let Some((at, due)) = self.next_due(clock, until) else {
                return;
            };
            let origin = Origin::default();
            match due {
                Due::TrialWillEnd(id) => self.trial_will_end(&id, &origin),
                Due::PeriodEnd(id) => self.period_end(&id, at, pages, &origin),
                Due::Finalize(id) => {
                    self.finalize(&id, at, &origin);
                    // A decline is kept on the invoice and announced; nobody waits for it.
                    let _ = self.attempt_invoice(&id, at, None, &origin);
                }
                Due::Retry(id) => {
                    if let Some(inv) = self.billing.invoices.get_mut(&id) {
                        inv.next_payment_attempt = None;
                    }
                    let _ = self.retry_invoice(&id, at, &origin);
                }
                Due::ExpireIncomplete(id) => self.expire_incomplete(&id, at, &origin),
            }
        }
    }

    fn retry_invoice(&mut self, inv_id: &str, at: i64, origin: &Origin) -> Result<(), ApiError> {
        self.attempt_invoice(inv_id, at, None, origin)
    }

    fn expire_incomplete(&mut self, sub_id: &str, at: i64, origin: &Origin) {
        let before = self.sub_snapshot(sub_id);
        let Some(sub) = self.billing.subscriptions.get_mut(sub_id) else {
            return;
        };
        if sub.status != SubStatus::Incomplete {
            return;
        }
        sub.status = SubStatus::IncompleteExpired;
        sub.ended_at = Some(at);
        let inv = sub.latest_invoice.clone();
        if let Some(inv) = inv.and_then(|i| self.billing.invoices.get_mut(&i))
            && inv.status == InvoiceStatus::Open
        {
            inv.status = InvoiceStatus::Void;
            inv.voided_at = Some(at);
            let json = inv.to_json(false, None);
            self.emit("invoice.voided", json, origin);
        }
        self.emit_subscription_updated(&before, sub_id, origin);
    }

    fn next_due(&self, clock: Option<&str>, until: i64) -> Option<(i64, Due)> {
        let mut best: Option<(i64, u8, Due)> = None;
        let mut consider = |at: i64, rank: u8, due: Due| {
            if at <= until && best.as_ref().is_none_or(|(t, r, _)| (at, rank) < (*t, *r)) {
                best = Some((at, rank, due));
            }
        };
        for sub in self.billing.subscriptions.values() {
            if sub.test_clock.as_deref() != clock || sub.status.is_final() {
                continue;
            }
            if sub.status == SubStatus::Incomplete {
                consider(
                    sub.created + INCOMPLETE_SECONDS,
                    3,
                    Due::ExpireIncomplete(sub.id.clone()),
                );
                continue;
            }
            if let Some(end) = sub.trial_end
                && sub.status == SubStatus::Trialing
                && !sub.trial_will_end_sent
            {
                consider(end - TRIAL_WILL_END, 0, Due::TrialWillEnd(sub.id.clone()));
            }
            consider(sub.current_period_end, 1, Due::PeriodEnd(sub.id.clone()));
        }
        for inv in self.billing.invoices.values() {
            if inv.test_clock.as_deref() != clock {
                continue;
            }
            match inv.status {
                InvoiceStatus::Draft => {
                    if let Some(t) = inv.automatically_finalizes_at {
                        consider(t, 2, Due::Finalize(inv.id.clone()));
                    }
                }
                InvoiceStatus::Open => {
                    if let Some(t) = inv.next_payment_attempt {
                        consider(t, 2, Due::Retry(inv.id.clone()));
                    }
                }
                _ => {}
            }
        }
        best.map(|(t, _, d)| (t, d))
    }

    /// A PaymentIntent of an invoice succeeded outside a renewal's own charge (the
    /// subscription's first invoice paid with Stripe.js, the hosted invoice page): the invoice
    /// is paid.
    pub(super) fn follow_invoice_intent(&mut self, type_: &str, object: &Value) {
        if type_ != "payment_intent.succeeded" {
            return;
        }
        let Some(pi) = object["id"].as_str() else {
            return;
        };
        if self.billing.charging.as_deref() == Some(pi) {
            return;
        }
        let inv = self
            .billing
            .invoices
            .values()
            .find(|i| i.payments.iter().any(|p| p.payment_intent == pi))
            .map(|i| (i.id.clone(), i.customer.clone()));
        if let Some((inv, customer)) = inv {
            let at = self.customer_now(&customer);
            self.settle_invoice(&inv, Some(pi), at, &Origin::default());
        }
    }
}

fn round_share(amount: i64, part: i64, whole: i64) -> i64 {
    let exact = amount as i128 * part as i128;
    let whole = whole as i128;
    let rounded = (2 * exact + whole.signum() * whole).div_euclid(2 * whole);
    rounded as i64
}

fn proration_line(p: &PendingItem, currency: &str) -> InvoiceLine {
    InvoiceLine {
        id: new_id("il"),
        amount: p.amount,
        currency: currency.to_string(),
        description: p.description.clone(),
        price: Some(p.price.clone()),
        product: Some(p.product.clone()),
        quantity: 1,
        period_start: p.period_start,
        period_end: p.period_end,
        proration: true,
        subscription_item: None,
        invoice_item: Some(p.id.clone()),
        subscription: Some(p.subscription.clone()),
    }
}

/// "month", "3 months", "year".
pub fn interval_words(price: &Price) -> String {
    match &price.recurring {
        Some(r) if r.interval_count == 1 => r.interval.clone(),
        Some(r) => format!("{} {}s", r.interval_count, r.interval),
        None => "once".into(),
    }
}

impl Store {
    /// Voids an invoice or marks it uncollectible (`invoice.voided`,
    /// `invoice.marked_uncollectible`); retries stop.
    pub fn close_invoice(&mut self, inv_id: &str, to: InvoiceStatus, at: i64, origin: &Origin) {
        let Some(inv) = self.billing.invoices.get_mut(inv_id) else {
            return;
        };
        inv.status = to;
        inv.next_payment_attempt = None;
        let type_ = if to == InvoiceStatus::Void {
            inv.voided_at = Some(at);
            "invoice.voided"
        } else {
            inv.marked_uncollectible_at = Some(at);
            "invoice.marked_uncollectible"
        };
        for p in inv.payments.iter_mut().filter(|p| p.paid_at.is_none()) {
            p.canceled_at.get_or_insert(at);
        }
        let json = inv.to_json(false, None);
        self.emit(type_, json, origin);
    }
}

impl Store {
    /// Cancels at the period's end (`true`) or resumes (`false`), as an update with
    /// `cancel_at_period_end` does (`customer.subscription.updated`).
    pub fn set_cancel_at_period_end(
        &mut self,
        sub_id: &str,
        cancel: bool,
        origin: &Origin,
    ) -> Result<(), ApiError> {
        let sub = self.subscription(sub_id)?.clone();
        if sub.status.is_final() {
            return Err(ApiError::invalid(
                "A canceled subscription can only update its cancellation_details and metadata.",
            ));
        }
        let at = self.customer_now(&sub.customer);
        let before = self.subscription_json(&sub);
        if let Some(s) = self.billing.subscriptions.get_mut(sub_id) {
            s.cancel_at_period_end = cancel;
            s.cancel_at = cancel.then_some(s.current_period_end);
            s.canceled_at = cancel.then_some(at);
            s.cancellation_reason = cancel.then(|| "cancellation_requested".to_string());
        }
        self.emit_subscription_updated(&before, sub_id, origin);
        Ok(())
    }

    /// A new card from the customer portal: attached, made the customer's default for
    /// invoices (`customer.updated`) and the default of its subscriptions that name one; then
    /// the open invoice of a subscription that is `past_due` or `unpaid` is charged again with
    /// it, as Stripe retries when a customer updates a failing payment method.
    pub fn replace_default_card(
        &mut self,
        customer: &str,
        card: &super::payment_methods::CardInput,
        origin: &Origin,
    ) -> Result<(), ApiError> {
        super::payment_methods::check_card(card)?;
        let number: String = card
            .number
            .as_deref()
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if let crate::cards::Behaviour::Declines(d) = crate::cards::behaviour(&number)
            && number != "4000000000000341"
        {
            return Err(ApiError::card(d.code, d.decline_code, d.message));
        }
        let pm = self.add_card(card, Some(customer), origin)?;
        if let Some(mut c) = self.customers.get(customer).cloned() {
            c.details.insert(
                "invoice_settings".into(),
                serde_json::json!({
                    "custom_fields": null, "default_payment_method": pm, "footer": null,
                    "rendering_options": null,
                }),
            );
            self.update_customer(c, origin);
        }
        let subs: Vec<String> = self
            .billing
            .subscriptions
            .values()
            .filter(|s| s.customer == customer && !s.status.is_final())
            .map(|s| s.id.clone())
            .collect();
        for id in &subs {
            let before = self.sub_snapshot(id);
            if let Some(s) = self.billing.subscriptions.get_mut(id)
                && s.default_payment_method.is_some()
            {
                s.default_payment_method = Some(pm.clone());
                self.emit_subscription_updated(&before, id, origin);
            }
        }
        let at = self.customer_now(customer);
        for id in &subs {
            let Some(s) = self.billing.subscriptions.get(id) else {
                continue;
            };
            if !matches!(
                s.status,
                SubStatus::PastDue | SubStatus::Unpaid | SubStatus::Incomplete
            ) {
                continue;
            }
            let open = s.latest_invoice.clone().filter(|i| {
                self.billing
                    .invoices
                    .get(i)
                    .is_some_and(|i| i.status == InvoiceStatus::Open)
            });
            if let Some(inv) = open {
                if let Some(i) = self.billing.invoices.get_mut(&inv) {
                    i.next_payment_attempt = None;
                }
                // A decline leaves it as it was; the page shows the subscription's state.
                let _ = self.attempt_invoice(&inv, at, None, origin);
            }
        }
        Ok(())
    }
}
