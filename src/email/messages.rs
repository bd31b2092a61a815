//! The emails the shop sends, each an HTML and a plain-text body from askama templates in
//! `templates/email/` (the `.txt` ones are not HTML-escaped) and a subject. Links are absolute,
//! on `BASE_URL`. No email carries a secret of the shop's or a payment's client secret; the
//! password reset carries its one-time link, which is the point of it.

use askama::Template;
use time::OffsetDateTime;

use crate::domain::Money;
use crate::orders::OrderSummary;
use crate::outbox::{ClubFacts, Written};

const SHOP: &str = "Storefront";

/// "26 Nov 2026, 14:05 UTC".
fn format_time(at: OffsetDateTime) -> String {
    let format =
        time::macros::format_description!("[day] [month repr:short] [year], [hour]:[minute] UTC");
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

/// An order's page, as an email links to it. A guest order's page opens for whoever holds the
/// link (its id is unguessable); an account's asks its owner to sign in.
pub fn order_link(base_url: &str, order_id: uuid::Uuid) -> String {
    format!("{base_url}/orders/{order_id}")
}

macro_rules! email {
    ($name:ident, $html:literal, { $($field:ident : $ty:ty),* $(,)? }) => {
        #[derive(Template)]
        #[template(path = $html)]
        struct $name<'a> {
            shop: &'a str,
            base_url: &'a str,
            subject: &'a str,
            $($field: $ty),*
        }

        impl<'a> $name<'a> {
            fn written(&self, text: impl Template) -> askama::Result<Written> {
                Ok(Written {
                    subject: self.subject.to_owned(),
                    text: text.render()?,
                    html: self.render()?,
                })
            }
        }
    };
}

/// The plain-text twin of an HTML template, with the same fields.
macro_rules! text {
    ($name:ident, $text:literal, { $($field:ident : $ty:ty),* $(,)? }) => {
        #[derive(Template)]
        #[template(path = $text)]
        struct $name<'a> {
            shop: &'a str,
            base_url: &'a str,
            $($field: $ty),*
        }
    };
}

email!(ConfirmationHtml, "email/order_confirmation.html", {
    summary: &'a OrderSummary, link: &'a str, guest: bool,
});
text!(ConfirmationText, "email/order_confirmation.txt", {
    summary: &'a OrderSummary, link: &'a str, guest: bool,
});

/// Sent once an order is paid: its items, its totals and its link.
pub fn order_confirmation(
    base_url: &str,
    summary: &OrderSummary,
    link: &str,
    guest: bool,
) -> askama::Result<Written> {
    let subject = format!("Your order #{} is confirmed", summary.number);
    let text = ConfirmationText {
        shop: SHOP,
        base_url,
        summary,
        link,
        guest,
    };
    ConfirmationHtml {
        shop: SHOP,
        base_url,
        subject: &subject,
        summary,
        link,
        guest,
    }
    .written(text)
}

email!(FailedHtml, "email/payment_failed.html", {
    summary: &'a OrderSummary, link: &'a str, guest: bool, reason: Option<&'a str>, held_until: String,
});
text!(FailedText, "email/payment_failed.txt", {
    summary: &'a OrderSummary, link: &'a str, guest: bool, reason: Option<&'a str>, held_until: String,
});

/// Sent a while after a payment failed, unless the order was paid or cancelled meanwhile.
pub fn payment_failed(
    base_url: &str,
    summary: &OrderSummary,
    link: &str,
    guest: bool,
    reason: Option<&str>,
    held_until: OffsetDateTime,
) -> askama::Result<Written> {
    let subject = format!(
        "Your payment for order #{} did not go through",
        summary.number
    );
    let text = FailedText {
        shop: SHOP,
        base_url,
        summary,
        link,
        guest,
        reason,
        held_until: format_time(held_until),
    };
    FailedHtml {
        shop: SHOP,
        base_url,
        subject: &subject,
        summary,
        link,
        guest,
        reason,
        held_until: format_time(held_until),
    }
    .written(text)
}

email!(RefundHtml, "email/refund.html", {
    summary: &'a OrderSummary, link: &'a str, refunded: Money, total_refunded: Money,
});
text!(RefundText, "email/refund.txt", {
    summary: &'a OrderSummary, link: &'a str, refunded: Money, total_refunded: Money,
});

/// Sent when a refund of the order reaches the shop (the admin's or one made at Stripe).
pub fn refund(
    base_url: &str,
    summary: &OrderSummary,
    link: &str,
    refunded: Money,
    total_refunded: Money,
) -> askama::Result<Written> {
    let subject = format!("A refund of {refunded} for order #{}", summary.number);
    let text = RefundText {
        shop: SHOP,
        base_url,
        summary,
        link,
        refunded,
        total_refunded,
    };
    RefundHtml {
        shop: SHOP,
        base_url,
        subject: &subject,
        summary,
        link,
        refunded,
        total_refunded,
    }
    .written(text)
}

email!(LookupHtml, "email/order_lookup.html", {
    summary: &'a OrderSummary, link: &'a str, guest: bool,
});
text!(LookupText, "email/order_lookup.txt", {
    summary: &'a OrderSummary, link: &'a str, guest: bool,
});

/// Sent when someone asks for the link to an order by its number and this email address.
pub fn order_lookup(
    base_url: &str,
    summary: &OrderSummary,
    link: &str,
    guest: bool,
) -> askama::Result<Written> {
    let subject = format!("The link to your order #{}", summary.number);
    let text = LookupText {
        shop: SHOP,
        base_url,
        summary,
        link,
        guest,
    };
    LookupHtml {
        shop: SHOP,
        base_url,
        subject: &subject,
        summary,
        link,
        guest,
    }
    .written(text)
}

email!(ResetHtml, "email/password_reset.html", {
    link: &'a str, expires_at: String,
});
text!(ResetText, "email/password_reset.txt", {
    link: &'a str, expires_at: String,
});

/// Sent when someone asks to reset the password of an account: its one-time link.
pub fn password_reset(
    base_url: &str,
    link: &str,
    expires_at: OffsetDateTime,
) -> askama::Result<Written> {
    let subject = "Reset your Storefront password";
    let text = ResetText {
        shop: SHOP,
        base_url,
        link,
        expires_at: format_time(expires_at),
    };
    ResetHtml {
        shop: SHOP,
        base_url,
        subject,
        link,
        expires_at: format_time(expires_at),
    }
    .written(text)
}

email!(ClubTrialEndingHtml, "email/club_trial_ending.html", {
    facts: &'a ClubFacts, link: String,
});
text!(ClubTrialEndingText, "email/club_trial_ending.txt", {
    facts: &'a ClubFacts, link: String,
});

/// Sent a few days before a member's free trial ends (Stripe's `trial_will_end`).
pub fn club_trial_ending(base_url: &str, facts: &ClubFacts) -> askama::Result<Written> {
    let subject = "Your Storefront Club trial ends soon";
    let link = format!("{base_url}/account/club");
    let text = ClubTrialEndingText {
        shop: SHOP,
        base_url,
        facts,
        link: link.clone(),
    };
    ClubTrialEndingHtml {
        shop: SHOP,
        base_url,
        subject,
        facts,
        link,
    }
    .written(text)
}

email!(ClubPaymentFailedHtml, "email/club_payment_failed.html", {
    facts: &'a ClubFacts, link: String,
});
text!(ClubPaymentFailedText, "email/club_payment_failed.txt", {
    facts: &'a ClubFacts, link: String,
});

/// Sent when a membership's renewal could not be charged (Stripe's `invoice.payment_failed`).
pub fn club_payment_failed(base_url: &str, facts: &ClubFacts) -> askama::Result<Written> {
    let subject = "Your Storefront Club payment did not go through";
    let link = format!("{base_url}/account/club");
    let text = ClubPaymentFailedText {
        shop: SHOP,
        base_url,
        facts,
        link: link.clone(),
    };
    ClubPaymentFailedHtml {
        shop: SHOP,
        base_url,
        subject,
        facts,
        link,
    }
    .written(text)
}
