//! A shopper picks a size on the product page (plain radio buttons), pays with 4242 and finds
//! the size on the order page; a sold-out size cannot be picked.

use crate::axe::serious_violations;
use crate::checkout::{VISA, check_out_as_guest};
use crate::harness::{DESKTOP, walkthrough};

#[tokio::test]
async fn a_shopper_picks_a_size_pays_with_4242_and_sees_it_on_the_order() {
    walkthrough(
        "variant-pays-with-4242",
        DESKTOP,
        |shop, browser| async move {
            browser.visit("/products/organic-cotton-tee").await;
            browser.wait_for_page("Organic Cotton Tee").await;
            browser.wait_for_text("Choose an option").await;
            let sold_out = browser.field("XXL · $30.00 · sold out").await;
            assert!(
                !sold_out.is_enabled().await.unwrap_or(true),
                "a sold-out size cannot be picked"
            );
            browser
                .field("M · $28.00")
                .await
                .click()
                .await
                .unwrap_or_else(|e| panic!("picking M: {e}"));
            browser.screenshot("size-picked").await;
            let mut found = serious_violations(&browser, "product with options").await;
            browser.click_button("Add to cart").await;
            browser.wait_for_page("Your cart").await;
            browser.wait_for_text("Organic Cotton Tee — M").await;
            browser.screenshot("cart").await;

            check_out_as_guest(&browser, "guest@example.com").await;
            browser.fill_card(VISA).await;
            browser.press_pay().await;
            browser.wait_until_paid().await;
            let order = browser.order_id().await;
            browser.visit(&format!("/orders/{order}")).await;
            browser.wait_for_page_starting("Order #").await;
            browser.wait_for_text("Organic Cotton Tee — M").await;
            browser.screenshot("order").await;
            assert_eq!(shop.order_status(order).await, "paid");

            // The owner finds the sale in the tee's stock history, beside its options.
            shop.create_admin("owner@example.com", "owner password 1")
                .await;
            browser.visit("/login").await;
            browser.wait_for_page("Sign in").await;
            browser.fill("Email", "owner@example.com").await;
            browser.fill("Password", "owner password 1").await;
            browser.click_button("Sign in").await;
            browser.wait_for_text("You are signed in.").await;
            browser.visit("/admin/products").await;
            browser.click_link("Organic Cotton Tee").await;
            browser.wait_for_page("Edit Organic Cotton Tee").await;
            browser.wait_for_text("Reserved by an order").await;
            found.extend(serious_violations(&browser, "admin options and stock history").await);
            assert!(found.is_empty(), "accessibility violations: {found:#?}");
            let page = browser.path().await;
            browser.visit(&format!("{page}#variants-heading")).await;
            browser.screenshot("admin-options").await;
            browser.visit(&format!("{page}#history-heading")).await;
            browser.screenshot("admin-stock-history").await;
        },
    )
    .await;
}
