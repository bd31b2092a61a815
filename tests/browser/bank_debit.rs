//! Paying by SEPA Direct Debit, Stripe's delayed payment method, in a shop that sells in euros:
//! the Payment Element offers a "SEPA Debit" tab (Stripe's automatic payment methods offer it
//! for euros), the payment is `processing` when the shopper reaches the success page, and the
//! order becomes paid — or failed — when the bank debit settles (the sandbox settles it when a
//! test control says so; Stripe's test IBANs settle within moments).

use crate::checkout::{add_two_products, check_out_as_guest};
use crate::harness::{DESKTOP, PHONE, walkthrough_with};

/// /testing#sepa-direct-debit: processing, then succeeded.
const SUCCEEDS: &str = "DE89 3704 0044 0532 0130 00";
/// /testing#sepa-direct-debit: processing, then requires_payment_method.
const FAILS: &str = "DE62 3704 0044 0532 0130 01";

/// The sandbox leaves debits processing until the test settles them.
const EUROS: &[(&str, &str)] = &[("CURRENCY", "eur")];

async fn hold_debits(shop: &crate::shop::Shop) {
    shop.sandbox_control("bank_debits", &[("settle_ms", "86400000")])
        .await;
}

#[tokio::test]
async fn a_guest_pays_by_sepa_debit_sees_processing_and_the_order_is_paid_once_it_settles() {
    walkthrough_with(
        "sepa-debit-succeeds",
        DESKTOP,
        EUROS,
        |shop, browser| async move {
            hold_debits(&shop).await;
            add_two_products(&browser).await;
            check_out_as_guest(&browser, "jenny@example.com").await;
            let order = browser.order_id().await;
            browser
                .fill_sepa_debit("Jenny Rosen", "jenny@example.com", SUCCEEDS)
                .await;
            browser.screenshot("sepa-debit").await;
            browser.press_pay().await;

            browser.wait_until_status("Processing").await;
            browser
                .wait_for_text("Your payment is being confirmed.")
                .await;
            browser.screenshot("processing").await;
            assert_eq!(shop.order_status(order).await, "pending");

            let intent = shop.order_intent(order).await;
            shop.sandbox_control("bank_debits/settle", &[("payment_intent", &intent)])
                .await;
            browser.wait_until_paid().await;
            browser.screenshot("paid").await;
            assert_eq!(shop.order_status(order).await, "paid");
        },
    )
    .await;
}

#[tokio::test]
async fn a_sepa_debit_that_fails_when_it_settles_leaves_the_order_failed_and_payable_again() {
    walkthrough_with(
        "sepa-debit-fails",
        PHONE,
        EUROS,
        |shop, browser| async move {
            hold_debits(&shop).await;
            add_two_products(&browser).await;
            check_out_as_guest(&browser, "max@example.com").await;
            let order = browser.order_id().await;
            browser
                .fill_sepa_debit("Max Mustermann", "max@example.com", FAILS)
                .await;
            browser.press_pay().await;
            browser.wait_until_status("Processing").await;
            browser.screenshot("processing").await;

            let intent = shop.order_intent(order).await;
            shop.sandbox_control("bank_debits/settle", &[("payment_intent", &intent)])
                .await;
            browser.wait_until_status("Payment failed").await;
            browser.screenshot("failed").await;
            assert_eq!(shop.order_status(order).await, "failed");

            // The order can be paid another way.
            browser.visit(&format!("/orders/{order}/pay")).await;
            browser.wait_for_page_starting("Pay for order #").await;
            browser
                .wait_for_text("The last attempt did not go through")
                .await;
            browser.wait_for_card_form().await;
            browser.pay_with_card(crate::checkout::VISA).await;
            browser.wait_until_paid().await;
            assert_eq!(shop.order_status(order).await, "paid");
        },
    )
    .await;
}
