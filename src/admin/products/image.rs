//! Product images: the ones the shop ships, and uploads. An upload is decoded (PNG, JPEG or
//! WebP, whatever the file is called) and encoded again from its pixels, so whatever else the
//! file carried — HTML or script in a polyglot, trailing bytes, metadata — is never stored or
//! served. Two sizes are written under random names: the product page's image and the
//! catalog's thumbnail.

use std::io::Cursor;

use anyhow::Context;
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use uuid::Uuid;

use crate::catalog::db::ImageFiles;
use crate::catalog::images::{SMALL_SUFFIX, THUMB_SUFFIX, UPLOAD_URL};
use crate::seed;

/// Larger uploads are refused; product photos for the web are far smaller.
pub const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;
/// Larger images are refused before they are decoded (a small file can claim huge pixels).
pub const MAX_SIDE: u32 = 6000;
/// The product page shows images at 640×480 and the catalog at 320×240: stored at twice that,
/// for sharp screens.
const MAIN_SIZE: (u32, u32) = (1280, 960);
const THUMB_SIZE: (u32, u32) = (640, 480);
/// Cart and order lines show images at 80×60.
const SMALL_SIZE: (u32, u32) = (160, 120);
const JPEG_QUALITY: u8 = 85;

/// Why an upload is not an image the shop takes, in the admin's words.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImageProblem {
    #[error("Image: upload a PNG, JPEG or WebP image.")]
    NotAnImage,
    #[error("Image: upload an image of at most {MAX_SIDE}×{MAX_SIDE} pixels.")]
    TooManyPixels,
}

/// An upload decoded and encoded again, in its three sizes.
#[derive(Debug)]
pub struct Processed {
    main: Vec<u8>,
    thumb: Vec<u8>,
    small: Vec<u8>,
    extension: &'static str,
}

/// Decodes the upload and encodes it again (off the async executor): JPEG, or PNG when it has
/// transparency.
pub async fn process(bytes: Vec<u8>) -> anyhow::Result<Result<Processed, ImageProblem>> {
    tokio::task::spawn_blocking(move || reencode(&bytes))
        .await
        .context("image processing task")
}

fn reencode(bytes: &[u8]) -> Result<Processed, ImageProblem> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| ImageProblem::NotAnImage)?;
    if !matches!(
        reader.format(),
        Some(ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP)
    ) {
        return Err(ImageProblem::NotAnImage);
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => ImageProblem::TooManyPixels,
        _ => ImageProblem::NotAnImage,
    })?;

    let main = if image.width() > MAIN_SIZE.0 || image.height() > MAIN_SIZE.1 {
        image.resize(MAIN_SIZE.0, MAIN_SIZE.1, FilterType::Lanczos3)
    } else {
        image.clone()
    };
    let thumb = image.resize_to_fill(THUMB_SIZE.0, THUMB_SIZE.1, FilterType::Lanczos3);
    let small = thumb.resize_to_fill(SMALL_SIZE.0, SMALL_SIZE.1, FilterType::Lanczos3);
    let transparent = image.color().has_alpha();
    let encode = |image: &DynamicImage| -> Result<Vec<u8>, ImageProblem> {
        let mut out = Vec::new();
        let written = if transparent {
            image.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        } else {
            JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY).encode_image(&image.to_rgb8())
        };
        written.map(|()| out).map_err(|_| ImageProblem::NotAnImage)
    };
    Ok(Processed {
        main: encode(&main)?,
        thumb: encode(&thumb)?,
        small: encode(&small)?,
        extension: if transparent { "png" } else { "jpg" },
    })
}

/// The images shipped under static/img/products, as product image paths.
pub fn shipped() -> Vec<String> {
    seed::pictures().flat_map(|(_, paths)| paths).collect()
}

/// Writes the three sizes under a random name in `dir`; returns their paths on the site.
pub async fn store(dir: &str, image: Processed) -> anyhow::Result<ImageFiles> {
    let name = Uuid::new_v4().simple().to_string();
    let extension = image.extension;
    let main_name = format!("{name}.{extension}");
    let thumb_name = format!("{name}{THUMB_SUFFIX}.{extension}");
    let small_name = format!("{name}{SMALL_SUFFIX}.{extension}");
    let stored = ImageFiles {
        path: format!("{UPLOAD_URL}/{main_name}"),
        thumb_path: format!("{UPLOAD_URL}/{thumb_name}"),
        small_path: format!("{UPLOAD_URL}/{small_name}"),
    };
    let dir = std::path::PathBuf::from(dir);
    let files = [
        (dir.join(main_name), image.main),
        (dir.join(thumb_name), image.thumb),
        (dir.join(small_name), image.small),
    ];
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        for (file, bytes) in files {
            std::fs::write(&file, bytes).with_context(|| format!("writing {}", file.display()))?;
        }
        Ok(())
    })
    .await
    .context("image writing task")??;
    Ok(stored)
}

/// Deletes an upload's files once no image uses them any more; shipped images stay.
pub async fn delete_unused(dir: &str, files: ImageFiles) -> anyhow::Result<()> {
    let dir = std::path::PathBuf::from(dir);
    let names: Vec<String> = [files.path, files.thumb_path, files.small_path]
        .iter()
        .filter_map(|path| path.strip_prefix(UPLOAD_URL)?.strip_prefix('/'))
        // Random names only: never a path that leaves the directory.
        .filter(|name| !name.is_empty() && !name.contains(['/', '\\']) && !name.starts_with('.'))
        .map(str::to_owned)
        .collect();
    tokio::task::spawn_blocking(move || {
        for name in names {
            let file = dir.join(&name);
            if let Err(e) = std::fs::remove_file(&file)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!(file = %file.display(), error = %e, "could not delete a removed image");
            }
        }
    })
    .await
    .context("image deleting task")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(image: DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut out), format)
            .unwrap_or_else(|e| panic!("{e}"));
        out
    }

    #[test]
    fn an_upload_is_encoded_again_without_what_it_carried() {
        let photo = DynamicImage::new_rgb8(2000, 1000);
        let mut polyglot = encoded(photo, ImageFormat::Jpeg);
        polyglot.extend_from_slice(b"<html><script>alert(1)</script></html>");
        let processed = reencode(&polyglot).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(processed.extension, "jpg");
        for bytes in [&processed.main, &processed.thumb, &processed.small] {
            assert!(!bytes.windows(7).any(|w| w == b"<script"));
        }
        let main = image::load_from_memory(&processed.main).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((main.width(), main.height()), (1280, 640));
        let thumb = image::load_from_memory(&processed.thumb).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((thumb.width(), thumb.height()), THUMB_SIZE);
        let small = image::load_from_memory(&processed.small).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((small.width(), small.height()), SMALL_SIZE);
    }

    #[test]
    fn what_does_not_decode_is_not_an_image() {
        assert_eq!(
            reencode(b"just some text").err(),
            Some(ImageProblem::NotAnImage)
        );
        assert_eq!(
            reencode(b"\x89PNG\r\n\x1a\nnot really").err(),
            Some(ImageProblem::NotAnImage)
        );
        assert_eq!(
            reencode(b"<svg xmlns=").err(),
            Some(ImageProblem::NotAnImage)
        );
        let tiny = encoded(DynamicImage::new_rgb8(1, 1), ImageFormat::Png);
        assert!(reencode(&tiny).is_ok());
    }
}
