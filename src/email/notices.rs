//! Order notices are written when they are first sent, from the order as it is then (its lines
//! never change) and the facts the outbox row kept from when it was decided.

use diesel_async::AsyncPgConnection;

use super::messages;
use super::transport::SendError;
use crate::domain::Money;
use crate::orders::{OrderSummary, db as orders_db};
use crate::outbox::{ClubFacts, FailureFacts, Kind, Mail, RefundFacts, Written};

pub(super) async fn write(
    conn: &mut AsyncPgConnection,
    mail: &Mail,
    base_url: &str,
) -> Result<Written, SendError> {
    if matches!(mail.kind, Kind::ClubTrialEnding | Kind::ClubPaymentFailed) {
        let facts: ClubFacts = serde_json::from_value(mail.facts.clone())
            .map_err(|e| SendError::Permanent(format!("the email's facts: {e}")))?;
        let written = if mail.kind == Kind::ClubTrialEnding {
            messages::club_trial_ending(base_url, &facts)
        } else {
            messages::club_payment_failed(base_url, &facts)
        };
        return written.map_err(|e| SendError::Permanent(format!("writing the email: {e}")));
    }
    let transient =
        |e: diesel::result::Error| SendError::Transient(format!("reading the order: {e}"));
    let Some(order_id) = mail.order_id else {
        return Err(SendError::Permanent(format!(
            "a {} email names no order and was not written when it was queued",
            mail.kind
        )));
    };
    let order = orders_db::find(conn, order_id)
        .await
        .map_err(transient)?
        .ok_or_else(|| SendError::Permanent(format!("order {order_id} does not exist")))?;
    let items = orders_db::items(conn, order_id).await.map_err(transient)?;
    let summary = OrderSummary::of(&order, &items);
    let link = messages::order_link(base_url, order.id);
    let guest = order.user_id.is_none();
    let facts = |e: serde_json::Error| SendError::Permanent(format!("the email's facts: {e}"));
    let written = match mail.kind {
        Kind::OrderConfirmation => messages::order_confirmation(base_url, &summary, &link, guest),
        Kind::PaymentFailed => {
            let facts: FailureFacts = serde_json::from_value(mail.facts.clone()).map_err(facts)?;
            messages::payment_failed(
                base_url,
                &summary,
                &link,
                guest,
                facts.reason.as_deref(),
                order.reserved_until,
            )
        }
        Kind::Refund => {
            let facts: RefundFacts = serde_json::from_value(mail.facts.clone()).map_err(facts)?;
            messages::refund(
                base_url,
                &summary,
                &link,
                Money::new(facts.refunded_minor, order.currency),
                Money::new(facts.total_refunded_minor, order.currency),
            )
        }
        Kind::OrderLookup => messages::order_lookup(base_url, &summary, &link, guest),
        // Written from their facts above, before any order is read.
        Kind::ClubTrialEnding | Kind::ClubPaymentFailed => {
            return Err(SendError::Permanent(
                "a membership email names no order".into(),
            ));
        }
        Kind::PasswordReset => {
            return Err(SendError::Permanent(
                "a password reset is written when it is asked for, and this one was not".into(),
            ));
        }
    };
    written.map_err(|e| SendError::Permanent(format!("writing the email: {e}")))
}
