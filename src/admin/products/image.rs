//! Product images: the ones the shop ships, and uploads checked by their content (PNG, JPEG or
//! WebP, whatever the file is called) and stored under random names.

use anyhow::Context;
use uuid::Uuid;

use crate::seed;

/// Larger images are refused; product photos for the web are far smaller.
pub const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;

/// Where `Settings.upload_dir` is served.
pub const UPLOAD_URL: &str = "/static/uploads";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    Webp,
}

impl ImageKind {
    /// What the bytes are, by their signature.
    pub fn detect(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            None
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Webp => "webp",
        }
    }
}

/// The images shipped under static/img/products, as product image paths.
pub fn shipped() -> Vec<String> {
    seed::slugs()
        .map(|slug| format!("/static/img/products/{slug}.svg"))
        .collect()
}

/// Writes the image under a random name in `dir`; returns its path on the site.
pub async fn store(dir: &str, bytes: Vec<u8>, kind: ImageKind) -> anyhow::Result<String> {
    let name = format!("{}.{}", Uuid::new_v4().simple(), kind.extension());
    let dir = std::path::PathBuf::from(dir);
    let file = dir.join(&name);
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        std::fs::write(&file, bytes).with_context(|| format!("writing {}", file.display()))
    })
    .await
    .context("image writing task")??;
    Ok(format!("{UPLOAD_URL}/{name}"))
}

#[cfg(test)]
mod tests {
    use super::ImageKind;

    #[test]
    fn images_are_known_by_their_bytes_not_their_name() {
        assert_eq!(
            ImageKind::detect(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some(ImageKind::Png)
        );
        assert_eq!(
            ImageKind::detect(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(ImageKind::Jpeg)
        );
        assert_eq!(
            ImageKind::detect(b"RIFF\x24\0\0\0WEBPVP8 "),
            Some(ImageKind::Webp)
        );
        assert_eq!(ImageKind::detect(b"just some text"), None);
        assert_eq!(ImageKind::detect(b"<svg xmlns="), None);
        assert_eq!(ImageKind::detect(b""), None);
    }
}
