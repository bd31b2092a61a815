//! Stripe's form encoding: `a=1&metadata[k]=v&expand[]=x&expand[0]=y&card[number]=...`,
//! parsed into a tree and checked against each endpoint's list of parameters.

use std::collections::BTreeMap;

use crate::error::ApiError;

/// One parameter value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Param {
    Str(String),
    Map(BTreeMap<String, Param>),
    List(Vec<Param>),
}

/// The parameters of one request.
pub type Params = BTreeMap<String, Param>;

/// What an endpoint accepts for one parameter.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    Str,
    Int,
    Bool,
    /// A hash with exactly these keys.
    Map(&'static [(&'static str, Shape)]),
    /// A hash of string values with any keys (metadata).
    Dict,
    /// An array of values of the inner shape.
    List(&'static Shape),
    /// An integer, or a range hash `gt`/`gte`/`lt`/`lte` (list filters on `created`).
    IntOrRange,
    /// Anything: accepted as given (parameters the sandbox takes but does not model).
    Any,
}

/// The fields of an endpoint.
pub type Schema = &'static [(&'static str, Shape)];

/// Parses an `application/x-www-form-urlencoded` body or query string.
pub fn parse(raw: &[u8]) -> Result<Params, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(raw)
        .map_err(|_| ApiError::param_error("Invalid request body.", "", None))?;
    let mut out = Params::new();
    for (key, value) in pairs {
        let segments = split_key(&key);
        insert(&mut out, &segments, value, &segments[0])?;
    }
    Ok(out)
}

/// `a[b][]` -> ["a", "b", ""]. A key that does not follow the bracket grammar is kept whole
/// (and later refused as unknown).
fn split_key(key: &str) -> Vec<String> {
    let Some(open) = key.find('[') else {
        return vec![key.to_string()];
    };
    let mut segments = vec![key[..open].to_string()];
    let mut rest = &key[open..];
    while !rest.is_empty() {
        let Some(stripped) = rest.strip_prefix('[') else {
            return vec![key.to_string()];
        };
        let Some(close) = stripped.find(']') else {
            return vec![key.to_string()];
        };
        segments.push(stripped[..close].to_string());
        rest = &stripped[close + 1..];
    }
    segments
}

fn insert(
    map: &mut BTreeMap<String, Param>,
    segments: &[String],
    value: String,
    top: &str,
) -> Result<(), ApiError> {
    let Some((first, rest)) = segments.split_first() else {
        return Ok(());
    };
    if rest.is_empty() {
        map.insert(first.clone(), Param::Str(value));
        return Ok(());
    }
    if rest[0].is_empty() {
        let entry = map
            .entry(first.clone())
            .or_insert_with(|| Param::List(Vec::new()));
        let Param::List(list) = entry else {
            return Err(ApiError::param_error("Invalid array", top, None));
        };
        let tail = &rest[1..];
        if tail.is_empty() {
            list.push(Param::Str(value));
            return Ok(());
        }
        // `a[][x]=1&a[][y]=2`: fill the last hash until a key repeats.
        let reuse = matches!(list.last(), Some(Param::Map(m)) if !m.contains_key(&tail[0]));
        if !reuse {
            list.push(Param::Map(BTreeMap::new()));
        }
        if let Some(Param::Map(m)) = list.last_mut() {
            insert(m, tail, value, top)?;
        }
        return Ok(());
    }
    let entry = map
        .entry(first.clone())
        .or_insert_with(|| Param::Map(BTreeMap::new()));
    match entry {
        Param::Map(m) => insert(m, rest, value, top),
        _ => Err(ApiError::param_error("Invalid hash", top, None)),
    }
}

/// Refuses unknown parameters and values of the wrong type, naming the parameter as Stripe does
/// (`payment_method_data[card][foo]`).
pub fn validate(params: &Params, schema: Schema) -> Result<(), ApiError> {
    validate_map(params, schema, "")
}

fn child_name(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}[{key}]")
    }
}

fn validate_map(map: &Params, schema: Schema, prefix: &str) -> Result<(), ApiError> {
    for (key, value) in map {
        let name = child_name(prefix, key);
        let Some((_, shape)) = schema.iter().find(|(k, _)| k == key) else {
            return Err(ApiError::unknown_parameter(&name));
        };
        validate_value(value, *shape, &name)?;
    }
    Ok(())
}

fn validate_value(value: &Param, shape: Shape, name: &str) -> Result<(), ApiError> {
    match (shape, value) {
        (Shape::Any, _) => Ok(()),
        (Shape::Str, Param::Str(_)) => Ok(()),
        (Shape::Int, Param::Str(s)) => match s.parse::<i64>() {
            Ok(_) => Ok(()),
            Err(_) => Err(ApiError::param_error(
                format!("Invalid integer: {s}"),
                name,
                Some("parameter_invalid_integer"),
            )),
        },
        (Shape::Bool, Param::Str(s)) => match s.as_str() {
            "true" | "false" => Ok(()),
            _ => Err(ApiError::param_error(
                format!("Invalid boolean: {s}"),
                name,
                None,
            )),
        },
        // An empty string unsets a hash (`metadata=`, `shipping=`).
        (Shape::Map(_) | Shape::Dict, Param::Str(s)) if s.is_empty() => Ok(()),
        (Shape::Map(fields), Param::Map(m)) => validate_map(m, fields, name),
        (Shape::Dict, Param::Map(m)) => {
            for (k, v) in m {
                if !matches!(v, Param::Str(_)) {
                    return Err(ApiError::param_error(
                        "Invalid value: metadata values must be strings",
                        &child_name(name, k),
                        None,
                    ));
                }
            }
            Ok(())
        }
        (Shape::List(inner), v) => match as_list(v) {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    validate_value(item, *inner, &format!("{name}[{i}]"))?;
                }
                Ok(())
            }
            None => Err(ApiError::param_error("Invalid array", name, None)),
        },
        (Shape::IntOrRange, Param::Str(_)) => validate_value(value, Shape::Int, name),
        (Shape::IntOrRange, Param::Map(m)) => validate_map(
            m,
            &[
                ("gt", Shape::Int),
                ("gte", Shape::Int),
                ("lt", Shape::Int),
                ("lte", Shape::Int),
            ],
            name,
        ),
        (Shape::Map(_) | Shape::Dict | Shape::IntOrRange, _) => {
            Err(ApiError::param_error("Invalid hash", name, None))
        }
        (Shape::Str | Shape::Int | Shape::Bool, _) => Err(ApiError::param_error(
            format!("Invalid {}: expected a single value", kind_name(shape)),
            name,
            None,
        )),
    }
}

fn kind_name(shape: Shape) -> &'static str {
    match shape {
        Shape::Int => "integer",
        Shape::Bool => "boolean",
        _ => "string",
    }
}

/// An array given as `a[]=..` or `a[0]=..&a[1]=..` (how serde_qs encodes it).
pub fn as_list(value: &Param) -> Option<Vec<Param>> {
    match value {
        Param::List(items) => Some(items.clone()),
        Param::Map(m) => {
            let mut indexed = Vec::with_capacity(m.len());
            for (k, v) in m {
                indexed.push((k.parse::<usize>().ok()?, v.clone()));
            }
            indexed.sort_by_key(|(i, _)| *i);
            Some(indexed.into_iter().map(|(_, v)| v).collect())
        }
        Param::Str(_) => None,
    }
}

/// Typed reads of validated parameters.
pub trait ParamsExt {
    fn str(&self, key: &str) -> Option<&str>;
    fn int(&self, key: &str) -> Option<i64>;
    fn bool(&self, key: &str) -> Option<bool>;
    fn map(&self, key: &str) -> Option<&Params>;
    fn strings(&self, key: &str) -> Vec<String>;
    /// A required string; an empty one is refused as Stripe refuses it.
    fn required_str(&self, key: &str) -> Result<&str, ApiError>;
    /// `Some(None)` when the parameter is the empty string (unset), `Some(Some(v))` when set.
    fn nullable_str(&self, key: &str) -> Option<Option<&str>>;
}

impl ParamsExt for Params {
    fn str(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Param::Str(s)) => Some(s.as_str()),
            _ => None,
        }
    }

    fn int(&self, key: &str) -> Option<i64> {
        self.str(key).and_then(|s| s.parse().ok())
    }

    fn bool(&self, key: &str) -> Option<bool> {
        self.str(key).map(|s| s == "true")
    }

    fn map(&self, key: &str) -> Option<&Params> {
        match self.get(key) {
            Some(Param::Map(m)) => Some(m),
            _ => None,
        }
    }

    fn strings(&self, key: &str) -> Vec<String> {
        self.get(key)
            .and_then(as_list)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|p| match p {
                Param::Str(s) => Some(s),
                _ => None,
            })
            .collect()
    }

    fn required_str(&self, key: &str) -> Result<&str, ApiError> {
        match self.str(key) {
            None => Err(ApiError::missing_parameter(key)),
            Some("") => Err(empty_string(key)),
            Some(s) => Ok(s),
        }
    }

    fn nullable_str(&self, key: &str) -> Option<Option<&str>> {
        self.str(key)
            .map(|s| if s.is_empty() { None } else { Some(s) })
    }
}

/// Stripe's answer to `param=` for a parameter that cannot be unset.
pub fn empty_string(key: &str) -> ApiError {
    ApiError::param_error(
        format!(
            "You passed an empty string for '{key}'. We assume empty values are an attempt to unset a parameter; however '{key}' cannot be unset. You should remove '{key}' from your request or supply a non-empty value."
        ),
        key,
        Some("parameter_invalid_empty"),
    )
}

/// A canonical text of the parameters, to compare idempotent requests.
pub fn fingerprint(method: &str, path: &str, params: &Params) -> Fingerprint {
    Fingerprint::of(&format!("{method} {path} {params:?}"))
}

/// What makes two requests with one idempotency key the same request: a 128-bit FNV-1a hash
/// of the method, path and parameters. Every stored answer keeps one, so it is kept small;
/// FNV, unlike std's hasher, is the same in every build, and the state file keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint(u128);

impl Fingerprint {
    fn of(text: &str) -> Fingerprint {
        const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
        const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
        Fingerprint(text.bytes().fold(OFFSET, |hash, byte| {
            (hash ^ u128::from(byte)).wrapping_mul(PRIME)
        }))
    }
}

impl serde::Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format!("{:032x}", self.0))
    }
}

/// Read from the state file: 32 hex digits, or (written by an older sandbox) the whole text
/// the hash is made of.
impl<'de> serde::Deserialize<'de> for Fingerprint {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let hex = text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit());
        Ok(match u128::from_str_radix(&text, 16) {
            Ok(hash) if hex => Fingerprint(hash),
            _ => Fingerprint::of(&text),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_tells_requests_apart_and_reads_back_from_the_state_file() {
        let params = parse(b"amount=100&metadata[order_id]=42").unwrap_or_default();
        let other = parse(b"amount=101&metadata[order_id]=42").unwrap_or_default();
        let print = fingerprint("POST", "/v1/payment_intents", &params);
        assert_ne!(print, fingerprint("POST", "/v1/payment_intents", &other));
        assert_ne!(print, fingerprint("POST", "/v1/refunds", &params));
        let written = serde_json::to_string(&print).unwrap_or_default();
        assert_eq!(written.len(), 34);
        let read: Result<Fingerprint, _> = serde_json::from_str(&written);
        assert_eq!(read.ok(), Some(print));
        // An older state file kept the text itself.
        let older = serde_json::to_string(&format!("POST /v1/payment_intents {params:?}"))
            .unwrap_or_default();
        let read: Result<Fingerprint, _> = serde_json::from_str(&older);
        assert_eq!(read.ok(), Some(print));
    }

    #[test]
    fn brackets_build_nested_hashes_and_arrays() {
        let p = parse(
            b"amount=100&metadata[order_id]=42&expand[]=a&expand[]=b&pm[card][number]=4242&x[0]=u&x[1]=v",
        )
        .unwrap_or_default();
        assert_eq!(p.int("amount"), Some(100));
        assert_eq!(
            p.map("metadata").and_then(|m| m.str("order_id")),
            Some("42")
        );
        assert_eq!(p.strings("expand"), vec!["a", "b"]);
        assert_eq!(p.strings("x"), vec!["u", "v"]);
        assert_eq!(
            p.map("pm")
                .and_then(|m| m.map("card"))
                .and_then(|c| c.str("number")),
            Some("4242")
        );
    }

    #[test]
    fn unknown_nested_parameters_are_named_with_brackets() {
        const CARD: Schema = &[("number", Shape::Str)];
        const SCHEMA: Schema = &[("pm", Shape::Map(&[("card", Shape::Map(CARD))]))];
        let p = parse(b"pm[card][nope]=1").unwrap_or_default();
        let err = validate(&p, SCHEMA).err().map(|e| e.body["param"].clone());
        assert_eq!(err, Some(serde_json::json!("pm[card][nope]")));
    }
}
