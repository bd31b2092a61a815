//! Products and Prices (/api/products, /api/prices): created, read, changed and listed
//! through async-stripe's own requests and types, refused as Stripe refuses them, each
//! change with its event.

use serde_json::Value;
use stripe_product::price::{
    CreatePrice, CreatePriceProductData, CreatePriceRecurring, CreatePriceRecurringInterval,
    ListPrice, RetrievePrice, SearchPrice, UpdatePrice,
};
use stripe_product::product::{
    CreateProduct, CreateProductDefaultPriceData, ListProduct, RetrieveProduct, UpdateProduct,
};
use stripe_shared::{Price, PriceType, Product, RecurringInterval};
use stripe_types::{Currency, Expandable};

use crate::helpers::{TestSandbox, api_error, spawn_sandbox};

/// A monthly price of $9.00 for a new "Storefront Club" product, with a lookup key.
pub async fn monthly_price(sb: &TestSandbox, lookup_key: &str) -> Price {
    let mut recurring = CreatePriceRecurring::new(CreatePriceRecurringInterval::Month);
    recurring.interval_count = Some(1);
    CreatePrice::new(Currency::USD)
        .unit_amount(900)
        .recurring(recurring)
        .lookup_key(lookup_key)
        .product_data(CreatePriceProductData::new("Storefront Club"))
        .send(&sb.client)
        .await
        .expect("create price")
}

async fn events_of(sb: &TestSandbox, type_: &str) -> Vec<Value> {
    let r = sb.get(&format!("v1/events?type={type_}&limit=100")).await;
    let body: Value = r.json().await.unwrap();
    body["data"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn products_and_prices_are_made_read_changed_and_listed_as_stripe_does() {
    let sb = spawn_sandbox().await;
    let mut default_price = CreateProductDefaultPriceData::new(Currency::USD);
    default_price.unit_amount = Some(9000);
    let product: Product = CreateProduct::new("Storefront Club")
        .description("Free shipping and member prices")
        .metadata([("catalog_id".to_string(), "club".to_string())])
        .default_price_data(default_price)
        .send(&sb.client)
        .await
        .expect("create product");
    assert!(product.id.as_str().starts_with("prod_"));
    assert!(product.active);
    let default_id = match &product.default_price {
        Some(Expandable::Id(id)) => id.clone(),
        other => panic!("default_price: {other:?}"),
    };
    let default: Price = RetrievePrice::new(default_id.clone())
        .expand(vec!["product".to_string()])
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(default.unit_amount, Some(9000));
    assert_eq!(default.type_, PriceType::OneTime);
    assert!(matches!(&default.product, Expandable::Object(p) if p.name == "Storefront Club"));

    let mut yearly = CreatePriceRecurring::new(CreatePriceRecurringInterval::Year);
    yearly.interval_count = Some(1);
    let price = CreatePrice::new(Currency::USD)
        .product(product.id.as_str())
        .unit_amount(9000)
        .recurring(yearly)
        .lookup_key("club_yearly")
        .nickname("Yearly")
        .send(&sb.client)
        .await
        .expect("create recurring price");
    let recurring = price.recurring.clone().expect("recurring");
    assert_eq!(recurring.interval, RecurringInterval::Year);
    assert_eq!(recurring.interval_count, 1);
    assert_eq!(price.type_, PriceType::Recurring);
    assert_eq!(price.lookup_key.as_deref(), Some("club_yearly"));

    // Looked up by lookup key, as a shop finds its prices.
    let found = ListPrice::new()
        .lookup_keys(vec!["club_yearly".to_string()])
        .active(true)
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(found.data.len(), 1);
    assert_eq!(found.data[0].id, price.id);
    let searched = SearchPrice::new("lookup_key:'club_yearly'")
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(searched.data.len(), 1);

    let updated = UpdateProduct::new(product.id.clone())
        .name("Storefront Club+")
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(updated.name, "Storefront Club+");
    let read = RetrieveProduct::new(product.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(read.name, "Storefront Club+");
    let listed = ListProduct::new()
        .active(true)
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(listed.data.len(), 1);

    let inactive = UpdatePrice::new(default_id.clone())
        .active(false)
        .send(&sb.client)
        .await
        .unwrap();
    assert!(!inactive.active);
    let active = ListPrice::new()
        .active(true)
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(
        active.data.len(),
        1,
        "only the yearly price is still active"
    );

    let created = events_of(&sb, "product.created").await;
    assert_eq!(created.len(), 1);
    let updated = events_of(&sb, "product.updated").await;
    assert_eq!(
        updated[0]["data"]["previous_attributes"]["name"],
        "Storefront Club"
    );
    assert_eq!(events_of(&sb, "price.created").await.len(), 2);
    let price_updated = events_of(&sb, "price.updated").await;
    assert_eq!(
        price_updated[0]["data"]["previous_attributes"]["active"],
        true
    );
}

#[tokio::test]
async fn a_lookup_key_belongs_to_one_price_unless_it_is_transferred() {
    let sb = spawn_sandbox().await;
    let first = monthly_price(&sb, "club_monthly").await;
    let (e, status) = api_error(
        CreatePrice::new(Currency::USD)
            .unit_amount(1000)
            .product(match &first.product {
                Expandable::Id(id) => id.as_str().to_string(),
                Expandable::Object(p) => p.id.as_str().to_string(),
            })
            .lookup_key("club_monthly")
            .send(&sb.client)
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(
        e.message.as_deref(),
        Some(format!("A price (`{}`) already uses that lookup key.", first.id).as_str())
    );
    let second = CreatePrice::new(Currency::USD)
        .unit_amount(1000)
        .product(match &first.product {
            Expandable::Id(id) => id.as_str().to_string(),
            Expandable::Object(p) => p.id.as_str().to_string(),
        })
        .lookup_key("club_monthly")
        .transfer_lookup_key(true)
        .send(&sb.client)
        .await
        .expect("transferred");
    let old = RetrievePrice::new(first.id.clone())
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(old.lookup_key, None, "the key moved");
    let found = ListPrice::new()
        .lookup_keys(vec!["club_monthly".to_string()])
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(found.data.len(), 1);
    assert_eq!(found.data[0].id, second.id);
}

/// A form, the parameter Stripe names and its message.
type Refusal<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);

#[tokio::test]
async fn bad_prices_and_products_are_refused_and_change_nothing() {
    let sb = spawn_sandbox().await;
    let cases: &[Refusal] = &[
        (
            &[("unit_amount", "900"), ("product_data[name]", "X")],
            "currency",
            "Missing required param: currency.",
        ),
        (
            &[("currency", "usd"), ("unit_amount", "900")],
            "product",
            "You must specify either `product` or `product_data` when creating a price.",
        ),
        (
            &[
                ("currency", "usd"),
                ("unit_amount", "900"),
                ("product", "prod_nope"),
            ],
            "product",
            "No such product: 'prod_nope'",
        ),
        (
            &[
                ("currency", "usd"),
                ("unit_amount", "900"),
                ("product_data[name]", "X"),
                ("recurring[interval]", "fortnight"),
            ],
            "recurring[interval]",
            "Invalid recurring[interval]: must be one of day, month, week, or year",
        ),
        (
            &[
                ("currency", "usd"),
                ("unit_amount", "900"),
                ("product_data[name]", "X"),
                ("recurring[interval]", "month"),
                ("recurring[interval_count]", "13"),
            ],
            "recurring[interval_count]",
            "The maximum billing frequency is one year (1 year, 12 months, 52 weeks or 365 days).",
        ),
        (
            &[
                ("currency", "usd"),
                ("unit_amount", "-1"),
                ("product_data[name]", "X"),
            ],
            "unit_amount",
            "Invalid integer: must be between 0 and 99999999",
        ),
        (
            &[
                ("currency", "usd"),
                ("unit_amount", "900"),
                ("product_data[name]", "X"),
                ("colour", "red"),
            ],
            "colour",
            "Received unknown parameter: colour",
        ),
    ];
    for (form, param, message) in cases {
        let r = sb.post("v1/prices", form).await;
        assert!(matches!(r.status().as_u16(), 400 | 404), "{form:?}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["param"], *param, "{form:?}: {body}");
        assert_eq!(body["error"]["message"], *message, "{form:?}");
    }
    let r = sb.post("v1/products", &[("description", "no name")]).await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["message"], "Missing required param: name.");
    let prices: Value = sb.get("v1/prices").await.json().await.unwrap();
    assert_eq!(prices["data"].as_array().map(Vec::len), Some(0));
    let products: Value = sb.get("v1/products").await.json().await.unwrap();
    assert_eq!(products["data"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn creating_a_price_with_an_idempotency_key_twice_makes_one() {
    let sb = spawn_sandbox().await;
    let form = [
        ("currency", "usd"),
        ("unit_amount", "900"),
        ("recurring[interval]", "month"),
        ("product_data[name]", "Storefront Club"),
        ("lookup_key", "club_monthly"),
    ];
    let mut ids = Vec::new();
    for _ in 0..2 {
        let r = sb
            .http
            .post(sb.url("v1/prices"))
            .bearer_auth(crate::helpers::SECRET)
            .header("Idempotency-Key", "club-monthly-v1")
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let body: Value = r.json().await.unwrap();
        ids.push(body["id"].as_str().unwrap_or_default().to_string());
    }
    assert_eq!(ids[0], ids[1]);
    let prices: Value = sb.get("v1/prices").await.json().await.unwrap();
    assert_eq!(prices["data"].as_array().map(Vec::len), Some(1));
}
