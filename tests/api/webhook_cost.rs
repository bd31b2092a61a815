//! What a distinct signed event costs PostgreSQL, by hand (ignored in the suite). It needs a
//! server of its own that preloads `pg_stat_statements`, with the extension in `template1` (the
//! test's fresh database is made from it); `PG_POSTMASTER_PID` lets it read the server's CPU.
//!
//! ```text
//! D=/tmp/pg-cost; mkdir -p $D; chown postgres $D; B=/usr/lib/postgresql/15/bin
//! runuser -u postgres -- $B/initdb -D $D/data -U postgres --auth=trust -E UTF8
//! runuser -u postgres -- $B/pg_ctl -D $D/data -l $D/log -w -o "-p 54417 \
//!   -c listen_addresses=127.0.0.1 -k $D -c shared_preload_libraries=pg_stat_statements \
//!   -c pg_stat_statements.track=all" start
//! psql postgres://postgres@127.0.0.1:54417/template1 -c 'CREATE EXTENSION pg_stat_statements'
//! TEST_DATABASE_URL=postgres://postgres@127.0.0.1:54417/postgres \
//!   PG_POSTMASTER_PID=$(head -1 $D/data/postmaster.pid) COST_ORDERS=40 COST_CONCURRENCY=4 \
//!   cargo test -p storefront --test api webhook_cost -- --ignored --nocapture
//! ```
//!
//! `track=all` also counts the foreign-key check a statement runs (its time is then counted in
//! both), so the statements per event include it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use diesel_async::RunQueryDsl;
use stripe_webhook::Webhook;

use crate::helpers::spawn_app_with_standalone_sandbox;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// CPU seconds of the PostgreSQL server: the postmaster, its children and its reaped children.
fn postgres_cpu() -> f64 {
    let Some(postmaster) = std::env::var("PG_POSTMASTER_PID").ok() else {
        return 0.0;
    };
    let fields = |pid: &str| -> Option<Vec<String>> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let rest = stat.rsplit_once(") ")?.1;
        Some(rest.split_whitespace().map(str::to_owned).collect())
    };
    // After "pid (comm) ": state=0, ppid=1, utime=11, stime=12, cutime=13, cstime=14.
    let n = |f: &[String], i: usize| f[i].parse::<f64>().unwrap_or(0.0);
    let mut ticks = 0.0;
    if let Some(f) = fields(&postmaster) {
        ticks += n(&f, 11) + n(&f, 12) + n(&f, 13) + n(&f, 14);
    }
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !name.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if let Some(f) = fields(&name)
            && f[1] == postmaster
        {
            ticks += n(&f, 11) + n(&f, 12);
        }
    }
    ticks / 100.0
}

fn own_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(") ").map(|r| r.1).unwrap_or_default();
    let f: Vec<&str> = rest.split_whitespace().collect();
    (f[11].parse::<f64>().unwrap_or(0.0) + f[12].parse::<f64>().unwrap_or(0.0)) / 100.0
}

/// A signed `payment_intent.succeeded` event about the intent.
fn event_json(id: &str, intent: &serde_json::Value, secret: &str) -> (String, String) {
    let payload = serde_json::json!({
        "id": id,
        "object": "event",
        "api_version": stripe_shared::version::VERSION.as_str(),
        "created": time::OffsetDateTime::now_utc().unix_timestamp(),
        "livemode": false,
        "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": null},
        "type": "payment_intent.succeeded",
        "data": {"object": intent}
    })
    .to_string();
    let signature = Webhook::generate_test_header(&payload, secret, None);
    (payload, signature)
}

#[derive(diesel::QueryableByName, Debug)]
struct Stat {
    #[diesel(sql_type = diesel::sql_types::Text)]
    query: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    calls: i64,
    #[diesel(sql_type = diesel::sql_types::Double)]
    ms: f64,
    #[diesel(sql_type = diesel::sql_types::Double)]
    wal_bytes: f64,
}

#[tokio::test]
#[ignore]
async fn webhook_cost() {
    let (app, secret) = spawn_app_with_standalone_sandbox().await;
    let orders = env_or("COST_ORDERS", 5);
    let events = env_or("COST_EVENTS", 2000);
    let concurrency = env_or("COST_CONCURRENCY", 8);

    let mut intents = Vec::new();
    for i in 0..orders {
        let shopper = app.another_browser();
        shopper.add_to_cart("ceramic-pour-over-mug", "1").await;
        let order = shopper.checkout(&format!("cost{i}@example.com")).await;
        let intent = shopper.payment_form(order).await.intent_id();
        let mut object = app.stripe_get(&format!("payment_intents/{intent}")).await;
        object["status"] = "succeeded".into();
        object["amount_received"] = object["amount"].clone();
        // Paid at once: an address holds few unpaid orders.
        let payload = event_json(&format!("evt_pay_{i}"), &object, &secret);
        let response = app.post_webhook(&payload.0, &payload.1).await;
        assert_eq!(response.text().await.unwrap_or_default(), "applied");
        intents.push(object);
    }
    let make = |i: usize| {
        event_json(
            &format!("evt_cost_{i:07}"),
            &intents[i % intents.len()],
            &secret,
        )
    };
    let send = |range: std::ops::Range<usize>| {
        let all: Arc<Vec<_>> = Arc::new(range.map(&make).collect());
        let next = Arc::new(AtomicUsize::new(0));
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..concurrency {
            let (all, next, shopper) = (all.clone(), next.clone(), app.another_browser());
            workers.spawn(async move {
                let mut answers = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((payload, signature)) = all.get(i) else {
                        return answers;
                    };
                    let response = shopper.post_webhook(payload, signature).await;
                    assert!(response.status().is_success(), "{}", response.status());
                    answers.push(response.text().await.unwrap_or_default());
                }
            });
        }
        async move {
            let mut answers = Vec::new();
            while let Some(done) = workers.join_next().await {
                answers.extend(done.unwrap_or_else(|e| panic!("{e}")));
            }
            answers
        }
    };
    // Warms the pool and the caches.
    send(0..200).await;

    let mut conn = app.conn().await;
    diesel::sql_query(
        "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database \
         WHERE datname = current_database()), 0)",
    )
    .execute(&mut conn)
    .await
    .unwrap_or_else(|e| panic!("pg_stat_statements: {e}"));
    drop(conn);
    let (pg_before, own_before, started) = (postgres_cpu(), own_cpu(), std::time::Instant::now());
    let start = 200;
    let answers = send(start..start + events).await;
    let elapsed = started.elapsed().as_secs_f64();
    let (pg_cpu, own) = (postgres_cpu() - pg_before, own_cpu() - own_before);

    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    for answer in answers {
        *outcomes.entry(answer).or_default() += 1;
    }
    let stats: Vec<Stat> = diesel::sql_query(
        "SELECT query, calls, total_exec_time AS ms, wal_bytes::float8 AS wal_bytes FROM pg_stat_statements \
         WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) \
         AND query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC",
    )
    .load(&mut app.conn().await)
    .await
    .unwrap_or_else(|e| panic!("pg_stat_statements: {e}"));
    let per = events as f64;
    println!("{events} events, concurrency {concurrency}: {outcomes:?}");
    println!(
        "wall {:.2} s ({:.0}/s); PostgreSQL CPU {:.3} ms/event; test process CPU {:.3} ms/event",
        elapsed,
        per / elapsed,
        pg_cpu * 1000.0 / per,
        own * 1000.0 / per
    );
    let (mut calls, mut ms, mut wal) = (0, 0.0, 0.0);
    for s in &stats {
        let w = s.wal_bytes;
        calls += s.calls;
        ms += s.ms;
        wal += w;
        println!(
            "{:>7} calls {:>8.3} ms/event exec {:>8.1} WAL B/event  {}",
            s.calls,
            s.ms / per,
            w / per,
            s.query
                .chars()
                .take(140)
                .collect::<String>()
                .replace('\n', " ")
        );
    }
    println!(
        "statements/event {:.2}; exec {:.3} ms/event; WAL {:.0} B/event",
        calls as f64 / per,
        ms / per,
        wal / per
    );
}
