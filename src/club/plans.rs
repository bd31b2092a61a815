//! The shop's plan table: what Storefront Club costs, per month or per year, and its trial.
//! Stripe's Products and Prices are made from it (found by lookup key, made when missing or
//! changed, never by hand), on start-up or first use, and kept here once known.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Mutex;

use crate::domain::{Currency, Money};
use crate::payments::stripe::PlanPrice;
use crate::payments::{GatewayError, Payments};

pub const PRODUCT_NAME: &str = "Storefront Club";

/// Days of free trial for a first membership.
pub const TRIAL_DAYS: u32 = 14;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum Plan {
    Monthly,
    Yearly,
}

/// A plan's terms, in the shop's currency.
#[derive(Debug, Clone, Copy)]
pub struct Terms {
    pub plan: Plan,
    pub lookup_key: &'static str,
    /// The price per interval, in minor units of the shop's currency.
    pub amount_minor: i64,
}

/// The plan table.
pub const PLANS: [Terms; 2] = [
    Terms {
        plan: Plan::Monthly,
        lookup_key: "club_monthly",
        amount_minor: 500,
    },
    Terms {
        plan: Plan::Yearly,
        lookup_key: "club_yearly",
        amount_minor: 5000,
    },
];

impl Plan {
    pub const ALL: [Plan; 2] = [Plan::Monthly, Plan::Yearly];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Monthly => "monthly",
            Self::Yearly => "yearly",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Monthly => "Monthly",
            Self::Yearly => "Yearly",
        }
    }

    /// "month" or "year", as a price is said ("$5.00 a month").
    pub fn per(self) -> &'static str {
        match self {
            Self::Monthly => "month",
            Self::Yearly => "year",
        }
    }

    pub fn terms(self) -> Terms {
        match self {
            Self::Monthly => PLANS[0],
            Self::Yearly => PLANS[1],
        }
    }

    pub fn other(self) -> Self {
        match self {
            Self::Monthly => Self::Yearly,
            Self::Yearly => Self::Monthly,
        }
    }

    /// The plan a Stripe price is for, by its interval.
    pub fn of_price(price: &stripe_shared::Price) -> Option<Self> {
        use stripe_shared::RecurringInterval as I;
        let recurring = price.recurring.as_ref()?;
        match (&recurring.interval, recurring.interval_count) {
            (I::Month, 1) => Some(Self::Monthly),
            (I::Year, 1) => Some(Self::Yearly),
            _ => None,
        }
    }

    /// What `amount_minor` a period comes to per month, for MRR (a year's price ÷ 12).
    pub fn monthly_equivalent(self, amount_minor: i64) -> i64 {
        match self {
            Self::Monthly => amount_minor,
            Self::Yearly => amount_minor / 12,
        }
    }
}

impl Terms {
    pub fn price(&self, currency: Currency) -> Money {
        Money::new(self.amount_minor, currency)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown plan")]
pub struct UnknownPlan;

impl FromStr for Plan {
    type Err = UnknownPlan;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or(UnknownPlan)
    }
}

crate::domain::sql::text_column!(Plan, "plan");

/// The Stripe price of each plan, once found or made.
pub struct PlanPrices {
    currency: Currency,
    /// Each plan's (price, product).
    known: Mutex<HashMap<Plan, (String, String)>>,
    portal: Mutex<Option<String>>,
}

impl PlanPrices {
    pub fn new(currency: Currency) -> Self {
        Self {
            currency,
            known: Mutex::new(HashMap::new()),
            portal: Mutex::new(None),
        }
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The Stripe price id of `plan`: found by its lookup key or made from the table.
    pub async fn price_id(&self, payments: &Payments, plan: Plan) -> Result<String, GatewayError> {
        Ok(self.price_and_product(payments, plan).await?.0)
    }

    async fn price_and_product(
        &self,
        payments: &Payments,
        plan: Plan,
    ) -> Result<(String, String), GatewayError> {
        if let Some(known) = self.known.lock().ok().and_then(|k| k.get(&plan).cloned()) {
            return Ok(known);
        }
        let terms = plan.terms();
        let keys: Vec<&str> = PLANS.iter().map(|t| t.lookup_key).collect();
        let price = payments
            .plan_price(
                &PlanPrice {
                    lookup_key: terms.lookup_key,
                    product_name: PRODUCT_NAME,
                    nickname: plan.label(),
                    amount: terms.amount_minor,
                    currency: self.currency,
                    yearly: plan == Plan::Yearly,
                },
                &keys,
            )
            .await?;
        let found = (
            price.id.as_str().to_owned(),
            price.product.id().as_str().to_owned(),
        );
        if let Ok(mut known) = self.known.lock() {
            known.insert(plan, found.clone());
        }
        Ok(found)
    }

    /// The Billing Portal configuration that offers the plans (found or made once).
    pub async fn portal_configuration(
        &self,
        payments: &Payments,
        return_url: &str,
    ) -> Result<String, GatewayError> {
        if let Some(id) = self.portal.lock().ok().and_then(|p| p.clone()) {
            return Ok(id);
        }
        let mut prices = Vec::new();
        let mut product = String::new();
        for plan in Plan::ALL {
            let (price, of) = self.price_and_product(payments, plan).await?;
            prices.push(price);
            product = of;
        }
        let id = payments
            .portal_configuration(&product, &prices, return_url)
            .await?;
        if let Ok(mut portal) = self.portal.lock() {
            *portal = Some(id.clone());
        }
        Ok(id)
    }
}
