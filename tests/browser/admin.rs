//! The shop owner's side: a paid order refunded from the admin pages.

use std::time::Duration;

use crate::checkout::{VISA, add_two_products, check_out_as_guest};
use crate::harness::{DESKTOP, eventually, walkthrough};

#[tokio::test]
async fn an_admin_refunds_a_paid_order_and_sees_it_become_refunded() {
    walkthrough(
        "admin-refunds-an-order",
        DESKTOP,
        |shop, browser| async move {
            add_two_products(&browser).await;
            check_out_as_guest(&browser, "guest@example.com").await;
            browser.fill_card(VISA).await;
            browser.press_pay().await;
            browser.wait_until_paid().await;
            let order = browser.order_id().await;

            shop.create_admin("owner@example.com", "owner password 1")
                .await;
            browser.visit("/login").await;
            browser.wait_for_page("Sign in").await;
            browser.fill("Email", "owner@example.com").await;
            browser.fill("Password", "owner password 1").await;
            browser.click_button("Sign in").await;
            browser.wait_for_text("You are signed in.").await;

            browser.visit(&format!("/admin/orders/{order}")).await;
            browser.wait_for_page_starting("Order #").await;
            browser.screenshot("admin-order").await;
            browser.click_button("Refund").await;
            browser.wait_for_page_starting("Refund $").await;
            browser.screenshot("admin-refund-confirmation").await;
            browser.click_button_starting("Yes, refund $").await;

            eventually("the admin order page to say Refunded", || async {
                let status = browser
                    .find(
                        "the order's status",
                        "//dt[normalize-space()='Status']/following-sibling::dd[1]",
                    )
                    .await
                    .text()
                    .await
                    .unwrap_or_default();
                if status.trim() == "Refunded" {
                    return Some(());
                }
                tokio::time::sleep(Duration::from_millis(400)).await;
                browser.reload().await;
                None
            })
            .await;
            browser.screenshot("refunded").await;
            assert_eq!(shop.order_status(order).await, "refunded");
        },
    )
    .await;
}
