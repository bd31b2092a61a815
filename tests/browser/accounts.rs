//! A customer with an account finds what they bought under "My orders".

use crate::checkout::VISA;
use crate::harness::{DESKTOP, literal, walkthrough};

#[tokio::test]
async fn a_new_customer_registers_buys_and_finds_the_order_paid_in_my_orders() {
    walkthrough(
        "register-buy-my-orders",
        DESKTOP,
        |shop, browser| async move {
            browser.visit("/").await;
            browser.click_link("Create account").await;
            browser.wait_for_page("Create an account").await;
            browser.fill("Email", "ada@example.com").await;
            browser.fill("Password", "correct horse battery").await;
            browser
                .fill("Confirm password", "correct horse battery")
                .await;
            browser.screenshot("register").await;
            browser.click_button("Create account").await;
            browser.link("My orders").await;

            browser.visit("/").await;
            browser.click_button("Add to cart: Merino Beanie").await;
            browser.wait_for_page("Your cart").await;
            browser.click_link("Checkout").await;
            browser.wait_for_page("Checkout").await;
            browser
                .wait_for_text("Your receipt goes to ada@example.com")
                .await;
            browser.click_button("Continue to payment").await;
            browser.wait_for_page_starting("Pay for order #").await;
            browser.wait_for_card_form().await;
            browser.pay_with_card(VISA).await;
            browser.wait_until_paid().await;
            let order = browser.order_id().await;
            let heading = browser.text().await;
            let number = heading
                .split("Order #")
                .nth(1)
                .and_then(|rest| rest.split_whitespace().next())
                .unwrap_or_else(|| panic!("no order number on the success page"))
                .to_owned();

            browser.click_link("My orders").await;
            browser.wait_for_page("My orders").await;
            let row = browser
                .find(
                    "the order's row",
                    &format!(
                        "//tr[.//a[normalize-space()={}]]",
                        literal(&format!("Order #{number}"))
                    ),
                )
                .await;
            let row = row.text().await.unwrap_or_default();
            assert!(row.contains("Paid"), "My orders shows {row:?}");
            browser.screenshot("my-orders").await;
            assert_eq!(shop.order_status(order).await, "paid");
        },
    )
    .await;
}
