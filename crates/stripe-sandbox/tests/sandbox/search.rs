use stripe_core::payment_intent::{CreatePaymentIntent, SearchPaymentIntent};
use stripe_types::Currency;

use crate::helpers::{api_error, spawn_sandbox};

async fn intent(sb: &crate::helpers::TestSandbox, order: &str, amount: i64) -> String {
    CreatePaymentIntent::new(amount, Currency::USD)
        .metadata([("order_id".to_string(), order.to_string())])
        .send(&sb.client)
        .await
        .unwrap()
        .id
        .to_string()
}

#[tokio::test]
async fn payment_intents_are_found_by_metadata_and_fields_in_stripes_search_shape() {
    let sb = spawn_sandbox().await;
    let a = intent(&sb, "order-a", 2000).await;
    let _b = intent(&sb, "order-b", 2000).await;
    let c = intent(&sb, "order-a", 5000).await;

    let found = SearchPaymentIntent::new("metadata['order_id']:'order-a'")
        .send(&sb.client)
        .await
        .unwrap();
    let mut ids: Vec<String> = found.data.iter().map(|pi| pi.id.to_string()).collect();
    ids.sort();
    let mut want = vec![a.clone(), c.clone()];
    want.sort();
    assert_eq!(ids, want);
    assert!(!found.has_more);
    assert_eq!(found.url, "/v1/payment_intents/search");

    let found = SearchPaymentIntent::new("metadata['order_id']:'order-a' AND amount>3000")
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(found.data.len(), 1);
    assert_eq!(found.data[0].id.as_str(), c);

    let page = SearchPaymentIntent::new("status:'requires_payment_method'")
        .limit(2)
        .send(&sb.client)
        .await
        .unwrap();
    assert!(page.has_more);
    let next = page.next_page.clone().unwrap();
    let rest = SearchPaymentIntent::new("status:'requires_payment_method'")
        .limit(2)
        .page(next)
        .send(&sb.client)
        .await
        .unwrap();
    assert_eq!(rest.data.len(), 1);
    assert!(!rest.has_more);
}

#[tokio::test]
async fn a_query_outside_the_search_language_is_refused_as_stripe_refuses_it() {
    let sb = spawn_sandbox().await;
    for query in [
        "nickname:'x'",
        "status:'a' AND currency:'usd' OR status:'b'",
        "metadata[order_id]:'x'",
    ] {
        let result = SearchPaymentIntent::new(query).send(&sb.client).await;
        let (error, status) = api_error(result);
        assert_eq!(status, 400, "{query}");
        assert_eq!(
            error.type_,
            stripe_shared::ApiErrorsType::InvalidRequestError
        );
        assert_eq!(error.param.as_deref(), Some("query"));
    }
}
