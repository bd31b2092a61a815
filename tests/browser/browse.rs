//! Browsing on a phone: the catalog in pages of two-card rows, a category, a search from the
//! header, and the cart's quantity changed without an Update press; axe on the new pages.

use fantoccini::Locator;
use fantoccini::key::Key;

use crate::axe::serious_violations;
use crate::harness::{Browser, PHONE, walkthrough};

async fn page_height(browser: &Browser) -> i64 {
    browser
        .client
        .execute("return document.documentElement.scrollHeight;", vec![])
        .await
        .unwrap_or_else(|e| panic!("measuring the page: {e}"))
        .as_i64()
        .unwrap_or_default()
}

#[tokio::test]
async fn on_a_phone_a_shopper_pages_searches_and_changes_a_quantity_without_an_update_press() {
    walkthrough("browse-phone", PHONE, |_shop, browser| async move {
        let mut found = Vec::new();
        browser.visit("/").await;
        browser.wait_for_page("Shop").await;
        let height = page_height(&browser).await;
        assert!(
            height < 3600,
            "the catalog's first page is {height} px tall"
        );
        found.extend(serious_violations(&browser, "listing-phone").await);

        browser.click_link("Next page").await;
        browser.wait_for_text("page 2 of 2").await;
        browser.click_link("Drinkware").await;
        browser.wait_for_page("Drinkware").await;
        found.extend(serious_violations(&browser, "category-phone").await);

        browser.fill("Search products", "wool").await;
        browser.press(Key::Enter).await;
        browser.wait_for_page("Results for “wool”").await;
        found.extend(serious_violations(&browser, "search-phone").await);
        browser.click_button("Add to cart: Wool Hiking Socks").await;
        browser.wait_for_page("Your cart").await;

        // Changing the quantity sends it: the Update button is not even shown.
        let update = browser
            .client
            .find(Locator::XPath(
                "//button[starts-with(normalize-space(), 'Update')]",
            ))
            .await
            .unwrap_or_else(|e| panic!("the Update button is in the page: {e}"));
        assert!(!update.is_displayed().await.unwrap_or(true));
        browser.fill("Quantity of Wool Hiking Socks", "3").await;
        browser.press(Key::Tab).await;
        browser.wait_for_text("$57.00").await;
        found.extend(serious_violations(&browser, "cart-phone").await);
        assert!(found.is_empty(), "{found:#?}");
    })
    .await;
}
