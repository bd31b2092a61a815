//! Headers every response gets unless it set its own (the sandbox's framed card form does).

use actix_web::middleware::DefaultHeaders;

/// `js_origin` is where Stripe.js comes from when it is not the shop's own origin.
pub fn default_headers(js_origin: Option<&str>, https: bool) -> DefaultHeaders {
    let stripe = js_origin.unwrap_or_default();
    // Stripe.js itself talks to its API and frames 3-D Secure pages from these origins.
    let (stripe_connect, stripe_frames) = if stripe == "https://js.stripe.com" {
        (
            "https://api.stripe.com https://m.stripe.network",
            "https://hooks.stripe.com",
        )
    } else {
        ("", "")
    };
    // A form whose answer redirects to Stripe's hosted pages (Checkout, the Billing Portal)
    // navigates there: browsers check that redirect against `form-action` too. A standalone
    // sandbox serves those pages on its own origin, Stripe.js's.
    let stripe_pages = if stripe == "https://js.stripe.com" {
        "https://checkout.stripe.com https://billing.stripe.com"
    } else {
        stripe
    };
    let csp = format!(
        "default-src 'self'; script-src 'self' {stripe}; frame-src 'self' {stripe} {stripe_frames}; \
         connect-src 'self' {stripe} {stripe_connect}; img-src 'self' data:; style-src 'self'; \
         font-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self' {stripe_pages}; base-uri 'self'"
    );
    let csp = csp.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut headers = DefaultHeaders::new()
        .add(("Content-Security-Policy", csp))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
        .add(("X-Frame-Options", "DENY"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=()",
        ));
    if https {
        headers = headers.add(("Strict-Transport-Security", "max-age=31536000"));
    }
    headers
}

/// The scheme, host and port of a URL (`https://js.stripe.com/v3/` gives `https://js.stripe.com`);
/// `None` for a path on the shop's own origin.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then(|| format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::origin_of;

    #[test]
    fn finds_the_origin_of_stripe_js() {
        assert_eq!(
            origin_of("https://js.stripe.com/v3/").as_deref(),
            Some("https://js.stripe.com")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:12111/js/v3/stripe.js").as_deref(),
            Some("http://127.0.0.1:12111")
        );
        assert_eq!(origin_of("/_sandbox/js/v3/stripe.js"), None);
    }
}
