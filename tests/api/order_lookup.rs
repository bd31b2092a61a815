//! A guest who lost their order's page finds it again by its number and their email: the link
//! is emailed, and the answer is the same whatever is typed.

use reqwest::StatusCode;

use crate::helpers::{TestApp, location, spawn_app};

async fn look_up(app: &TestApp, number: &str, email: &str) -> (StatusCode, String, String) {
    let response = app
        .submit("/orders/lookup", &[("number", number), ("email", email)])
        .await;
    let status = response.status();
    let to = location(&response);
    let flash = crate::helpers::flash_in(&app.get_html(&to).await);
    (
        status,
        to,
        flash
            .replace(number, "NUMBER")
            .replace(&email.to_lowercase(), "EMAIL"),
    )
}

#[tokio::test]
async fn a_guest_gets_the_link_to_their_order_by_number_and_email_and_nobody_else_learns_anything()
{
    let app = spawn_app().await;
    let order = app
        .paid_order("guest@example.com", "ceramic-pour-over-mug", "1")
        .await;
    let number = app.order_number(order).await.to_string();
    app.wait_for_mail("guest@example.com", "is confirmed").await;

    let lost = app.another_browser();
    let found = look_up(&lost, &number, "Guest@Example.com").await;
    let wrong_email = look_up(&lost, &number, "someone@example.com").await;
    let wrong_number = look_up(&lost, "999999", "guest@example.com").await;
    assert_eq!(found.0, StatusCode::SEE_OTHER);
    assert_eq!(found, wrong_email);
    assert_eq!(found, wrong_number);
    assert!(
        found
            .2
            .contains("If order #NUMBER was placed with EMAIL, a link to it is on its way")
    );

    let mail = app
        .wait_for_mail(
            "guest@example.com",
            &format!("The link to your order #{number}"),
        )
        .await;
    mail.assert_no_secrets();
    let link = mail.link(&format!("{}/orders/", app.address));
    assert_eq!(link, format!("{}/orders/{order}", app.address));
    let page = lost.get_html(link.trim_start_matches(&app.address)).await;
    assert!(page.contains(&format!("Order #{number}")));

    // One email, to the order's own address: the wrong guesses sent nothing.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let rows = app.outbox_of_kind("order_lookup").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].recipient, "guest@example.com");
}

#[tokio::test]
async fn an_address_gets_at_most_three_order_links_an_hour_and_bad_input_is_named() {
    let app = spawn_app().await;
    let order = app
        .paid_order("guest@example.com", "ceramic-pour-over-mug", "1")
        .await;
    let number = app.order_number(order).await.to_string();
    let lost = app.another_browser();
    for _ in 0..5 {
        look_up(&lost, &number, "guest@example.com").await;
    }
    assert_eq!(app.outbox_of_kind("order_lookup").await.len(), 3);

    let response = lost
        .submit(
            "/orders/lookup",
            &[("number", "twelve"), ("email", "guest@example.com")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        crate::helpers::text(response)
            .await
            .contains("such as 1042")
    );
}
