//! The whole purchase with the keyboard alone: Tab to move, Enter to press, typing to fill in.

use fantoccini::key::Key;

use crate::harness::{DESKTOP, walkthrough};

#[tokio::test]
async fn a_shopper_can_pay_with_the_4242_card_using_the_keyboard_alone() {
    walkthrough("keyboard-only", DESKTOP, |shop, browser| async move {
        browser.visit("/").await;
        browser.wait_for_page("Shop").await;
        browser.tab_to("Add to cart: Canvas Tote Bag").await;
        browser.press(Key::Enter).await;
        browser.wait_for_page("Your cart").await;

        browser.tab_to("Checkout").await;
        browser.press(Key::Enter).await;
        browser.wait_for_page("Checkout").await;
        browser.tab_to("Email for your receipt").await;
        browser.keys("keys@example.com").await;
        for (field, value) in [
            ("Full name", "Ada Lovelace"),
            ("Street address", "1 Main Street"),
            ("Town or city", "Springfield"),
            ("Postal code", "12345"),
        ] {
            browser.tab_to(field).await;
            browser.keys(value).await;
        }
        browser.tab_to("Continue to payment").await;
        browser.press(Key::Enter).await;

        browser.wait_for_page_starting("Pay for order #").await;
        browser.wait_for_card_form().await;
        browser.tab_to("Card number").await;
        browser.keys("4242424242424242").await;
        browser.tab_to("Expiration date").await;
        browser.keys("1234").await;
        browser.tab_to("Security code").await;
        browser.keys("123").await;
        browser.tab_to("ZIP").await;
        browser.keys("12345").await;
        browser.tab_to_starting("Pay ").await;
        browser.screenshot("about-to-pay").await;
        browser.press(Key::Enter).await;

        browser.wait_until_paid().await;
        browser.screenshot("paid").await;
        let order = browser.order_id().await;
        assert_eq!(shop.order_status(order).await, "paid");
    })
    .await;
}
