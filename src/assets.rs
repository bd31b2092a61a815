//! Fingerprinted static files. At start-up every file under `static/` (uploads aside) gets a
//! hash of its content, and pages link to `/assets/{hash}/{path}`: a new version of a file has
//! a new URL, so browsers may keep each URL for a year (`immutable`) and still never show a
//! stale stylesheet. The plain `/static/{path}` URLs keep working, with ordinary revalidation.
//! `Site` (the base URL and these files) is what pages know about the site itself.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use actix_files::NamedFile;
use actix_web::http::header::{CACHE_CONTROL, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use anyhow::Context;
use sha2::{Digest, Sha256};

use crate::error::AppError;

/// What pages need to know about the site itself: where it is, and its fingerprinted files.
#[derive(Debug, Default)]
pub struct Site {
    /// `BASE_URL`, without a trailing slash: links that leave the page (canonical, Open Graph,
    /// the sitemap) are absolute.
    pub base_url: String,
    pub assets: Assets,
}

/// Where fingerprinted files are served.
pub const PREFIX: &str = "/assets";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

#[derive(Debug, Default)]
pub struct Assets {
    /// "/static/css/site.css" → "/assets/3f2a9c1e0b7d/css/site.css".
    urls: HashMap<String, String>,
    /// "css/site.css" → its hash and where it is on disk.
    files: HashMap<String, (String, PathBuf)>,
}

impl Assets {
    /// Hashes every file under `dir`, leaving out the directory `skip` (uploads, whose names
    /// are already unique and which change while the shop runs).
    pub fn scan(dir: &Path, skip: &Path) -> anyhow::Result<Self> {
        let mut assets = Self::default();
        let skip = skip.canonicalize().ok();
        let mut pending = vec![dir.to_path_buf()];
        while let Some(current) = pending.pop() {
            let entries = std::fs::read_dir(&current)
                .with_context(|| format!("listing {}", current.display()))?;
            for entry in entries {
                let path = entry?.path();
                if path.is_dir() {
                    if path.canonicalize().ok() != skip {
                        pending.push(path);
                    }
                    continue;
                }
                let Some(relative) = path
                    .strip_prefix(dir)
                    .ok()
                    .and_then(|p| p.to_str())
                    .map(|p| p.replace('\\', "/"))
                else {
                    continue;
                };
                let bytes =
                    std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
                let hash = Sha256::digest(&bytes).iter().take(6).fold(
                    String::with_capacity(12),
                    |mut hex, byte| {
                        let _ = write!(hex, "{byte:02x}");
                        hex
                    },
                );
                assets.urls.insert(
                    format!("/static/{relative}"),
                    format!("{PREFIX}/{hash}/{relative}"),
                );
                assets.files.insert(relative, (hash, path));
            }
        }
        Ok(assets)
    }

    /// The fingerprinted URL of a `/static/...` file, or `path` itself when it is not one (an
    /// upload, an outside URL).
    pub fn url<'a>(&'a self, path: &'a str) -> &'a str {
        self.urls.get(path).map_or(path, String::as_str)
    }
}

/// `GET /assets/{hash}/{path}`: the file, cached for a year. A hash that is not the file's
/// current one (a page from before a deploy) still gets the current file, revalidated.
pub async fn serve(
    req: HttpRequest,
    site: web::Data<Site>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (hash, file) = path.into_inner();
    let (current, on_disk) = site.assets.files.get(&file).ok_or(AppError::NotFound)?;
    let mut response = NamedFile::open_async(on_disk)
        .await
        .map_err(|_| AppError::NotFound)?
        .use_etag(*current != hash)
        .use_last_modified(*current != hash)
        .into_response(&req);
    let cache = if *current == hash {
        IMMUTABLE
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    Ok(response)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        &format!("{PREFIX}/{{hash}}/{{path:.+}}"),
        web::get().to(serve),
    );
}

#[cfg(test)]
mod tests {
    use super::Assets;

    #[test]
    fn static_files_get_a_url_with_their_content_hash() {
        let dir = std::env::temp_dir().join(format!("assets-{}", std::process::id()));
        let css = dir.join("css");
        std::fs::create_dir_all(&css).unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir_all(dir.join("uploads")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(css.join("site.css"), "body{}").unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.join("uploads/a.jpg"), "x").unwrap_or_else(|e| panic!("{e}"));
        let assets = Assets::scan(&dir, &dir.join("uploads")).unwrap_or_else(|e| panic!("{e:?}"));
        // The first 6 bytes of SHA-256("body{}").
        assert_eq!(
            assets.url("/static/css/site.css"),
            "/assets/7c98040a5416/css/site.css"
        );
        assert_eq!(assets.url("/static/uploads/a.jpg"), "/static/uploads/a.jpg");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
