//! Helpers of `scripts/bench`; they prepare what the load generator replays.
//!
//! - `bench_tool free-port` — prints a free TCP port on 127.0.0.1.
//! - `bench_tool sessions BASE_URL COUNT [PRODUCT_IDS]` — opens COUNT shopper sessions (a `GET /`
//!   each) and, given comma-separated product ids, puts one product in each session's cart (the
//!   products take turns) and visits the cart page as the redirect says; prints one
//!   `cookie<TAB>csrf_token` line per session.
//! - `bench_tool logins BASE_URL COUNT CONCURRENCY` — COUNT wrong-password sign-ins, CONCURRENCY
//!   at a time, each at its own unknown email and with its own `X-Forwarded-For` address (so a
//!   shop that trusts the loopback proxy throttles none of them: every one reaches password
//!   hashing); prints how many got each status.
//! - `bench_tool webhooks SECRET TEMPLATE ORDERS COUNT` — prints COUNT distinct events, one
//!   `event_id<TAB>Stripe-Signature<TAB>payload` line each, signed with SECRET now. TEMPLATE is a
//!   `payment_intent.succeeded` event as Stripe (or the sandbox) sends it; ORDERS has
//!   `order_id<TAB>payment_intent<TAB>total_minor<TAB>currency` lines. The events cycle through
//!   the orders: the first event about an order pays it, the next ones change nothing.

use std::io::Write;

use anyhow::{Context, bail};
use serde_json::{Value, json};
use stripe_webhook::Webhook;

const CONCURRENCY: usize = 32;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| -> anyhow::Result<&str> {
        args.get(i)
            .map(String::as_str)
            .with_context(|| format!("missing argument {i}; see the source for usage"))
    };
    match arg(0)? {
        "free-port" => {
            let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
            println!("{}", listener.local_addr()?.port());
            Ok(())
        }
        "sessions" => {
            let base = arg(1)?.trim_end_matches('/').to_owned();
            let count: usize = arg(2)?.parse().context("COUNT")?;
            let products: Vec<String> = args
                .get(3)
                .map(|ids| ids.split(',').map(str::to_owned).collect())
                .unwrap_or_default();
            sessions(base, count, products).await
        }
        "logins" => {
            let base = arg(1)?.trim_end_matches('/').to_owned();
            let count: usize = arg(2)?.parse().context("COUNT")?;
            let concurrency: usize = arg(3)?.parse().context("CONCURRENCY")?;
            logins(base, count, concurrency).await
        }
        "webhooks" => {
            let count: usize = arg(4)?.parse().context("COUNT")?;
            webhooks(arg(1)?, arg(2)?, arg(3)?, count)
        }
        other => bail!("unknown command {other:?}"),
    }
}

async fn sessions(base: String, count: usize, products: Vec<String>) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut workers = Vec::new();
    for worker in 0..CONCURRENCY {
        let (client, base, products) = (client.clone(), base.clone(), products.clone());
        workers.push(tokio::spawn(async move {
            let mut lines = Vec::new();
            for i in (worker..count).step_by(CONCURRENCY) {
                let product = (!products.is_empty()).then(|| products[i % products.len()].as_str());
                lines.push(one_session(&client, &base, product).await?);
            }
            anyhow::Ok(lines)
        }));
    }
    let mut out = std::io::stdout().lock();
    for worker in workers {
        for (cookie, token) in worker.await?? {
            writeln!(out, "{cookie}\t{token}")?;
        }
    }
    Ok(())
}

async fn one_session(
    client: &reqwest::Client,
    base: &str,
    product: Option<&str>,
) -> anyhow::Result<(String, String)> {
    let response = client.get(format!("{base}/")).send().await?;
    let mut cookie = session_cookie(&response).context("GET / set no session cookie")?;
    let html = response.text().await?;
    let marker = r#"name="csrf_token" value=""#;
    let start = html.find(marker).context("no CSRF token in the page")? + marker.len();
    let end = html[start..].find('"').context("unterminated CSRF token")?;
    let token = html[start..start + end].to_owned();
    if let Some(product) = product {
        let response = client
            .post(format!("{base}/cart/items"))
            .header("Cookie", &cookie)
            .form(&[
                ("csrf_token", token.as_str()),
                ("product_id", product),
                ("quantity", "1"),
            ])
            .send()
            .await?;
        if response.status() != reqwest::StatusCode::SEE_OTHER {
            bail!("adding to the cart answered {}", response.status());
        }
        cookie = session_cookie(&response).context("adding to the cart set no cookie")?;
        // Follow the redirect as a browser does: the cart page shows (and clears) the flash.
        let response = client
            .get(format!("{base}/cart"))
            .header("Cookie", &cookie)
            .send()
            .await?;
        if let Some(updated) = session_cookie(&response) {
            cookie = updated;
        }
    }
    Ok((cookie, token))
}

async fn logins(base: String, count: usize, concurrency: usize) -> anyhow::Result<()> {
    use futures_util::StreamExt;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let (cookie, token) = one_session(&client, &base, None).await?;
    let statuses: Vec<anyhow::Result<u16>> = futures_util::stream::iter(0..count)
        .map(|i| {
            let (client, base, cookie, token) = (&client, &base, &cookie, &token);
            async move {
                let response = client
                    .post(format!("{base}/login"))
                    .header("Cookie", cookie)
                    .header(
                        "X-Forwarded-For",
                        format!("10.{}.{}.{}", i >> 16 & 255, i >> 8 & 255, i & 255),
                    )
                    .form(&[
                        ("csrf_token", token.as_str()),
                        ("email", &format!("nobody{i}@example.com")),
                        ("password", "not the password"),
                    ])
                    .send()
                    .await?;
                Ok(response.status().as_u16())
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let mut counts = std::collections::BTreeMap::new();
    for status in statuses {
        *counts.entry(status?).or_insert(0usize) += 1;
    }
    let summary: Vec<String> = counts.iter().map(|(s, n)| format!("{n}x{s}")).collect();
    println!("{}", summary.join(" "));
    Ok(())
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("storefront_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

fn webhooks(secret: &str, template: &str, orders: &str, count: usize) -> anyhow::Result<()> {
    let template: Value = serde_json::from_str(
        &std::fs::read_to_string(template).with_context(|| format!("reading {template}"))?,
    )
    .context("the template is not JSON")?;
    let orders: Vec<Vec<String>> = std::fs::read_to_string(orders)
        .with_context(|| format!("reading {orders}"))?
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect();
    if orders.is_empty() {
        bail!("no orders to send events about");
    }
    let run = uuid::Uuid::new_v4().simple().to_string();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for i in 0..count {
        let [order_id, intent, total, currency] = orders[i % orders.len()].as_slice() else {
            bail!("an order line does not have four fields");
        };
        let total: i64 = total.parse().context("total_minor")?;
        let id = format!("evt_bench{}_{i:07}", &run[..8]);
        let mut event = template.clone();
        event["id"] = json!(id);
        event["type"] = json!("payment_intent.succeeded");
        let object = &mut event["data"]["object"];
        object["id"] = json!(intent);
        object["amount"] = json!(total);
        object["amount_received"] = json!(total);
        object["currency"] = json!(currency);
        object["status"] = json!("succeeded");
        object["metadata"] = json!({ "order_id": order_id });
        object["client_secret"] = json!(format!("{intent}_secret_bench"));
        let payload = serde_json::to_string(&event)?;
        let signature = Webhook::generate_test_header(&payload, secret, None);
        writeln!(out, "{id}\t{signature}\t{payload}")?;
    }
    out.flush()?;
    Ok(())
}
