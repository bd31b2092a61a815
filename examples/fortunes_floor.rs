//! The benchmarks' floor, in the manner of TechEmpower's Fortunes test: the least a Rust web
//! app can do to serve the catalog — one query for the active products, rendered by askama
//! into a small HTML page. It shares nothing with the shop but the database.
//!
//! `DATABASE_URL=postgres://... fortunes_floor 127.0.0.1:PORT`

use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context;
use askama::Template;
use diesel::prelude::*;
use diesel_async::AsyncPgConnection;
use diesel_async::RunQueryDsl;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::deadpool::Pool;

/// The same pool size as the shop's.
const POOL_SIZE: usize = 16;

diesel::table! {
    products (id) {
        id -> Int8,
        slug -> Text,
        name -> Text,
        price_minor -> Int8,
        currency -> Text,
        image_path -> Text,
        stock -> Int4,
        active -> Bool,
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = products)]
#[diesel(check_for_backend(diesel::pg::Pg))]
struct Row {
    id: i64,
    slug: String,
    name: String,
    price_minor: i64,
    currency: String,
    image_path: String,
    stock: i32,
}

impl Row {
    fn price(&self) -> String {
        format!(
            "{}.{:02} {}",
            self.price_minor / 100,
            self.price_minor % 100,
            self.currency.to_ascii_uppercase()
        )
    }
}

#[derive(Template)]
#[template(
    ext = "html",
    source = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Products</title></head>
<body><h1>Products</h1><ul>
{% for p in rows %}<li><a href="/products/{{ p.slug }}"><img src="{{ p.image_path }}" alt=""><h2>{{ p.name }}</h2></a>
<p>{{ p.price() }}</p>{% if p.stock > 0 %}<form method="post" action="/cart/items"><input type="hidden" name="product_id" value="{{ p.id }}"><button>Add to cart</button></form>{% else %}<p>Sold out</p>{% endif %}</li>
{% endfor %}</ul></body></html>"#
)]
struct Listing {
    rows: Vec<Row>,
}

type DbPool = Pool<AsyncPgConnection>;

async fn listing(pool: web::Data<DbPool>) -> HttpResponse {
    let rows = async {
        let mut conn = pool.get().await?;
        let rows = products::table
            .filter(products::active.eq(true))
            .order((products::name.asc(), products::id.asc()))
            .select(Row::as_select())
            .load(&mut conn)
            .await?;
        anyhow::Ok(rows)
    }
    .await;
    let rendered = rows.and_then(|rows| Ok(Listing { rows }.render()?));
    match rendered {
        Ok(body) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(body),
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL").context("DATABASE_URL is not set")?;
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8081".into());
    let pool = Pool::builder(AsyncDieselConnectionManager::<AsyncPgConnection>::new(url))
        .max_size(POOL_SIZE)
        .build()?;
    HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(pool.clone()))
            .route("/", web::get().to(listing))
    })
    .bind(&addr)
    .with_context(|| format!("binding {addr}"))?
    .run()
    .await?;
    Ok(())
}
