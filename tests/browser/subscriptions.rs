//! Storefront Club in a browser: subscribing with a free trial on Stripe's Checkout page (the
//! sandbox's), the member benefit at checkout, the first renewal paid on a test clock,
//! cancelling at the period's end and resuming, and a failed renewal (4000 0000 0000 0341, on a
//! test clock) put right with a new card in the Billing Portal.

use crate::harness::{Browser, DESKTOP, eventually, walkthrough_with};
use crate::shop::Shop;

const CLOCKS: (&str, &str) = ("STRIPE_TEST_CLOCKS", "1");

async fn register(browser: &Browser, email: &str) {
    browser.visit("/register").await;
    browser.wait_for_page("Create an account").await;
    browser.fill("Email", email).await;
    browser.fill("Password", "correct horse battery").await;
    browser
        .fill("Confirm password", "correct horse battery")
        .await;
    browser.click_button("Create account").await;
    browser.link("My orders").await;
}

/// Fills the card form of a sandbox page that has it on the page itself (Checkout in
/// `subscription` mode, the Billing Portal).
async fn fill_card_on_page(browser: &Browser, number: &str) {
    browser.fill("Card number", number).await;
    browser.fill("Expiration date", "12 / 34").await;
    browser.fill("Security code", "123").await;
    browser.fill("ZIP", "12345").await;
}

/// From /club to Stripe's page and back: a monthly membership with the free trial.
async fn subscribe_with_trial(browser: &Browser, card: &str) {
    browser.visit("/club").await;
    browser.wait_for_page("Storefront Club").await;
    browser.screenshot("club-plans").await;
    browser.click_button("Start free trial: Monthly plan").await;
    browser.wait_for_page("Subscribe").await;
    browser.wait_for_text("14 days free").await;
    fill_card_on_page(browser, card).await;
    browser.screenshot("stripe-checkout-subscription").await;
    browser.click_button("Start trial").await;
    browser.wait_for_page("Your membership").await;
    browser.wait_for_text("Welcome to Storefront Club").await;
}

async fn wait_for_membership(shop: &Shop, email: &str, want: &str) {
    eventually(&format!("the membership {want}"), || async {
        (shop.membership_status(email).await.as_deref() == Some(want)).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_shopper_subscribes_with_a_free_trial_and_ships_standard_for_free() {
    walkthrough_with(
        "club-subscribe-with-trial",
        DESKTOP,
        &[CLOCKS],
        |shop, browser| async move {
            register(&browser, "ada@example.com").await;
            subscribe_with_trial(&browser, "4242 4242 4242 4242").await;
            browser.wait_for_text("Free trial until").await;
            browser
                .wait_for_text("Free standard shipping on every order")
                .await;
            browser.screenshot("membership-trialing").await;
            wait_for_membership(&shop, "ada@example.com", "trialing").await;

            browser.visit("/").await;
            browser.click_button("Add to cart: Merino Beanie").await;
            browser.wait_for_page("Your cart").await;
            browser
                .wait_for_text("Standard shipping is free for you as a Storefront Club member.")
                .await;
            browser.click_link("Checkout").await;
            browser.wait_for_page("Checkout").await;
            browser
                .wait_for_text("(Storefront Club member benefit)")
                .await;
            browser.screenshot("checkout-member-shipping").await;
        },
    )
    .await;
}

#[tokio::test]
async fn the_trial_ends_on_the_test_clock_and_the_first_renewal_is_paid() {
    walkthrough_with(
        "club-renewal-paid",
        DESKTOP,
        &[CLOCKS],
        |shop, browser| async move {
            register(&browser, "ada@example.com").await;
            subscribe_with_trial(&browser, "4242 4242 4242 4242").await;
            wait_for_membership(&shop, "ada@example.com", "trialing").await;

            let customer = shop.stripe_customer("ada@example.com").await;
            browser.visit("/_sandbox/_clock").await;
            browser.fill("Customer", &customer).await;
            browser.fill("Days", "15").await;
            browser.click_button("Advance").await;
            browser.wait_for_text("is now at").await;
            wait_for_membership(&shop, "ada@example.com", "active").await;

            browser.visit("/account/club").await;
            browser.wait_for_text("Renews on").await;
            // The trial's $0.00 invoice and the first month's, paid, with Stripe's links.
            let paid = browser
                .find(
                    "the paid renewal invoice",
                    "//table[@data-testid='invoices']//tr[td[@data-label='Amount'][contains(., '5.00')]][td[@data-label='Status'][contains(., 'Paid')]]",
                )
                .await;
            assert!(
                paid.text().await.unwrap_or_default().contains("PDF"),
                "the renewal invoice links its PDF"
            );
            browser.screenshot("renewal-paid").await;
        },
    )
    .await;
}

#[tokio::test]
async fn a_member_cancels_at_the_end_of_the_period_and_resumes() {
    walkthrough_with(
        "club-cancel-at-period-end",
        DESKTOP,
        &[CLOCKS],
        |shop, browser| async move {
            register(&browser, "ada@example.com").await;
            subscribe_with_trial(&browser, "4242 4242 4242 4242").await;
            browser.click_button("Cancel at period end").await;
            browser.wait_for_text("Your membership ends on").await;
            browser.wait_for_text("Ends on").await;
            browser.button("Resume membership").await;
            browser.screenshot("cancelling-at-period-end").await;
            browser.click_button("Resume membership").await;
            browser.wait_for_text("Renews on").await;
            browser.button("Cancel at period end").await;
            browser.screenshot("resumed").await;
            wait_for_membership(&shop, "ada@example.com", "trialing").await;
        },
    )
    .await;
}

#[tokio::test]
async fn a_failed_renewal_is_past_due_until_a_new_card_in_the_billing_portal_pays_it() {
    walkthrough_with(
        "club-renewal-failed-card-updated-in-portal",
        DESKTOP,
        &[CLOCKS],
        |shop, browser| async move {
            register(&browser, "ada@example.com").await;
            // Attaches, then every charge fails.
            subscribe_with_trial(&browser, "4000 0000 0000 0341").await;
            wait_for_membership(&shop, "ada@example.com", "trialing").await;

            // Past the trial's end on the customer's test clock: the first charge fails.
            let customer = shop.stripe_customer("ada@example.com").await;
            browser.visit("/_sandbox/_clock").await;
            browser.fill("Customer", &customer).await;
            browser.fill("Days", "15").await;
            browser.screenshot("advance-test-clock").await;
            browser.click_button("Advance").await;
            browser.wait_for_text("is now at").await;
            wait_for_membership(&shop, "ada@example.com", "past_due").await;

            browser.visit("/account/club").await;
            browser.wait_for_text("Payment overdue").await;
            browser
                .wait_for_text("Paused until the membership is paid")
                .await;
            browser.screenshot("past-due").await;

            browser.click_button("Manage billing").await;
            browser.wait_for_page("Manage billing").await;
            fill_card_on_page(&browser, "4242 4242 4242 4242").await;
            browser.screenshot("portal-update-card").await;
            browser.click_button("Update card").await;
            browser.wait_for_text("Your card was updated.").await;
            wait_for_membership(&shop, "ada@example.com", "active").await;

            browser.visit("/account/club").await;
            browser.wait_for_text("Active").await;
            browser
                .wait_for_text("Free standard shipping on every order")
                .await;
            browser.screenshot("active-again").await;
        },
    )
    .await;
}
