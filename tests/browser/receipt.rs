//! What the shopper sees of a discount code and of tax: applied on the review page, shown on
//! the payment page before paying, and on the thank-you and order pages after paying with
//! 4242. And the pictures: the product page's gallery and the small pictures on cart and order
//! lines.

use crate::checkout::{VISA, add_two_products};
use crate::harness::{Browser, DESKTOP, PHONE, walkthrough};

/// The lines the order's summary must show, label then amount, in the page's order. The cart
/// holds the Canvas Tote Bag ($18.50) and the Linen Notebook ($14.00); WELCOME10 takes 10 % off
/// the items ($1.85 and $1.40 of the $3.25); Standard shipping is $4.99 below $50.00; VAT is
/// 20 % of each line after its share of the discount ($3.33 and $2.52) and of the shipping
/// ($1.00).
const RECEIPT: [(&str, &str); 5] = [
    ("Subtotal", "$32.50"),
    ("Discount (WELCOME10)", "-$3.25"),
    ("Shipping (Standard)", "$4.99"),
    ("VAT (20%)", "$6.85"),
    ("Total", "$41.09"),
];

/// Checks the order summary's footer rows, in order.
async fn assert_receipt(browser: &Browser, page: &str) {
    let rows = browser
        .client
        .find_all(fantoccini::Locator::Css("table.order-items tfoot tr"))
        .await
        .unwrap_or_else(|e| panic!("{page}: the summary's rows: {e}"));
    let mut seen = Vec::new();
    for row in rows {
        let text = row
            .text()
            .await
            .unwrap_or_else(|e| panic!("{page}: a summary row: {e}"));
        seen.push(text.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    let want: Vec<String> = RECEIPT
        .iter()
        .map(|(label, amount)| format!("{label} {amount}"))
        .collect();
    assert_eq!(seen, want, "{page}: the order summary");
}

/// Every `.line-thumb` picture on the page has loaded (a broken image has no natural width);
/// returns how many there are.
async fn loaded_line_pictures(browser: &Browser) -> u64 {
    let counts = browser
        .client
        .execute(
            "const pics = [...document.querySelectorAll('img.line-thumb')];\
             return [pics.length, pics.filter(i => i.complete && i.naturalWidth > 0).length];",
            vec![],
        )
        .await
        .unwrap_or_else(|e| panic!("counting the line pictures: {e}"));
    let counts: Vec<u64> = serde_json::from_value(counts).unwrap_or_default();
    assert_eq!(counts.len(), 2, "{counts:?}");
    assert_eq!(counts[0], counts[1], "every line picture loads");
    counts[0]
}

#[tokio::test]
async fn a_discount_code_and_vat_show_before_paying_and_on_the_receipt() {
    walkthrough("discount-and-tax", DESKTOP, |shop, browser| async move {
        shop.add_discount_code("WELCOME10", 10).await;
        add_two_products(&browser).await;
        assert_eq!(loaded_line_pictures(&browser).await, 2, "the cart's lines");

        browser.click_link("Checkout").await;
        browser.wait_for_page("Checkout").await;
        browser
            .fill("Email for your receipt", "vat@example.com")
            .await;
        browser.fill("Full name", "Grace Hopper").await;
        browser.fill("Street address", "10 Downing Street").await;
        browser.fill("Town or city", "London").await;
        browser.fill("Postal code", "SW1A 2AA").await;
        browser
            .field("Country")
            .await
            .select_by_label("United Kingdom")
            .await
            .unwrap_or_else(|e| panic!("choosing the United Kingdom: {e}"));
        // The review page says what the tax will be before the order is placed.
        browser.wait_for_text("VAT").await;
        browser.fill("Discount code", "welcome10").await;
        browser.screenshot("review-with-code").await;
        browser.click_button("Continue to payment").await;

        browser.wait_for_page_starting("Pay for order #").await;
        browser.wait_for_card_form().await;
        assert_receipt(&browser, "the payment page").await;
        browser.button("Pay $41.09").await;
        browser.fill_card(VISA).await;
        browser.screenshot("payment-with-discount-and-tax").await;
        browser.press_pay().await;

        browser.wait_until_paid().await;
        assert_receipt(&browser, "the thank-you page").await;
        assert_eq!(
            loaded_line_pictures(&browser).await,
            2,
            "the receipt's lines"
        );
        browser.screenshot("paid-with-discount-and-tax").await;
        let order = browser.order_id().await;
        assert_eq!(shop.order_status(order).await, "paid");

        browser.visit(&format!("/orders/{order}")).await;
        browser.wait_for_page_starting("Order #").await;
        assert_receipt(&browser, "the order page").await;
        assert_eq!(loaded_line_pictures(&browser).await, 2, "the order's lines");
        browser.wait_for_text("Grace Hopper").await;
        browser.screenshot("order-with-discount-and-tax").await;
    })
    .await;
}

#[tokio::test]
async fn the_product_gallery_shows_each_picture_and_lines_show_small_ones_on_a_phone() {
    walkthrough("gallery-phone", PHONE, |_shop, browser| async move {
        browser.visit("/products/linen-notebook").await;
        browser.wait_for_page("Linen Notebook").await;
        browser.screenshot("gallery-first").await;
        let in_view = |n: u32| {
            let browser = browser.clone();
            async move {
                let script = format!(
                    "const list = document.querySelector('.gallery-pictures').getBoundingClientRect();\
                     const pic = document.querySelector('#picture-{n} img');\
                     const box = pic.getBoundingClientRect();\
                     return pic.complete && pic.naturalWidth > 0 \
                       && Math.abs(box.left - list.left) < 2 && box.width > 200;"
                );
                browser
                    .client
                    .execute(&script, vec![])
                    .await
                    .unwrap_or_else(|e| panic!("looking at picture {n}: {e}"))
                    .as_bool()
                    .unwrap_or(false)
            }
        };
        assert!(in_view(1).await, "the first picture fills the gallery");
        browser
            .click_link(
                "Picture 2 of 2: The notebook open on dotted pages with a note in fountain-pen ink",
            )
            .await;
        crate::harness::eventually("the second picture to scroll into view", || async {
            in_view(2).await.then_some(())
        })
        .await;
        browser.screenshot("gallery-second").await;

        browser.click_button("Add to cart").await;
        browser.wait_for_page("Your cart").await;
        assert_eq!(loaded_line_pictures(&browser).await, 1);
        browser.screenshot("cart-line-picture").await;
    })
    .await;
}
