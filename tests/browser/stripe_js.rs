//! The sandbox's Stripe.js stand-in in a real browser, on its own demo page under the shop's
//! `/_sandbox/`: a card's 3-D Secure challenge in a dialog on the page, then the outcome in
//! place (`redirect: 'if_required'`) or on the return page (`redirect: 'always'`), as
//! @stripe/stripe-js describes confirmPayment; and the Payment Element's SEPA Debit tab.

use crate::checkout::THREE_D_SECURE;
use crate::harness::{Browser, DESKTOP, walkthrough};

async fn open_demo(browser: &Browser, query: &str) {
    browser.visit(&format!("/_sandbox/_demo{query}")).await;
    browser.wait_for_page_starting("Pay ").await;
    browser.wait_for_card_form().await;
}

#[tokio::test]
async fn with_redirect_if_required_3d_secure_is_a_dialog_and_the_outcome_stays_on_the_page() {
    walkthrough("stripe-js-if-required", DESKTOP, |_shop, browser| async move {
        open_demo(&browser, "").await;
        browser.pay_with_card(THREE_D_SECURE).await;
        browser.answer_3d_secure("Complete authentication").await;
        browser.wait_for_no_dialog().await;
        browser.wait_for_text("Payment succeeded.").await;
        browser.screenshot("succeeded-in-place").await;
        assert_eq!(browser.path().await, "/_sandbox/_demo");

        // A failed authentication resolves with Stripe.js's words for the shopper.
        open_demo(&browser, "").await;
        browser.pay_with_card(THREE_D_SECURE).await;
        browser.answer_3d_secure("Fail authentication").await;
        browser.wait_for_no_dialog().await;
        browser
            .find(
                "the failure by the form",
                "//*[@id='payment-message' and normalize-space()='We are unable to authenticate your payment method. Please choose a different payment method and try again.']",
            )
            .await;
        browser.screenshot("failed-in-place").await;
        assert_eq!(browser.path().await, "/_sandbox/_demo");
    })
    .await;
}

#[tokio::test]
async fn with_redirect_always_3d_secure_is_a_dialog_then_the_shopper_goes_to_the_return_url() {
    walkthrough("stripe-js-always", DESKTOP, |_shop, browser| async move {
        open_demo(&browser, "?redirect=always").await;
        browser.pay_with_card(THREE_D_SECURE).await;
        browser.answer_3d_secure("Complete authentication").await;
        browser.wait_for_page("Payment succeeded").await;
        assert_eq!(browser.path().await, "/_sandbox/_demo/return");
        browser.screenshot("return-page").await;

        // An error stays on the page: there is nothing to return for.
        open_demo(&browser, "?redirect=always").await;
        browser.pay_with_card("4000 0000 0000 0002").await;
        browser
            .find(
                "the decline by the form",
                "//*[@id='payment-message' and normalize-space()='Your card was declined.']",
            )
            .await;
        assert_eq!(browser.path().await, "/_sandbox/_demo");
    })
    .await;
}

#[tokio::test]
async fn the_payment_element_offers_sepa_debit_for_euros_and_a_debit_is_processing() {
    walkthrough("stripe-js-sepa", DESKTOP, |_shop, browser| async move {
        open_demo(&browser, "").await;
        assert!(
            browser.payment_tabs().await.is_empty(),
            "in dollars, cards only: no tabs"
        );

        open_demo(&browser, "?currency=eur").await;
        assert_eq!(browser.payment_tabs().await, ["Card", "SEPA Debit"]);
        browser
            .fill_sepa_debit(
                "Jenny Rosen",
                "jenny@example.com",
                "DE89 3704 0044 0532 0130 00",
            )
            .await;
        browser.screenshot("sepa-tab").await;
        browser.press_pay().await;
        browser.wait_for_text("Payment processing").await;
        browser.screenshot("processing").await;
    })
    .await;
}
