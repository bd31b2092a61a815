//! Disputes, as Stripe runs them in test mode (/testing#disputes, /testing#evidence): the
//! cardholder's bank opens one on a succeeded charge (`charge.dispute.created`, and
//! `charge.dispute.funds_withdrawn` for a chargeback; an inquiry takes no money); evidence
//! `winning_evidence` wins it (`charge.dispute.closed`, `charge.dispute.funds_reinstated`),
//! `losing_evidence` loses it, closing it accepts the loss. A charge with an open chargeback
//! cannot be refunded (`charge_disputed`).

use std::collections::BTreeMap;

use super::{Origin, Store, changed_fields};
use crate::error::ApiError;
use crate::ids::{new_id, now};
use crate::objects::Dispute;

impl Store {
    fn dispute_mut(&mut self, id: &str) -> Result<&mut Dispute, ApiError> {
        self.disputes
            .get_mut(id)
            .ok_or_else(|| ApiError::not_found("dispute", id, "dispute"))
    }

    /// The cardholder's bank disputes a succeeded charge (given directly or as an intent's
    /// latest charge), for `amount` (default: the whole charge).
    pub fn open_dispute(
        &mut self,
        payment_intent: Option<&str>,
        charge: Option<&str>,
        reason: &str,
        inquiry: bool,
        amount: Option<i64>,
        enhanced_eligibility: Option<&str>,
    ) -> Result<Dispute, ApiError> {
        let charge_id = match (charge, payment_intent) {
            (Some(charge), _) => charge.to_owned(),
            (None, Some(pi)) => self.intent(pi)?.latest_charge.clone().ok_or_else(|| {
                ApiError::invalid(format!("PaymentIntent {pi} has no charge to dispute."))
            })?,
            (None, None) => return Err(ApiError::missing_parameter("payment_intent")),
        };
        if !Dispute::REASONS.contains(&reason) {
            return Err(ApiError::param_error(
                format!(
                    "Invalid reason: must be one of {}",
                    Dispute::REASONS.join(", ")
                ),
                "reason",
                None,
            ));
        }
        let charge = self
            .charges
            .get(&charge_id)
            .ok_or_else(|| ApiError::not_found("charge", &charge_id, "charge"))?;
        if !charge.succeeded {
            return Err(ApiError::invalid(format!(
                "Charge {charge_id} did not succeed and cannot be disputed."
            )));
        }
        let amount = amount.unwrap_or(charge.amount);
        if amount <= 0 || amount > charge.amount {
            return Err(ApiError::param_error(
                "The disputed amount must be positive and at most the charge's amount.",
                "amount",
                None,
            ));
        }
        let brand = charge.payment_method_details["card"]["brand"]
            .as_str()
            .unwrap_or("visa")
            .to_owned();
        let mut dispute = Dispute {
            id: new_id("du"),
            amount,
            charge: charge_id.clone(),
            payment_intent: charge.payment_intent.clone(),
            currency: charge.currency.clone(),
            created: now(),
            reason: reason.to_owned(),
            status: if inquiry {
                "warning_needs_response"
            } else {
                "needs_response"
            }
            .to_owned(),
            metadata: BTreeMap::new(),
            evidence: BTreeMap::new(),
            submission_count: 0,
            brand,
            balance_transactions: Vec::new(),
            enhanced_eligibility: enhanced_eligibility.map(str::to_owned),
        };
        if let Some(charge) = self.charges.get_mut(&charge_id) {
            charge.disputed = true;
        }
        let origin = Origin::default();
        self.emit("charge.dispute.created", dispute.to_json(), &origin);
        if !inquiry {
            let withdrawal = dispute.balance_transaction(-amount, "Chargeback withdrawal");
            dispute.balance_transactions.push(withdrawal);
            self.emit("charge.dispute.funds_withdrawn", dispute.to_json(), &origin);
        }
        self.disputes.insert(dispute.id.clone(), dispute.clone());
        Ok(dispute)
    }

    /// `POST /v1/disputes/{id}`: evidence, metadata; submitted unless `submit=false`. In test
    /// mode `uncategorized_text` `winning_evidence` wins and `losing_evidence` loses.
    pub fn update_dispute(
        &mut self,
        id: &str,
        evidence: BTreeMap<String, String>,
        metadata: Option<BTreeMap<String, String>>,
        submit: bool,
        origin: &Origin,
    ) -> Result<Dispute, ApiError> {
        let dispute = self.dispute_mut(id)?;
        if !dispute.is_open() {
            return Err(ApiError::invalid(format!(
                "This dispute is already closed ({}): it can no longer be updated.",
                dispute.status
            )));
        }
        let before = dispute.clone();
        dispute.evidence.extend(evidence);
        if let Some(metadata) = metadata {
            dispute.metadata = metadata;
        }
        let outcome = if submit {
            dispute.submission_count += 1;
            match dispute
                .evidence
                .get("uncategorized_text")
                .map(String::as_str)
            {
                Some("winning_evidence") => Some(true),
                Some("losing_evidence") => Some(false),
                _ => None,
            }
        } else {
            None
        };
        let inquiry = dispute.is_inquiry();
        dispute.status = match (outcome, inquiry, submit) {
            (Some(true), true, _) => "warning_closed",
            (Some(true), false, _) => "won",
            (Some(false), _, _) => "lost",
            (None, true, true) => "warning_under_review",
            (None, false, true) => "under_review",
            (None, _, false) => dispute.status.as_str(),
        }
        .to_owned();
        let won = dispute.status == "won";
        if won {
            let credit = dispute.balance_transaction(dispute.amount, "Chargeback reversal");
            dispute.balance_transactions.push(credit);
        }
        let dispute = dispute.clone();
        let previous = changed_fields(&before.to_json(), &dispute.to_json());
        self.emit_updated(
            "charge.dispute.updated",
            dispute.to_json(),
            previous,
            origin,
        );
        if !dispute.is_open() {
            self.emit("charge.dispute.closed", dispute.to_json(), origin);
        }
        if won {
            self.emit("charge.dispute.funds_reinstated", dispute.to_json(), origin);
        }
        Ok(dispute)
    }

    /// `POST /v1/disputes/{id}/close`: the shop accepts the loss; it cannot be undone.
    pub fn close_dispute(&mut self, id: &str, origin: &Origin) -> Result<Dispute, ApiError> {
        let dispute = self.dispute_mut(id)?;
        if !dispute.is_open() {
            return Err(ApiError::invalid(format!(
                "This dispute is already closed ({}).",
                dispute.status
            )));
        }
        dispute.status = if dispute.is_inquiry() {
            "warning_closed"
        } else {
            "lost"
        }
        .to_owned();
        let dispute = dispute.clone();
        self.emit("charge.dispute.closed", dispute.to_json(), origin);
        Ok(dispute)
    }

    /// An open chargeback on the charge, which blocks refunds.
    pub fn open_chargeback(&self, charge: &str) -> Option<&Dispute> {
        self.disputes
            .values()
            .find(|d| d.charge == charge && d.is_open() && !d.is_inquiry())
    }
}
