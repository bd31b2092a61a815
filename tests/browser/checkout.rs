//! A guest's checkout with Stripe's test cards: success, a decline then success on the same
//! order, 3-D Secure completed and failed in Stripe.js's dialog, and cancelling at the payment
//! page.

use crate::harness::{Browser, DESKTOP, PHONE, walkthrough};

pub const VISA: &str = "4242 4242 4242 4242";
pub const DECLINED: &str = "4000 0000 0000 0002";
pub const THREE_D_SECURE: &str = "4000 0025 0000 3155";

/// From the front page: one product straight from the listing, one from its own page. Ends on
/// the cart.
pub async fn add_two_products(browser: &Browser) {
    browser.visit("/").await;
    browser.wait_for_page("Shop").await;
    browser.screenshot("listing").await;
    browser.click_button("Add to cart: Canvas Tote Bag").await;
    browser.wait_for_page("Your cart").await;

    browser.click_link("Storefront").await;
    browser.wait_for_page("Shop").await;
    browser.click_link("Linen Notebook").await;
    browser.wait_for_page("Linen Notebook").await;
    browser.screenshot("product").await;
    browser.click_button("Add to cart").await;
    browser.wait_for_page("Your cart").await;
    browser.wait_for_text("Canvas Tote Bag").await;
    browser.wait_for_text("Linen Notebook").await;
    browser.screenshot("cart").await;
}

/// From the cart to the payment page, as a guest. Ends with the card form loaded.
pub async fn check_out_as_guest(browser: &Browser, email: &str) {
    browser.click_link("Checkout").await;
    browser.wait_for_page("Checkout").await;
    browser.fill("Email for your receipt", email).await;
    browser.fill_shipping_address().await;
    browser.screenshot("checkout").await;
    browser.click_button("Continue to payment").await;
    browser.wait_for_page_starting("Pay for order #").await;
    browser.wait_for_card_form().await;
}

#[tokio::test]
async fn a_guest_buys_two_products_with_the_4242_card_and_the_order_is_paid() {
    walkthrough(
        "guest-pays-with-4242",
        DESKTOP,
        |shop, browser| async move {
            add_two_products(&browser).await;
            check_out_as_guest(&browser, "guest@example.com").await;
            browser.fill_card(VISA).await;
            browser.screenshot("payment").await;
            browser.press_pay().await;

            browser.wait_until_paid().await;
            browser.wait_for_text("Canvas Tote Bag").await;
            browser.wait_for_text("Linen Notebook").await;
            browser.screenshot("paid").await;
            let order = browser.order_id().await;
            assert_eq!(shop.order_status(order).await, "paid");
            // Pressing Pay told the shop to hold the items for the payment, past the short hold.
            assert!(shop.reservation(order).await > time::Duration::minutes(30));

            // The confirmation email, caught in the sandbox's mailbox, with the order's lines
            // and its link.
            browser
                .wait_for_text("A confirmation email is on its way to guest@example.com")
                .await;
            browser.click_link("mailbox").await;
            browser.wait_for_page("Mailbox").await;
            browser.open_mail("is confirmed").await;
            browser.wait_for_page_starting("Your order #").await;
            browser.wait_for_text("Canvas Tote Bag × 1").await;
            browser.wait_for_text("Linen Notebook × 1").await;
            browser.screenshot("confirmation-email").await;
            browser
                .click_link(&format!("{}/orders/{order}", shop.address))
                .await;
            browser.wait_for_page_starting("Order #").await;
            browser.screenshot("order-from-email").await;
        },
    )
    .await;
}

#[tokio::test]
async fn a_declined_card_shows_stripes_message_by_the_form_and_another_card_pays_the_same_order() {
    walkthrough("declined-then-4242", DESKTOP, |shop, browser| async move {
        add_two_products(&browser).await;
        check_out_as_guest(&browser, "declined@example.com").await;
        let order = browser.order_id().await;

        browser.pay_with_card(DECLINED).await;
        // The message sits in the payment form, by the card fields and the Pay button.
        browser
            .find(
                "the decline message in the payment form",
                "//form[.//button[starts-with(normalize-space(), 'Pay ')]]\
                 //*[@role='alert' and normalize-space()='Your card was declined.']",
            )
            .await;
        browser.screenshot("declined").await;
        assert_ne!(shop.order_status(order).await, "paid");

        browser.pay_with_card(VISA).await;
        browser.wait_until_paid().await;
        browser.screenshot("paid").await;
        assert_eq!(browser.order_id().await, order, "the same order was paid");
        assert_eq!(shop.order_status(order).await, "paid");
    })
    .await;
}

#[tokio::test]
async fn a_3d_secure_card_is_paid_once_the_shopper_completes_authentication_on_a_phone() {
    walkthrough("3ds-complete-phone", PHONE, |shop, browser| async move {
        add_two_products(&browser).await;
        check_out_as_guest(&browser, "phone@example.com").await;
        let order = browser.order_id().await;

        // The bank's challenge shows in a dialog over the payment page, as Stripe.js shows it.
        browser.pay_with_card(THREE_D_SECURE).await;
        browser.answer_3d_secure("Complete authentication").await;

        browser.wait_until_paid().await;
        browser.screenshot("paid").await;
        assert_eq!(browser.order_id().await, order);
        assert_eq!(shop.order_status(order).await, "paid");
    })
    .await;
}

#[tokio::test]
async fn failing_3d_secure_authentication_shows_a_clear_error_and_leaves_the_order_unpaid() {
    walkthrough("3ds-fail", DESKTOP, |shop, browser| async move {
        add_two_products(&browser).await;
        check_out_as_guest(&browser, "fail@example.com").await;
        let order = browser.order_id().await;

        browser.pay_with_card(THREE_D_SECURE).await;
        browser.answer_3d_secure("Fail authentication").await;

        // Still on the payment page: the dialog gone, Stripe.js's words for the shopper by the
        // form (the API's own message is written for developers), the card form to try again.
        browser.wait_for_no_dialog().await;
        browser
            .find(
                "the authentication failure in the payment form",
                "//form[.//button[starts-with(normalize-space(), 'Pay ')]]\
                 //*[@role='alert' and normalize-space()='We are unable to authenticate your payment method. Please choose a different payment method and try again.']",
            )
            .await;
        browser.wait_for_card_form().await;
        browser.screenshot("authentication-failed").await;
        assert_eq!(browser.path().await, format!("/orders/{order}/pay"));
        assert!(!browser.text().await.contains("Paid"));
        assert_ne!(shop.order_status(order).await, "paid");

        // Coming back to the page later shows the same words, from the server.
        browser.reload().await;
        browser
            .wait_for_text("The last attempt did not go through: We are unable to authenticate your payment method.")
            .await;

        // Another card pays the same order.
        browser.wait_for_card_form().await;
        browser.pay_with_card(VISA).await;
        browser.wait_until_paid().await;
        assert_eq!(browser.order_id().await, order);
    })
    .await;
}

#[tokio::test]
async fn cancelling_at_the_payment_page_shows_the_cancel_page_and_keeps_the_cart() {
    walkthrough("cancel", DESKTOP, |shop, browser| async move {
        add_two_products(&browser).await;
        check_out_as_guest(&browser, "cancel@example.com").await;
        let order = browser.order_id().await;

        browser.click_button("Cancel order").await;
        browser.wait_for_page("Order cancelled").await;
        browser.wait_for_text("you have not been charged").await;
        browser.screenshot("cancelled").await;
        assert_eq!(shop.order_status(order).await, "cancelled");

        browser.click_link("Back to your cart").await;
        browser.wait_for_page("Your cart").await;
        browser.wait_for_text("Canvas Tote Bag").await;
        browser.wait_for_text("Linen Notebook").await;
        browser.link("Checkout").await;
        browser.screenshot("cart-kept").await;
    })
    .await;
}
