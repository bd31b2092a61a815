//! A customer with an account finds what they bought under "My orders", and resets a forgotten
//! password from the email the shop sends (read in the sandbox's mailbox).

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
            browser.fill_shipping_address().await;
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

#[tokio::test]
async fn a_customer_who_forgot_their_password_resets_it_from_the_email_in_the_mailbox() {
    walkthrough("password-reset", DESKTOP, |_shop, browser| async move {
        browser.visit("/register").await;
        browser.wait_for_page("Create an account").await;
        browser.fill("Email", "grace@example.com").await;
        browser.fill("Password", "correct horse battery").await;
        browser
            .fill("Confirm password", "correct horse battery")
            .await;
        browser.click_button("Create account").await;
        browser.click_button("Sign out").await;
        browser.link("Sign in").await;

        browser.click_link("Sign in").await;
        browser.wait_for_page("Sign in").await;
        browser.click_link("Forgot your password?").await;
        browser.wait_for_page("Forgot your password?").await;
        browser.fill("Email", "grace@example.com").await;
        browser.screenshot("forgot").await;
        browser.click_button("Email me a link").await;
        browser.wait_for_page("Sign in").await;
        browser
            .wait_for_text("If an account uses grace@example.com, a link to choose a new password is on its way to it.")
            .await;

        // The email, from the mailbox; its HTML version's button leads to the form.
        browser.click_link("mailbox").await;
        browser.open_mail("Reset your Storefront password").await;
        browser.wait_for_page("Reset your Storefront password").await;
        browser.screenshot("reset-email").await;
        browser.click_link("Open the HTML version on its own").await;
        browser.click_link("Choose a new password").await;
        browser.wait_for_page("Choose a new password").await;
        browser.fill("New password", "purple elephant umbrella").await;
        browser
            .fill("Confirm new password", "purple elephant umbrella")
            .await;
        browser.screenshot("new-password").await;
        browser.click_button("Set new password").await;
        browser.wait_for_page("Sign in").await;
        browser.wait_for_text("Your password is changed").await;

        browser.fill("Email", "grace@example.com").await;
        browser.fill("Password", "purple elephant umbrella").await;
        browser.click_button("Sign in").await;
        browser.link("My orders").await;
        browser.screenshot("signed-in").await;
    })
    .await;
}
