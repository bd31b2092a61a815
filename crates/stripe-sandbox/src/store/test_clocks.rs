//! Test clocks (/billing/testing/test-clocks): a clock's customers live at its frozen time;
//! advancing it runs, in order, what falls due for their subscriptions meanwhile (trial ends,
//! renewals, their payments, failed renewals and retries), then the clock is `ready`.

use serde_json::{Value, json};

use super::billing::TestClock;
use super::{Origin, Store};
use crate::error::ApiError;
use crate::ids::now;

/// Stripe deletes a test clock 30 days after it is made.
const KEPT_SECONDS: i64 = 30 * 24 * 60 * 60;
/// At most this many customers on one clock.
pub const CUSTOMERS_PER_CLOCK: usize = 3;

impl TestClock {
    /// `target` is where an advance is going.
    pub fn to_json(&self, target: Option<i64>) -> Value {
        json!({
            "id": self.id,
            "object": "test_helpers.test_clock",
            "created": self.created,
            "deletes_after": self.deletes_after,
            "frozen_time": self.frozen_time,
            "livemode": false,
            "name": self.name,
            "status": if self.advancing { "advancing" } else { "ready" },
            "status_details": match target {
                Some(t) if self.advancing => json!({ "advancing": { "target_frozen_time": t } }),
                _ => json!({}),
            },
        })
    }
}

impl Store {
    pub fn test_clock(&self, id: &str) -> Result<&TestClock, ApiError> {
        self.billing
            .test_clocks
            .get(id)
            .ok_or_else(|| ApiError::not_found("test_helpers.test_clock", id, "test_clock"))
    }

    pub fn test_clock_json(&self, clock: &TestClock) -> Value {
        clock.to_json(self.billing.clock_targets.get(&clock.id).copied())
    }

    pub fn create_test_clock(
        &mut self,
        frozen_time: i64,
        name: Option<String>,
        origin: &Origin,
    ) -> Value {
        let created = now();
        let clock = TestClock {
            id: crate::ids::new_id("clock"),
            name,
            created,
            frozen_time,
            deletes_after: created + KEPT_SECONDS,
            advancing: false,
        };
        let json = clock.to_json(None);
        self.billing.number(&clock.id);
        self.billing.test_clocks.insert(clock.id.clone(), clock);
        self.emit("test_helpers.test_clock.created", json.clone(), origin);
        json
    }

    pub fn clock_customers(&self, clock: &str) -> Vec<String> {
        self.customers
            .values()
            .filter(|c| c.details.get("test_clock").and_then(Value::as_str) == Some(clock))
            .map(|c| c.id.clone())
            .collect()
    }

    /// The farthest an advance may go: two of the shortest billing interval among the
    /// clock's subscriptions that are still running.
    pub fn advance_limit(&self, clock: &TestClock) -> Option<(i64, String)> {
        self.billing
            .subscriptions
            .values()
            .filter(|s| s.test_clock.as_deref() == Some(clock.id.as_str()) && !s.status.is_final())
            .filter_map(|s| {
                s.items
                    .first()
                    .and_then(|i| self.billing.prices.get(&i.price))
            })
            .filter_map(|p| p.recurring.clone())
            .map(|r| {
                let end = super::subscriptions::period_boundary(
                    clock.frozen_time,
                    &r.interval,
                    r.interval_count,
                    2,
                );
                let words = if r.interval_count == 1 {
                    r.interval.clone()
                } else {
                    format!("{} {}s", r.interval_count, r.interval)
                };
                (end, words)
            })
            .min_by_key(|(end, _)| *end)
    }

    /// Starts advancing a clock to `to` (`test_helpers.test_clock.advancing`); the background
    /// task catches its objects up and makes it `ready`.
    pub fn advance_test_clock(
        &mut self,
        id: &str,
        to: i64,
        origin: &Origin,
    ) -> Result<Value, ApiError> {
        let clock = self.test_clock(id)?.clone();
        if clock.advancing {
            return Err(ApiError::invalid(
                "The test clock is currently advancing. Wait until its status is `ready` before advancing it again.",
            )
            .with_code("test_clock_advancing"));
        }
        if to <= clock.frozen_time {
            return Err(ApiError::param_error(
                "The test clock can only be advanced forward: frozen_time must be after its current frozen_time.",
                "frozen_time",
                None,
            ));
        }
        if let Some((limit, interval)) = self.advance_limit(&clock)
            && to > limit
        {
            return Err(ApiError::param_error(
                format!(
                    "Cannot advance the test clock more than two intervals at a time: its shortest subscription interval is one {interval}, so frozen_time can be at most {limit}."
                ),
                "frozen_time",
                None,
            ));
        }
        if let Some(c) = self.billing.test_clocks.get_mut(id) {
            c.advancing = true;
        }
        self.billing.clock_targets.insert(id.to_string(), to);
        let json = self.test_clock_json(self.test_clock(id)?);
        self.emit("test_helpers.test_clock.advancing", json.clone(), origin);
        Ok(json)
    }

    /// Finishes every advancing clock: what fell due runs at its time, then the clock
    /// reaches its target (`test_helpers.test_clock.ready`).
    pub fn run_advancing_clocks(&mut self, pages: &str) {
        let targets: Vec<(String, i64)> = self
            .billing
            .clock_targets
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        for (id, to) in targets {
            self.run_due_billing(Some(&id), to, pages);
            self.billing.clock_targets.remove(&id);
            let Some(clock) = self.billing.test_clocks.get_mut(&id) else {
                continue;
            };
            clock.frozen_time = to;
            clock.advancing = false;
            let json = clock.to_json(None);
            self.emit("test_helpers.test_clock.ready", json, &Origin::default());
        }
    }

    /// Deletes a clock with the objects on it: its customers, their subscriptions and
    /// invoices (`test_helpers.test_clock.deleted`).
    pub fn delete_test_clock(&mut self, id: &str, origin: &Origin) -> Result<Value, ApiError> {
        let clock = self.test_clock(id)?.clone();
        let customers = self.clock_customers(id);
        for c in &customers {
            self.customers.remove(c);
        }
        self.billing
            .subscriptions
            .retain(|_, s| s.test_clock.as_deref() != Some(id));
        self.billing
            .invoices
            .retain(|_, i| i.test_clock.as_deref() != Some(id));
        self.billing.test_clocks.remove(id);
        self.billing.clock_targets.remove(id);
        self.emit(
            "test_helpers.test_clock.deleted",
            clock.to_json(None),
            origin,
        );
        Ok(json!({ "id": id, "object": "test_helpers.test_clock", "deleted": true }))
    }
}
