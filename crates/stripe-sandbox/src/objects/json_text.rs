//! JSON kept as compact text instead of a `Value` tree: what the store keeps for a long time
//! and only reads now and then (an event's object, a stored answer) takes a fraction of the
//! memory as text, and one text can be shared where the same JSON is kept twice.

use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

/// Compact JSON text, as `serde_json::to_string` writes it; cloning shares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonText(Arc<str>);

impl JsonText {
    pub fn new(value: &Value) -> JsonText {
        // A `Value` always serialises (its keys are strings).
        JsonText(serde_json::to_string(value).unwrap_or_default().into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value it was made from: the text holds every key and number as written, so it
    /// reads back as an equal `Value`.
    pub fn to_value(&self) -> Value {
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }

    /// The text `serde_json::to_string_pretty` makes of the value it was made from, byte for
    /// byte (the same `Value` is printed the same way).
    pub fn to_pretty(&self) -> String {
        serde_json::to_string_pretty(&self.to_value()).unwrap_or_default()
    }
}

/// Written as the JSON it holds, not re-parsed into a tree first.
impl Serialize for JsonText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw: &RawValue = serde_json::from_str(&self.0).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for JsonText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        Ok(JsonText(raw.get().into()))
    }
}

/// A [`JsonText`] kept in a JSON file as a string holding its text (how the state file has
/// always kept idempotent answers); a pretty text from an older file is made compact.
pub mod as_string {
    use super::*;

    pub fn serialize<S: Serializer>(text: &JsonText, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(text.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<JsonText, D::Error> {
        let text = String::deserialize(deserializer)?;
        let value: Value = serde_json::from_str(&text).map_err(serde::de::Error::custom)?;
        Ok(JsonText::new(&value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        json!({
            "id": "pi_1", "amount": 4599, "negative": -3, "big": u64::MAX,
            "nothing": null, "yes": true, "empty_object": {}, "empty_list": [],
            "nested": [[], {}, [1, [2, {"a": "b"}]], {"k": []}],
            "text": "quotes \" backslash \\ newline \n tab \t control \u{1} unicode é € 😀 </script>",
            "metadata": { "order_id": "9b2f", "zeta": "z", "alpha": "a" },
        })
    }

    #[test]
    fn the_text_reads_back_as_the_same_value_and_the_same_pretty_bytes() {
        let value = sample();
        let text = JsonText::new(&value);
        assert_eq!(text.to_value(), value);
        assert_eq!(
            text.to_pretty(),
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
        assert!(!text.as_str().contains('\n'), "kept compact");
    }

    #[test]
    fn it_is_written_inline_and_as_a_string_and_read_back_from_both() {
        let text = JsonText::new(&sample());
        #[derive(Serialize, Deserialize)]
        struct Both {
            inline: JsonText,
            #[serde(with = "as_string")]
            string: JsonText,
        }
        let file = serde_json::to_string(&Both {
            inline: text.clone(),
            string: text.clone(),
        })
        .unwrap_or_default();
        let back: Both = serde_json::from_str(&file).unwrap_or_else(|e| panic!("{e}: {file}"));
        assert_eq!(back.inline, text);
        assert_eq!(back.string, text);

        let older = json!({
            "inline": sample(),
            "string": serde_json::to_string_pretty(&sample()).unwrap_or_default(),
        })
        .to_string();
        let back: Both = serde_json::from_str(&older).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.string, text, "a pretty text is kept compact");
    }
}
