//! axe-core on every page of a purchase, and on the pages of its emails: no serious or
//! critical violations.

use crate::axe::serious_violations;
use crate::checkout::VISA;
use crate::harness::{DESKTOP, walkthrough};

#[tokio::test]
async fn the_shopper_pages_have_no_serious_or_critical_accessibility_violations() {
    walkthrough("accessibility", DESKTOP, |_shop, browser| async move {
        // Every page is checked before failing, so one run lists everything to fix.
        let mut found = Vec::new();
        browser.visit("/").await;
        browser.wait_for_page("Shop").await;
        found.extend(serious_violations(&browser, "listing").await);

        browser.click_link("Linen Notebook").await;
        browser.wait_for_page("Linen Notebook").await;
        found.extend(serious_violations(&browser, "product").await);

        browser.click_button("Add to cart").await;
        browser.wait_for_page("Your cart").await;
        found.extend(serious_violations(&browser, "cart").await);

        browser.click_link("Checkout").await;
        browser.wait_for_page("Checkout").await;
        found.extend(serious_violations(&browser, "checkout").await);

        browser
            .fill("Email for your receipt", "axe@example.com")
            .await;
        browser.fill_shipping_address().await;
        browser.click_button("Continue to payment").await;
        browser.wait_for_page_starting("Pay for order #").await;
        browser.wait_for_card_form().await;
        found.extend(serious_violations(&browser, "payment").await);

        browser.pay_with_card(VISA).await;
        browser.wait_until_paid().await;
        found.extend(serious_violations(&browser, "success").await);

        browser.visit("/").await;
        browser.click_button("Add to cart: Canvas Tote Bag").await;
        browser.wait_for_page("Your cart").await;
        browser.click_link("Checkout").await;
        browser.wait_for_page("Checkout").await;
        browser
            .fill("Email for your receipt", "axe@example.com")
            .await;
        browser.fill_shipping_address().await;
        browser.click_button("Continue to payment").await;
        browser.wait_for_page_starting("Pay for order #").await;
        browser.click_button("Cancel order").await;
        browser.wait_for_page("Order cancelled").await;
        found.extend(serious_violations(&browser, "cancel").await);

        // The pages of the shop's emails: the mailbox, an email, asking for a reset, finding
        // an order.
        browser.open_mail("is confirmed").await;
        browser.wait_for_page_starting("Your order #").await;
        found.extend(serious_violations(&browser, "mail").await);
        browser.click_link("Back to the mailbox").await;
        browser.wait_for_page("Mailbox").await;
        found.extend(serious_violations(&browser, "mailbox").await);
        browser.visit("/password/forgot").await;
        browser.wait_for_page("Forgot your password?").await;
        found.extend(serious_violations(&browser, "forgot-password").await);
        browser.visit("/orders/lookup").await;
        browser.wait_for_page("Find an order").await;
        found.extend(serious_violations(&browser, "find-an-order").await);

        assert!(
            found.is_empty(),
            "{} serious or critical accessibility violation(s):\n\n{}",
            found.len(),
            found.join("\n")
        );
    })
    .await;
}
