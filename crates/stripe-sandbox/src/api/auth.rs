//! Which key a request presents (`Authorization: Bearer`, Basic, or Stripe.js's `key`
//! parameter) and whether it opens this sandbox, with Stripe's answers when it does not.

use actix_web::HttpRequest;
use actix_web::http::header;

use super::context::KeyKind;
use crate::error::ApiError;
use crate::params::{self, Params};
use crate::shared::Shared;

/// The API key of a request: `Authorization: Bearer KEY`, `Basic base64(KEY:)`, or the `key`
/// parameter that Stripe.js sends.
pub fn presented_key(req: &HttpRequest, params: &mut Params) -> Option<String> {
    let from_param = match params.remove("key") {
        Some(params::Param::Str(k)) => Some(k),
        _ => None,
    };
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    if let Some(h) = header {
        if let Some(bearer) = h.strip_prefix("Bearer ") {
            return Some(bearer.trim().to_string());
        }
        if let Some(basic) = h.strip_prefix("Basic ") {
            return decode_basic(basic.trim());
        }
        return Some(h.to_string());
    }
    from_param
}

fn decode_basic(b64: &str) -> Option<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits: u32 = 0;
    let mut nbits = 0;
    let mut out = Vec::new();
    for c in b64.bytes().filter(|&c| c != b'=') {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        bits = (bits << 6) | v;
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
            bits &= (1 << nbits) - 1;
        }
    }
    let text = String::from_utf8(out).ok()?;
    Some(text.split(':').next().unwrap_or("").to_string())
}

/// `sk_test_****************************1234`, as Stripe shows an unknown key.
fn mask(key: &str) -> String {
    let visible_prefix = [
        "sk_test_", "sk_live_", "pk_test_", "pk_live_", "rk_test_", "rk_live_",
    ]
    .iter()
    .find(|p| key.starts_with(*p))
    .map(|p| p.len())
    .unwrap_or(0);
    let chars: Vec<char> = key.chars().collect();
    let n = chars.len();
    let tail_start = n.saturating_sub(4).max(visible_prefix);
    let prefix: String = chars[..visible_prefix.min(n)].iter().collect();
    let tail: String = chars[tail_start..].iter().collect();
    format!(
        "{prefix}{}{tail}",
        "*".repeat(tail_start.saturating_sub(visible_prefix))
    )
}

pub fn authenticate(shared: &Shared, key: Option<String>) -> Result<(KeyKind, String), ApiError> {
    match key {
        None => Err(ApiError::authentication(
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
        )),
        Some(k) if !k.is_empty() && k == shared.secret_key => Ok((KeyKind::Secret, k)),
        Some(k) if !k.is_empty() && k == shared.publishable_key => Ok((KeyKind::Publishable, k)),
        Some(k) if k.is_empty() => Err(ApiError::authentication(
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
        )),
        Some(k) => Err(ApiError::authentication(format!(
            "Invalid API Key provided: {}",
            mask(&k)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn unknown_keys_are_masked_but_for_their_prefix_and_last_four() {
        assert_eq!(mask("sk_test_abcdefgh1234"), "sk_test_********1234");
        assert_eq!(mask("abc"), "abc");
    }
}
