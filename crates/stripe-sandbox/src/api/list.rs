//! Stripe's list shape and cursor pagination (`limit`, `starting_after`, `ending_before`).

use serde_json::{Value, json};

use crate::error::ApiError;
use crate::params::{Params, ParamsExt};

/// A `created` filter: exact, or a range.
#[derive(Clone, Copy)]
struct Created {
    eq: Option<i64>,
    gt: Option<i64>,
    gte: Option<i64>,
    lt: Option<i64>,
    lte: Option<i64>,
}

pub struct ListQuery {
    pub limit: usize,
    pub starting_after: Option<String>,
    pub ending_before: Option<String>,
    created: Option<Created>,
}

impl ListQuery {
    pub fn from_params(params: &Params) -> Result<ListQuery, ApiError> {
        let limit = match params.int("limit") {
            None => 10,
            Some(l) if (1..=100).contains(&l) => l as usize,
            Some(_) => {
                return Err(ApiError::param_error(
                    "Invalid limit: must be between 1 and 100",
                    "limit",
                    None,
                ));
            }
        };
        if params.contains_key("starting_after") && params.contains_key("ending_before") {
            return Err(ApiError::param_error(
                "You may only specify one of these parameters: ending_before, starting_after.",
                "starting_after",
                None,
            ));
        }
        let created = if let Some(exact) = params.int("created") {
            Some(Created {
                eq: Some(exact),
                gt: None,
                gte: None,
                lt: None,
                lte: None,
            })
        } else {
            params.map("created").map(|m| Created {
                eq: None,
                gt: m.int("gt"),
                gte: m.int("gte"),
                lt: m.int("lt"),
                lte: m.int("lte"),
            })
        };
        Ok(ListQuery {
            limit,
            starting_after: params.str("starting_after").map(str::to_string),
            ending_before: params.str("ending_before").map(str::to_string),
            created,
        })
    }

    pub fn created_matches(&self, t: i64) -> bool {
        let Some(Created {
            eq,
            gt,
            gte,
            lt,
            lte,
        }) = self.created
        else {
            return true;
        };
        eq.is_none_or(|v| t == v)
            && gt.is_none_or(|v| t > v)
            && gte.is_none_or(|v| t >= v)
            && lt.is_none_or(|v| t < v)
            && lte.is_none_or(|v| t <= v)
    }
}

/// `rows` newest first, as (id, object).
pub fn paginate(
    rows: Vec<(String, Value)>,
    q: &ListQuery,
    url: &str,
    kind: &str,
) -> Result<Value, ApiError> {
    let position = |id: &str, param: &str| {
        rows.iter()
            .position(|(r, _)| r == id)
            .ok_or_else(|| ApiError::not_found(kind, id, param))
    };
    let (data, has_more): (Vec<Value>, bool) = if let Some(after) = &q.starting_after {
        let start = position(after, "starting_after")? + 1;
        let rest = &rows[start.min(rows.len())..];
        (
            rest.iter().take(q.limit).map(|(_, v)| v.clone()).collect(),
            rest.len() > q.limit,
        )
    } else if let Some(before) = &q.ending_before {
        let end = position(before, "ending_before")?;
        let newer = &rows[..end];
        let from = newer.len().saturating_sub(q.limit);
        (
            newer[from..].iter().map(|(_, v)| v.clone()).collect(),
            from > 0,
        )
    } else {
        (
            rows.iter().take(q.limit).map(|(_, v)| v.clone()).collect(),
            rows.len() > q.limit,
        )
    };
    Ok(json!({ "object": "list", "data": data, "has_more": has_more, "url": url }))
}
