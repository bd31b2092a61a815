//! What search engines read: `/robots.txt` and `/sitemap.xml` (the shop's own pages, as
//! absolute URLs from `BASE_URL`). Each page's description, canonical link and Open Graph tags
//! are in its template.

use actix_web::{HttpResponse, web};
use askama::Template;

use crate::assets::Site;
use crate::catalog::CatalogCache;
use crate::catalog::cache::Catalog;
use crate::db::DbPool;
use crate::error::AppError;

#[derive(Template)]
#[template(path = "seo/sitemap.xml")]
struct Sitemap<'a> {
    base_url: &'a str,
    catalog: &'a Catalog,
}

/// `GET /sitemap.xml`: the catalog, every category and every active product.
pub async fn sitemap(
    site: web::Data<Site>,
    pool: web::Data<DbPool>,
    cache: web::Data<CatalogCache>,
) -> Result<HttpResponse, AppError> {
    let catalog = cache.catalog(&pool).await?;
    let body = Sitemap {
        base_url: &site.base_url,
        catalog: &catalog,
    }
    .render()
    .map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(HttpResponse::Ok()
        .content_type("application/xml; charset=utf-8")
        .body(body))
}

/// `GET /robots.txt`: everything but the pages that are someone's own (cart, checkout, orders,
/// account), the admin and the sandbox.
pub async fn robots(site: web::Data<Site>) -> HttpResponse {
    let body = format!(
        "User-agent: *\n\
         Disallow: /admin\n\
         Disallow: /cart\n\
         Disallow: /checkout\n\
         Disallow: /orders\n\
         Disallow: /account\n\
         Disallow: /_sandbox\n\
         Disallow: /search\n\
         \n\
         Sitemap: {}/sitemap.xml\n",
        site.base_url
    );
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(body)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sitemap.xml", web::get().to(sitemap))
        .route("/robots.txt", web::get().to(robots));
}
