//! The listings: `GET /` (every product), `GET /category/{slug}` and `GET /search?q=`, each
//! sorted (`?sort=`) and in pages (`?page=`). The first two come from the catalog cache; a
//! search asks PostgreSQL which products match, then shows them from the cache.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::browse::{ListingQuery, MAX_SEARCH_CHARS, Pager, Sort, listing_href};
use super::cache::{Catalog, CatalogCache};
use super::db::{self, Category, Product};
use super::grid::{Grid, GridKey};
use super::search_limit::SearchLimit;
use crate::client_ip::ClientIp;
use crate::db::DbPool;
use crate::error::AppError;
use crate::page::{PageContext, render};

/// A search shows at most this many matches, best first.
const MAX_SEARCH_RESULTS: i64 = 480;

/// What a listing page is of.
#[derive(Debug)]
enum Listing<'a> {
    Everything,
    Category(&'a Category),
    Search(&'a str),
}

#[derive(Template)]
#[template(path = "catalog/index.html")]
pub struct ListingPage<'a> {
    ctx: PageContext,
    catalog: &'a Catalog,
    listing: Listing<'a>,
    products: &'a [&'a Product],
    pager: Pager,
    sort: Sort,
    /// The orders offered, each with its link.
    sorts: Vec<(Sort, String)>,
    grid: Arc<Grid>,
}

impl ListingPage<'_> {
    fn heading(&self) -> String {
        match &self.listing {
            Listing::Everything => "Shop".into(),
            Listing::Category(category) => category.name.clone(),
            Listing::Search(q) => format!("Results for “{q}”"),
        }
    }

    fn current_category(&self) -> &str {
        match &self.listing {
            Listing::Category(category) => &category.slug,
            _ => "",
        }
    }

    fn is_search(&self) -> bool {
        matches!(self.listing, Listing::Search(_))
    }

    fn description(&self) -> String {
        match &self.listing {
            Listing::Category(category) if !category.description.is_empty() => {
                category.description.clone()
            }
            Listing::Category(category) => format!("{} at Storefront.", category.name),
            Listing::Search(q) => format!("Products at Storefront matching “{q}”."),
            Listing::Everything => "Storefront: everyday goods made to last — mugs, tees, \
                 notebooks and more, paid for securely with Stripe."
                .into(),
        }
    }

    /// This page of the listing in its default order: the sorted copies of a page show the
    /// same products, so search engines are pointed at one of them.
    fn canonical_url(&self) -> String {
        let base = match &self.listing {
            Listing::Category(category) => format!("/category/{}", category.slug),
            _ => "/".to_owned(),
        };
        match self.pager.page {
            1 => self.ctx.absolute(&base),
            page => self.ctx.absolute(&format!("{base}?page={page}")),
        }
    }

    /// The terms typed, to show again in the search box.
    fn search_terms(&self) -> &str {
        match &self.listing {
            Listing::Search(q) => q,
            _ => "",
        }
    }
}

/// Sorts and pages `matched` and renders the listing.
fn listing_page(
    ctx: PageContext,
    catalog: &Catalog,
    listing: Listing<'_>,
    mut matched: Vec<&Product>,
    base_path: &str,
    query: &ListingQuery,
) -> Result<HttpResponse, AppError> {
    let (default_sort, offered): (Sort, &[Sort]) = match listing {
        Listing::Search(_) => (
            Sort::Relevance,
            &[
                Sort::Relevance,
                Sort::PriceAsc,
                Sort::PriceDesc,
                Sort::Newest,
                Sort::Name,
            ],
        ),
        _ => (
            Sort::Name,
            &[Sort::Name, Sort::PriceAsc, Sort::PriceDesc, Sort::Newest],
        ),
    };
    let sort = query.sort.unwrap_or(default_sort);
    if !offered.contains(&sort) {
        return Err(AppError::BadRequest(
            "That order is only for search results.".into(),
        ));
    }
    let q = match listing {
        Listing::Search(q) => Some(q),
        _ => None,
    };
    sort.apply(&mut matched);
    let pager = Pager::new(base_path, q, sort, default_sort, query.page, matched.len())?;
    let sorts = offered
        .iter()
        .map(|&s| (s, listing_href(base_path, q, s, default_sort)))
        .collect();
    let products = pager.slice(&matched);
    let render_grid = || Grid::render(&ctx, catalog, products);
    let category_id = match listing {
        Listing::Everything => Some(None),
        Listing::Category(category) => Some(Some(category.id)),
        // A search's matches change with its words and the products' text: not kept.
        Listing::Search(_) => None,
    };
    let grid = match category_id {
        Some(category_id) => catalog.grids.get_or_render(
            GridKey {
                category_id,
                sort,
                page: pager.page,
            },
            render_grid,
        ),
        None => render_grid().map(Arc::new),
    }
    .map_err(|e| AppError::Unexpected(e.into()))?;
    let page = ListingPage {
        ctx,
        catalog,
        listing,
        products,
        pager,
        sort,
        sorts,
        grid,
    };
    render(&page, StatusCode::OK)
}

#[tracing::instrument(skip_all)]
pub async fn product_listing(
    ctx: PageContext,
    pool: web::Data<DbPool>,
    cache: web::Data<CatalogCache>,
    query: web::Query<ListingQuery>,
) -> Result<HttpResponse, AppError> {
    let catalog = cache.catalog(&pool).await?;
    let all = catalog.products.iter().collect();
    listing_page(ctx, &catalog, Listing::Everything, all, "/", &query)
}

#[tracing::instrument(skip(ctx, pool, cache, query))]
pub async fn category_listing(
    ctx: PageContext,
    pool: web::Data<DbPool>,
    cache: web::Data<CatalogCache>,
    slug: web::Path<String>,
    query: web::Query<ListingQuery>,
) -> Result<HttpResponse, AppError> {
    let catalog = cache.catalog(&pool).await?;
    let category = catalog.category(&slug).ok_or(AppError::NotFound)?;
    let matched = catalog
        .products
        .iter()
        .filter(|p| p.category_id == Some(category.id))
        .collect();
    let base_path = format!("/category/{}", category.slug);
    listing_page(
        ctx,
        &catalog,
        Listing::Category(category),
        matched,
        &base_path,
        &query,
    )
}

#[tracing::instrument(skip_all)]
pub async fn search(
    req: HttpRequest,
    ctx: PageContext,
    pool: web::Data<DbPool>,
    cache: web::Data<CatalogCache>,
    limit: web::Data<SearchLimit>,
    query: web::Query<ListingQuery>,
) -> Result<HttpResponse, AppError> {
    let terms = query.q.as_deref().unwrap_or("").trim();
    if terms.is_empty() {
        return Ok(crate::page::see_other("/"));
    }
    if terms.chars().count() > MAX_SEARCH_CHARS {
        return Err(AppError::BadRequest(format!(
            "Search for at most {MAX_SEARCH_CHARS} characters."
        )));
    }
    limit.check(ClientIp::of(&req)?.0)?;
    let ids = db::search_active(&mut *pool.get().await?, terms, MAX_SEARCH_RESULTS).await?;
    let catalog: Arc<Catalog> = cache.catalog(&pool).await?;
    // A product deactivated since the search ran is not in the cached catalog: left out.
    let matched = ids.iter().filter_map(|&id| catalog.by_id(id)).collect();
    listing_page(
        ctx,
        &catalog,
        Listing::Search(terms),
        matched,
        "/search",
        &query,
    )
}
