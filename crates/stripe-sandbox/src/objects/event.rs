//! An Event: what happened, with the object as it was then, at the API version async-stripe
//! pins.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// One event, with the object as it was when the event happened.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    pub type_: String,
    pub created: i64,
    pub object: Value,
    pub request_id: Option<String>,
    pub idempotency_key: Option<String>,
    /// Endpoints that have not yet acknowledged it.
    pub pending_webhooks: i64,
    /// For `*.updated` events: the changed fields as they were before (`data.previous_attributes`).
    #[serde(default)]
    pub previous_attributes: Option<Value>,
}

impl Event {
    pub fn to_json(&self) -> Value {
        let mut data = json!({ "object": self.object });
        if let Some(previous) = &self.previous_attributes {
            data["previous_attributes"] = previous.clone();
        }
        json!({
            "id": self.id,
            "object": "event",
            "api_version": crate::versions::pinned(),
            "created": self.created,
            "data": data,
            "livemode": false,
            "pending_webhooks": self.pending_webhooks,
            "request": { "id": self.request_id, "idempotency_key": self.idempotency_key },
            "type": self.type_,
        })
    }
}
