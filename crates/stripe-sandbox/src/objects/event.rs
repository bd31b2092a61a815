//! An Event: what happened, with the object as it was then, at the API version async-stripe
//! pins.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::JsonText;

/// One event, with the object as it was when the event happened. The object is kept as text:
/// it never changes, and is read only when the event is listed or retrieved.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    pub type_: String,
    pub created: i64,
    pub object: JsonText,
    pub request_id: Option<String>,
    pub idempotency_key: Option<String>,
    /// Endpoints that have not yet acknowledged it.
    pub pending_webhooks: i64,
    /// For `*.updated` events: the changed fields as they were before (`data.previous_attributes`).
    #[serde(default)]
    pub previous_attributes: Option<JsonText>,
}

impl Event {
    pub fn to_json(&self) -> Value {
        self.json_with(
            self.object.to_value(),
            self.previous_attributes.as_ref().map(JsonText::to_value),
        )
    }

    /// The event's JSON around `object` and `previous_attributes` given as values (those it
    /// keeps as text, or the ones it was just made from).
    pub fn json_with(&self, object: Value, previous_attributes: Option<Value>) -> Value {
        let mut data = json!({ "object": object });
        if let Some(previous) = previous_attributes {
            data["previous_attributes"] = previous;
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
