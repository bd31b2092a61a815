//! Stripe's search query language, as far as the sandbox's resources use it:
//! `metadata['order_id']:'42' AND status:'succeeded'`, `amount>1000`, `-currency:'usd'`,
//! `description~'mug'`. Clauses are joined by `AND` or by `OR` (never both), at most ten.
//! A field the resource does not search, or a query outside this grammar, is refused with an
//! `invalid_request_error` as Stripe refuses it.

use crate::error::ApiError;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Equals,
    Contains,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    pub negated: bool,
    /// `metadata['key']` is `Field::Metadata("key")`.
    pub field: Field,
    pub op: Op,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Named(String),
    Metadata(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub clauses: Vec<Clause>,
    /// `true` when the clauses are joined by `OR`.
    pub any: bool,
}

/// What a resource exposes to search: its searchable fields and how to read them.
pub trait Searchable {
    fn text(&self, field: &str) -> Option<String>;
    fn number(&self, field: &str) -> Option<i64>;
    fn metadata(&self, key: &str) -> Option<&str>;
}

fn invalid(query: &str, why: &str) -> ApiError {
    ApiError::param_error(
        format!(
            "Invalid query: {why} (in `{query}`). See https://stripe.com/docs/search#search-query-language."
        ),
        "query",
        None,
    )
}

/// Parses `query` for a resource whose searchable fields are `text_fields` and
/// `number_fields` (and `metadata`).
pub fn parse(
    query: &str,
    resource: &str,
    text_fields: &[&str],
    number_fields: &[&str],
) -> Result<Query, ApiError> {
    let mut rest = query.trim();
    if rest.is_empty() {
        return Err(invalid(query, "the query is empty"));
    }
    let mut clauses = Vec::new();
    let mut joiner: Option<bool> = None;
    loop {
        let (clause, after) = clause(rest, query, resource, text_fields, number_fields)?;
        clauses.push(clause);
        rest = after.trim_start();
        if rest.is_empty() {
            break;
        }
        let any = if let Some(r) = rest.strip_prefix("AND ") {
            rest = r;
            false
        } else if let Some(r) = rest.strip_prefix("OR ") {
            rest = r;
            true
        } else {
            return Err(invalid(query, "clauses are joined by AND or OR"));
        };
        if joiner.is_some_and(|j| j != any) {
            return Err(invalid(query, "AND and OR cannot be used in one query"));
        }
        joiner = Some(any);
        rest = rest.trim_start();
    }
    if clauses.len() > 10 {
        return Err(invalid(query, "a query has at most 10 clauses"));
    }
    Ok(Query {
        clauses,
        any: joiner.unwrap_or(false),
    })
}

fn clause<'a>(
    input: &'a str,
    query: &str,
    resource: &str,
    text_fields: &[&str],
    number_fields: &[&str],
) -> Result<(Clause, &'a str), ApiError> {
    let (negated, input) = match input.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, input),
    };
    let (field, input) = if let Some(rest) = input.strip_prefix("metadata[") {
        let (key, rest) = quoted(rest).ok_or_else(|| invalid(query, "metadata keys are quoted"))?;
        let rest = rest
            .strip_prefix(']')
            .ok_or_else(|| invalid(query, "metadata['key'] needs its closing bracket"))?;
        (Field::Metadata(key), rest)
    } else {
        let end = input
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(input.len());
        let name = &input[..end];
        if name.is_empty() {
            return Err(invalid(query, "a clause starts with a field"));
        }
        if !text_fields.contains(&name) && !number_fields.contains(&name) {
            return Err(ApiError::param_error(
                format!(
                    "Field `{name}` is an unsupported search field for resource `{resource}`. See https://stripe.com/docs/search#query-fields-for-{} for a list of supported fields.",
                    resource.replace('_', "-")
                ),
                "query",
                None,
            ));
        }
        (Field::Named(name.to_owned()), &input[end..])
    };
    let (op, input) = [
        (">=", Op::GreaterOrEqual),
        ("<=", Op::LessOrEqual),
        (">", Op::Greater),
        ("<", Op::Less),
        (":", Op::Equals),
        ("~", Op::Contains),
    ]
    .into_iter()
    .find_map(|(token, op)| input.strip_prefix(token).map(|rest| (op, rest)))
    .ok_or_else(|| invalid(query, "a field is followed by :, ~, >, <, >= or <="))?;
    let numeric = matches!(&field, Field::Named(name) if number_fields.contains(&name.as_str()));
    let (value, rest) = if let Some((text, rest)) = quoted(input) {
        (Value::Text(text), rest)
    } else {
        let end = input.find(char::is_whitespace).unwrap_or(input.len());
        let number = input[..end]
            .parse::<i64>()
            .map_err(|_| invalid(query, "values are quoted strings or numbers"))?;
        (Value::Number(number), &input[end..])
    };
    match (&op, numeric, &value) {
        (Op::Greater | Op::GreaterOrEqual | Op::Less | Op::LessOrEqual, false, _) => {
            return Err(invalid(query, "only numeric fields can be compared"));
        }
        (Op::Contains, _, Value::Text(t)) if t.chars().count() < 3 => {
            return Err(invalid(query, "~ needs at least 3 characters"));
        }
        (Op::Contains, true, _) => {
            return Err(invalid(query, "~ works on text fields"));
        }
        _ => {}
    }
    Ok((
        Clause {
            negated,
            field,
            op,
            value,
        },
        rest,
    ))
}

/// `'text'` or `"text"`, with `\'` and `\"` escapes; the text and what follows.
fn quoted(input: &str) -> Option<(String, &str)> {
    let quote = input.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let mut out = String::new();
    let mut escaped = false;
    for (i, c) in input.char_indices().skip(1) {
        match c {
            _ if escaped => {
                out.push(c);
                escaped = false;
            }
            '\\' => escaped = true,
            c if c == quote => return Some((out, &input[i + 1..])),
            c => out.push(c),
        }
    }
    None
}

impl Query {
    pub fn matches(&self, object: &impl Searchable) -> bool {
        let mut results = self.clauses.iter().map(|c| c.matches(object));
        if self.any {
            results.any(|m| m)
        } else {
            results.all(|m| m)
        }
    }
}

impl Clause {
    fn matches(&self, object: &impl Searchable) -> bool {
        let found = match (&self.field, &self.value) {
            (Field::Metadata(key), Value::Text(want)) => object
                .metadata(key)
                .is_some_and(|v| text_matches(v, want, self.op)),
            (Field::Named(name), Value::Text(want)) => object
                .text(name)
                .is_some_and(|v| text_matches(&v, want, self.op)),
            (Field::Named(name), Value::Number(want)) => {
                object.number(name).is_some_and(|v| match self.op {
                    Op::Equals => v == *want,
                    Op::Greater => v > *want,
                    Op::GreaterOrEqual => v >= *want,
                    Op::Less => v < *want,
                    Op::LessOrEqual => v <= *want,
                    Op::Contains => false,
                })
            }
            (Field::Metadata(_), Value::Number(_)) => false,
        };
        found != self.negated
    }
}

fn text_matches(value: &str, want: &str, op: Op) -> bool {
    match op {
        Op::Equals => value.eq_ignore_ascii_case(want),
        Op::Contains => value.to_lowercase().contains(&want.to_lowercase()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(q: &str) -> Result<Query, ApiError> {
        parse(q, "payment_intents", &["status", "currency"], &["amount"])
    }

    #[test]
    fn metadata_and_fields_are_parsed() {
        let q = parsed("metadata['order_id']:'abc' AND status:\"succeeded\" AND amount>=500")
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(q.clauses.len(), 3);
        assert!(!q.any);
        assert_eq!(q.clauses[0].field, Field::Metadata("order_id".into()));
        assert_eq!(q.clauses[2].op, Op::GreaterOrEqual);
        assert_eq!(q.clauses[2].value, Value::Number(500));
    }

    #[test]
    fn what_stripe_refuses_is_refused() {
        for q in [
            "",
            "nickname:'x'",
            "status:'a' AND currency:'usd' OR status:'b'",
            "status>'a'",
            "status~'ab'",
            "metadata[order_id]:'x'",
            "status:'unterminated",
        ] {
            assert!(parsed(q).is_err(), "{q}");
        }
    }
}
