//! Where a product's images are: uploads are served from [`UPLOAD_URL`], each with two smaller
//! copies beside it (the catalog's thumbnail, and a small one for cart and order lines); the
//! shipped images are SVGs under `static/img/products`.

/// Where `Settings.upload_dir` is served.
pub const UPLOAD_URL: &str = "/static/uploads";
/// What an upload's catalog copy adds to its name.
pub const THUMB_SUFFIX: &str = "-thumb";
/// What an upload's cart-line copy adds to its name.
pub const SMALL_SUFFIX: &str = "-small";

/// The catalog's thumbnail of a product image: an upload's smaller copy; a shipped (SVG) image
/// is its own.
pub fn thumbnail_of(image_path: &str) -> String {
    match image_path
        .strip_prefix(UPLOAD_URL)
        .and_then(|name| name.rsplit_once('.'))
    {
        Some((stem, extension)) if !stem.ends_with(THUMB_SUFFIX) => {
            format!("{UPLOAD_URL}{stem}{THUMB_SUFFIX}.{extension}")
        }
        _ => image_path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::thumbnail_of;

    #[test]
    fn thumbnails_of_uploads_sit_beside_them() {
        assert_eq!(
            thumbnail_of("/static/uploads/abc.jpg"),
            "/static/uploads/abc-thumb.jpg"
        );
        assert_eq!(
            thumbnail_of("/static/img/products/mug.svg"),
            "/static/img/products/mug.svg"
        );
    }
}
