//! Paying on Stripe's hosted Checkout page (the sandbox's, here): the shopper's choice on the
//! review page or `CHECKOUT_MODE=hosted`, the test cards on Stripe's page, Stripe's decline
//! message on that page, and the shop's thanks page once paid.

use crate::checkout::{DECLINED, THREE_D_SECURE, VISA, add_two_products};
use crate::harness::{Browser, DESKTOP, walkthrough, walkthrough_with};

/// From the cart to Stripe's page, as a guest, with the review page's `button`. Ends with the
/// card form loaded on Stripe's page.
async fn check_out_on_stripes_page(browser: &Browser, email: &str, button: &str) {
    browser.click_link("Checkout").await;
    browser.wait_for_page("Checkout").await;
    browser.fill("Email for your receipt", email).await;
    browser.fill_shipping_address().await;
    browser.click_button(button).await;
    browser.wait_for_page_starting("Pay $").await;
    browser.wait_for_text("Canvas Tote Bag").await;
    browser.wait_for_text("Linen Notebook").await;
    browser.wait_for_card_form().await;
}

#[tokio::test]
async fn a_guest_pays_with_4242_on_stripes_hosted_page_and_the_order_is_paid() {
    walkthrough(
        "hosted-page-pays-with-4242",
        DESKTOP,
        |shop, browser| async move {
            add_two_products(&browser).await;
            check_out_on_stripes_page(&browser, "hosted@example.com", "Pay on Stripe's page").await;
            assert!(
                browser.path().await.contains("/c/pay/cs_test_"),
                "on the session's page"
            );
            browser.fill_card(VISA).await;
            browser.screenshot("hosted-page").await;
            browser.press_pay().await;

            browser.wait_until_paid().await;
            browser.wait_for_text("Canvas Tote Bag").await;
            browser.screenshot("paid").await;
            let order = browser.order_id().await;
            assert_eq!(shop.order_status(order).await, "paid");
        },
    )
    .await;
}

#[tokio::test]
async fn a_declined_card_shows_stripes_message_on_the_hosted_page_and_another_card_pays() {
    walkthrough_with(
        "hosted-page-declined-then-4242",
        DESKTOP,
        &[("CHECKOUT_MODE", "hosted")],
        |shop, browser| async move {
            add_two_products(&browser).await;
            check_out_on_stripes_page(&browser, "declined@example.com", "Continue to payment")
                .await;

            browser.pay_with_card(DECLINED).await;
            browser
                .find(
                    "the decline message on Stripe's page",
                    "//form[.//button[starts-with(normalize-space(), 'Pay ')]]\
                     //*[@role='alert' and normalize-space()='Your card was declined.']",
                )
                .await;
            browser.screenshot("declined").await;

            browser.pay_with_card(VISA).await;
            browser.wait_until_paid().await;
            browser.screenshot("paid").await;
            let order = browser.order_id().await;
            assert_eq!(shop.order_status(order).await, "paid");
        },
    )
    .await;
}

#[tokio::test]
async fn a_3d_secure_card_on_the_hosted_page_is_paid_once_authenticated() {
    walkthrough_with(
        "hosted-page-3d-secure",
        DESKTOP,
        &[("CHECKOUT_MODE", "hosted")],
        |shop, browser| async move {
            add_two_products(&browser).await;
            check_out_on_stripes_page(&browser, "secure@example.com", "Continue to payment").await;
            browser.pay_with_card(THREE_D_SECURE).await;
            browser.answer_3d_secure("Complete authentication").await;
            browser.wait_until_paid().await;
            let order = browser.order_id().await;
            assert_eq!(shop.order_status(order).await, "paid");
        },
    )
    .await;
}
