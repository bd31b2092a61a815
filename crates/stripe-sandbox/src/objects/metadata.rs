//! A PaymentIntent's metadata, kept small: every kept PaymentIntent has some (a shop's order
//! id and number), and a `BTreeMap` spends a half-kilobyte node on even two keys.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Key-value pairs sorted by key, as Stripe shows them; written and read as a JSON object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata(Vec<(String, String)>);

impl Metadata {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| self.0[i].1.as_str())
    }

    pub fn to_map(&self) -> BTreeMap<String, String> {
        self.0.iter().cloned().collect()
    }
}

impl From<BTreeMap<String, String>> for Metadata {
    fn from(map: BTreeMap<String, String>) -> Self {
        Metadata(map.into_iter().collect())
    }
}

impl Serialize for Metadata {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl<'de> Deserialize<'de> for Metadata {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        BTreeMap::deserialize(deserializer).map(Metadata::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_is_found_by_key_and_written_as_the_map_it_was_made_from() {
        let map: BTreeMap<String, String> = [("order_number", "7"), ("order_id", "9b2f")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let metadata = Metadata::from(map.clone());
        assert_eq!(metadata.get("order_id"), Some("9b2f"));
        assert_eq!(metadata.get("order_number"), Some("7"));
        assert_eq!(metadata.get("other"), None);
        assert_eq!(metadata.to_map(), map);
        assert_eq!(serde_json::json!(metadata), serde_json::json!(map));
        let back: Result<Metadata, _> = serde_json::from_value(serde_json::json!(map));
        assert_eq!(back.ok(), Some(metadata));
    }
}
