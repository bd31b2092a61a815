use stripe_core::payment_intent::{CreatePaymentIntent, RetrievePaymentIntent};
use stripe_sandbox::standalone::{self, StandaloneArgs};
use stripe_types::Currency;

#[tokio::test]
async fn the_standalone_sandbox_serves_the_api_and_stripe_js_at_the_root() {
    let args = StandaloneArgs {
        port: 0,
        ..StandaloneArgs::default()
    };
    let (server, addr, _sandbox) = standalone::bind(&args).unwrap();
    tokio::spawn(server);
    let client = stripe::ClientBuilder::new(standalone::DEFAULT_SECRET_KEY)
        .url(format!("http://{addr}/"))
        .build()
        .unwrap();
    let created = CreatePaymentIntent::new(2000, Currency::USD)
        .send(&client)
        .await
        .unwrap();
    let again = RetrievePaymentIntent::new(created.id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(again.id, created.id);
    let js = reqwest::get(format!("http://{addr}/js/v3/stripe.js"))
        .await
        .unwrap();
    assert_eq!(js.status(), 200);
}
