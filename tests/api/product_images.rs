//! Several images per product: the admin adds (uploads or shipped pictures), reorders, removes
//! them and sets their text; the product page shows them as a gallery, and cart and order
//! lines show the first one's small size.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

use crate::helpers::{TestApp, location, spawn_app, text};

const OWNER: &str = "owner@example.com";

impl TestApp {
    /// Posts the images page's add form (multipart).
    async fn add_image(
        &self,
        product: i64,
        choice: &str,
        alt: &str,
        file: Option<Vec<u8>>,
    ) -> reqwest::Response {
        let mut form = Form::new()
            .text("csrf_token", self.csrf_token().await)
            .text("image_choice", choice.to_owned())
            .text("alt", alt.to_owned());
        if let Some(bytes) = file {
            form = form.part(
                "image_file",
                Part::bytes(bytes)
                    .file_name("photo.jpg")
                    .mime_str("image/jpeg")
                    .unwrap_or_else(|e| panic!("{e}")),
            );
        }
        self.client
            .post(self.url(&format!("/admin/products/{product}/images")))
            .multipart(form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("adding an image: {e}"))
    }

    /// The image ids on the product's images page, in order.
    async fn image_ids(&self, product: i64) -> Vec<String> {
        let html = self
            .get_html(&format!("/admin/products/{product}/images"))
            .await;
        let marker = format!("/admin/products/{product}/images/");
        let mut ids: Vec<String> = Vec::new();
        for rest in html.split(&marker).skip(1) {
            let id = rest.split('/').next().unwrap_or_default().to_owned();
            if ids.last() != Some(&id) {
                ids.push(id);
            }
        }
        ids
    }
}

/// The `src` of each picture in the product page's gallery, with its `alt`.
fn gallery(html: &str) -> Vec<(String, String)> {
    let start = html
        .find("class=\"gallery-pictures\"")
        .unwrap_or_else(|| panic!("no gallery: {html}"));
    let end = html[start..].find("</ul>").unwrap_or(0) + start;
    html[start..end]
        .split("<img ")
        .skip(1)
        .map(|tag| {
            let attr = |name: &str| {
                tag.split(&format!("{name}=\""))
                    .nth(1)
                    .and_then(|v| v.split('"').next())
                    .unwrap_or_default()
                    .to_owned()
            };
            (attr("src"), attr("alt"))
        })
        .collect()
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::DynamicImage::new_rgb8(width, height)
        .write_to(
            &mut std::io::Cursor::new(&mut out),
            image::ImageFormat::Jpeg,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    out
}

#[tokio::test]
async fn an_admin_adds_reorders_describes_and_removes_a_products_images() {
    let app = spawn_app().await;
    app.sign_in_as_admin(OWNER).await;
    let tote = app.product_id("canvas-tote-bag").await;
    let before = gallery(&app.get_html("/products/canvas-tote-bag").await);
    assert!(!before.is_empty(), "the demo product has its pictures");

    // An upload: stored in three sizes, added last, with its text.
    let response = app
        .add_image(tote, "", "The tote on a shoulder", Some(jpeg(1600, 1200)))
        .await;
    assert_eq!(
        location(&response),
        format!("/admin/products/{tote}/images")
    );
    let mut files: Vec<String> = std::fs::read_dir(&app.upload_dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    files.sort();
    assert_eq!(files.len(), 3, "main, thumbnail and small: {files:?}");
    let small = files
        .iter()
        .find(|f| f.ends_with("-small.jpg"))
        .unwrap_or_else(|| panic!("no small size: {files:?}"));
    let bytes = app
        .get(&format!("/static/uploads/{small}"))
        .await
        .bytes()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let decoded = image::load_from_memory(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((decoded.width(), decoded.height()), (160, 120));

    // A shipped picture.
    let response = app
        .add_image(tote, "/static/img/products/linen-notebook.svg", "", None)
        .await;
    assert_eq!(
        location(&response),
        format!("/admin/products/{tote}/images")
    );
    let pictures = gallery(&app.get_html("/products/canvas-tote-bag").await);
    assert_eq!(pictures.len(), before.len() + 2);
    let uploaded = &pictures[before.len()];
    assert!(uploaded.0.starts_with("/static/uploads/") && uploaded.0.ends_with(".jpg"));
    assert_eq!(uploaded.1, "The tote on a shoulder");
    assert!(pictures[before.len() + 1].0.contains("linen-notebook"));
    assert_eq!(
        pictures[before.len() + 1].1,
        "Canvas Tote Bag",
        "no text of its own: the product's name"
    );

    // The upload moves to the front: it is the cover in the catalog now.
    let ids = app.image_ids(tote).await;
    let upload_id = &ids[before.len()];
    for _ in 0..before.len() {
        let response = app
            .submit(
                &format!("/admin/products/{tote}/images/{upload_id}/move"),
                &[("to", "earlier")],
            )
            .await;
        assert_eq!(
            location(&response),
            format!("/admin/products/{tote}/images")
        );
    }
    let pictures = gallery(&app.get_html("/products/canvas-tote-bag").await);
    assert_eq!(pictures[0].1, "The tote on a shoulder");
    let listing = app.get_html("/category/accessories").await;
    assert!(
        listing.contains("-thumb.jpg"),
        "the catalog shows the new cover's thumbnail"
    );
    let response = app
        .submit(
            &format!("/admin/products/{tote}/images/{upload_id}/move"),
            &[("to", "earlier")],
        )
        .await;
    assert_eq!(
        location(&response),
        format!("/admin/products/{tote}/images")
    );
    assert_eq!(app.image_ids(tote).await[0], *upload_id, "already first");
    let response = app
        .submit(
            &format!("/admin/products/{tote}/images/{upload_id}/move"),
            &[("to", "sideways")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // Its text changes; a text too long changes nothing.
    let response = app
        .submit(
            &format!("/admin/products/{tote}/images/{upload_id}/alt"),
            &[("alt", "  Tote   on a shoulder ")],
        )
        .await;
    assert_eq!(
        location(&response),
        format!("/admin/products/{tote}/images")
    );
    let long = "x".repeat(301);
    let response = app
        .submit(
            &format!("/admin/products/{tote}/images/{upload_id}/alt"),
            &[("alt", &long)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(text(response).await.contains("use at most 300 characters"));
    let pictures = gallery(&app.get_html("/products/canvas-tote-bag").await);
    assert_eq!(pictures[0].1, "Tote on a shoulder");

    // Removing the upload deletes its files; another product's image can't be touched here.
    let other = app.product_id("linen-notebook").await;
    let response = app
        .submit(
            &format!("/admin/products/{other}/images/{upload_id}/remove"),
            &[],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = app
        .submit(
            &format!("/admin/products/{tote}/images/{upload_id}/remove"),
            &[],
        )
        .await;
    assert_eq!(
        location(&response),
        format!("/admin/products/{tote}/images")
    );
    assert_eq!(
        std::fs::read_dir(&app.upload_dir)
            .map(|d| d.count())
            .unwrap_or(0),
        0,
        "the upload's files are gone"
    );
    let pictures = gallery(&app.get_html("/products/canvas-tote-bag").await);
    assert_eq!(pictures.len(), before.len() + 1);
    assert_eq!(pictures[0], before[0], "the old cover is first again");

    // The last image stays.
    let ids = app.image_ids(tote).await;
    for id in &ids[1..] {
        app.submit(&format!("/admin/products/{tote}/images/{id}/remove"), &[])
            .await;
    }
    let response = app
        .submit(
            &format!("/admin/products/{tote}/images/{}/remove", ids[0]),
            &[],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        text(response)
            .await
            .contains("a product needs at least one image")
    );
    assert_eq!(
        gallery(&app.get_html("/products/canvas-tote-bag").await).len(),
        1
    );
}

#[tokio::test]
async fn a_bad_image_or_choice_adds_nothing_and_says_why() {
    let app = spawn_app().await;
    app.sign_in_as_admin(OWNER).await;
    let tote = app.product_id("canvas-tote-bag").await;
    let before = app.image_ids(tote).await;

    let response = app
        .add_image(tote, "", "", Some(b"<svg onload=alert(1)>".to_vec()))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        text(response)
            .await
            .contains("Image: upload a PNG, JPEG or WebP image.")
    );
    let mut oversized = jpeg(10, 10);
    oversized.resize(3 * 1024 * 1024, 0);
    let response = app.add_image(tote, "", "", Some(oversized)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        text(response)
            .await
            .contains("Image: upload an image of at most 2048 KiB.")
    );
    let response = app.add_image(tote, "/etc/passwd", "", None).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        text(response)
            .await
            .contains("Image: choose one of the images listed.")
    );
    let response = app.add_image(tote, "", "Just text", None).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = text(response).await;
    assert!(html.contains("Image: choose an image or upload one."));
    assert!(html.contains("value=\"Just text\""), "what was typed stays");

    // Without the session's CSRF token nothing is read.
    let response = app
        .client
        .post(app.url(&format!("/admin/products/{tote}/images")))
        .multipart(Form::new().text("image_choice", "/static/img/products/linen-notebook.svg"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    assert_eq!(app.image_ids(tote).await, before);
    assert_eq!(
        std::fs::read_dir(&app.upload_dir)
            .map(|d| d.count())
            .unwrap_or(0),
        0
    );

    // A shopper can't reach the images page.
    let shopper = app.another_browser();
    let response = shopper.get(&format!("/admin/products/{tote}/images")).await;
    assert_ne!(response.status(), StatusCode::OK);
}

/// The small pictures in `html`'s cart or order lines.
fn line_thumbnails(html: &str) -> Vec<String> {
    html.split("class=\"line-thumb\" src=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn cart_and_order_lines_show_the_products_small_picture() {
    let app = spawn_app().await;
    app.sign_in_as_admin(OWNER).await;
    let tote = app.product_id("canvas-tote-bag").await;
    app.add_image(tote, "", "", Some(jpeg(800, 600))).await;
    let upload = app
        .image_ids(tote)
        .await
        .last()
        .cloned()
        .unwrap_or_default();
    for _ in 0..5 {
        app.submit(
            &format!("/admin/products/{tote}/images/{upload}/move"),
            &[("to", "earlier")],
        )
        .await;
    }

    let shopper = app.another_browser();
    shopper.add_to_cart("canvas-tote-bag", "1").await;
    shopper.add_to_cart("linen-notebook", "2").await;
    let cart = shopper.get_html("/cart").await;
    let thumbs = line_thumbnails(&cart);
    assert_eq!(thumbs.len(), 2, "{cart}");
    assert!(
        thumbs[0].starts_with("/static/uploads/") && thumbs[0].ends_with("-small.jpg"),
        "{thumbs:?}"
    );
    assert!(thumbs[1].contains("linen-notebook"), "{thumbs:?}");
    let response = shopper.get(&thumbs[0]).await;
    assert_eq!(response.status(), StatusCode::OK);

    let order = shopper.checkout("ada@example.com").await;
    let (status, intent) = shopper.pay_with_card(order, crate::helpers::VISA).await;
    assert_eq!(status, StatusCode::OK, "{intent}");
    for (who, page) in [
        (&shopper, format!("/orders/{order}")),
        (&app, format!("/admin/orders/{order}")),
    ] {
        let html = who.get_html(&page).await;
        let thumbs = line_thumbnails(&html);
        assert_eq!(thumbs.len(), 2, "{page}");
        assert!(thumbs[0].ends_with("-small.jpg"), "{page}: {thumbs:?}");
        assert!(thumbs[1].contains("linen-notebook"), "{page}: {thumbs:?}");
    }
}
