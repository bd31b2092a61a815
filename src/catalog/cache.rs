//! The active products (with their images and the categories), kept in memory and dropped whenever PostgreSQL says that what the
//! catalog pages show has changed.
//!
//! A trigger on `products` sends `NOTIFY catalog_changed` on such changes (see the migration
//! `notify_catalog_changes`), whoever makes them: this server, another app server, an admin at
//! a SQL prompt. Each server listens on a connection of its own and bumps its version on every
//! notification. While that connection is not up (at start-up, after losing it) the cache is
//! bypassed, so no server shows a stale catalog for longer than a notification takes to arrive.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::StreamExt;

use super::db::{self, Category, Product, ProductImage, Variant};
use super::grid::Grids;
use crate::db::DbPool;
use crate::error::AppError;

/// The channel the trigger notifies.
const CHANNEL: &str = "catalog_changed";
/// Pages show the stock only up to here ("Only 3 left", a quantity picker up to 99), and the
/// trigger ignores stock changes above it; the cached copies hold the stock capped to it.
pub const SHOWN_STOCK_CAP: i32 = 100;
/// How long the listening connection may stay quiet before it is checked.
const CHECK_EVERY: Duration = Duration::from_secs(10);

/// The active products as the catalog pages show them, ordered by name, and the categories.
#[derive(Debug)]
pub struct Catalog {
    version: u64,
    pub products: Vec<Product>,
    pub categories: Vec<Category>,
    /// Where each product is in `products`, by id (search results come as ids).
    positions: HashMap<i64, usize>,
    /// Each product's images in order, by product id.
    images: HashMap<i64, Vec<ProductImage>>,
    /// The active variants of each product that has some, in their order.
    variants: HashMap<i64, Vec<Variant>>,
    /// The listing grids rendered from this copy.
    pub grids: Grids,
}

impl Catalog {
    pub fn by_slug(&self, slug: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.slug == slug)
    }

    pub fn by_id(&self, id: i64) -> Option<&Product> {
        self.positions
            .get(&id)
            .and_then(|&at| self.products.get(at))
    }

    /// The product's images in order (its gallery).
    pub fn images_of(&self, product_id: i64) -> &[ProductImage] {
        self.images.get(&product_id).map_or(&[], Vec::as_slice)
    }

    /// The product's variants on sale; empty for a product without options.
    pub fn variants_of(&self, product_id: i64) -> &[Variant] {
        self.variants.get(&product_id).map_or(&[], Vec::as_slice)
    }

    /// Whether the product is bought as one of its options (its page has the picker).
    pub fn has_options(&self, product: &Product) -> bool {
        !self.variants_of(product.id).is_empty()
    }

    pub fn category(&self, slug: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.slug == slug)
    }
}

#[derive(Debug, Default)]
pub struct CatalogCache {
    /// Bumped by every change notification and whenever the listener (re)connects.
    version: AtomicU64,
    /// Whether notifications are being received; when not, the cache is not used.
    listening: AtomicBool,
    current: RwLock<Option<Arc<Catalog>>>,
}

impl CatalogCache {
    /// The catalog: the cached copy when it is current, otherwise read from the database.
    pub async fn catalog(&self, pool: &DbPool) -> Result<Arc<Catalog>, AppError> {
        // Read the version before the rows: a change committed meanwhile bumps it, so the copy
        // made from these rows is already out of date and is not served again.
        let version = self.version.load(Ordering::Acquire);
        let listening = self.listening.load(Ordering::Acquire);
        if listening && let Some(catalog) = self.cached(version) {
            return Ok(catalog);
        }
        let mut conn = pool.get().await?;
        let mut products = db::active_products(&mut conn).await?;
        let categories = db::categories(&mut conn).await?;
        let mut images: HashMap<i64, Vec<ProductImage>> = HashMap::new();
        for image in db::active_product_images(&mut conn).await? {
            images.entry(image.product_id).or_default().push(image);
        }
        let all_variants = db::active_variants(&mut conn).await?;
        drop(conn);
        let mut variants: HashMap<i64, Vec<Variant>> = HashMap::new();
        for mut variant in all_variants {
            variant.stock = variant.stock.min(SHOWN_STOCK_CAP);
            variants
                .entry(variant.product_id)
                .or_default()
                .push(variant);
        }
        for product in &mut products {
            // A product with options is in stock when one of them is.
            if let Some(options) = variants.get(&product.id) {
                product.stock = options.iter().map(|v| v.stock).sum();
            }
            product.stock = product.stock.min(SHOWN_STOCK_CAP);
        }
        let positions = products
            .iter()
            .enumerate()
            .map(|(at, p)| (p.id, at))
            .collect();
        let catalog = Arc::new(Catalog {
            version,
            products,
            categories,
            positions,
            images,
            variants,
            grids: Grids::default(),
        });
        if listening {
            let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
            if current.as_ref().is_none_or(|c| c.version <= version) {
                *current = Some(catalog.clone());
            }
        }
        Ok(catalog)
    }

    fn cached(&self, version: u64) -> Option<Arc<Catalog>> {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        current.as_ref().filter(|c| c.version == version).cloned()
    }

    /// This server changed what the catalog shows: its copy goes now, without waiting for the
    /// notification, so whoever made the change sees it on their next page.
    pub fn changed(&self) {
        self.invalidate();
    }

    fn invalidate(&self) {
        self.version.fetch_add(1, Ordering::AcqRel);
    }
}

/// Listens for catalog changes for as long as the server runs, reconnecting when the
/// connection is lost.
pub fn spawn_listener(database_url: String, cache: Arc<CatalogCache>) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = listen(&database_url, &cache).await {
                tracing::warn!(error = %e, "not listening for catalog changes: the catalog is read from the database until the listener reconnects");
            }
            cache.listening.store(false, Ordering::Release);
            cache.invalidate();
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}

async fn listen(database_url: &str, cache: &CatalogCache) -> anyhow::Result<()> {
    let mut conn = AsyncPgConnection::establish(database_url).await?;
    conn.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    // Whatever changed before LISTEN took effect was not notified to this connection.
    cache.invalidate();
    cache.listening.store(true, Ordering::Release);
    loop {
        let next = {
            let mut notifications = std::pin::pin!(conn.notifications_stream());
            tokio::time::timeout(CHECK_EVERY, notifications.next()).await
        };
        match next {
            Ok(Some(Ok(_))) => cache.invalidate(),
            Ok(Some(Err(e))) => return Err(e.into()),
            Ok(None) => anyhow::bail!("the connection closed"),
            // Quiet for a while: make sure the connection is still there.
            Err(_) => tokio::time::timeout(CHECK_EVERY, conn.batch_execute("SELECT 1"))
                .await
                .map_err(|_| anyhow::anyhow!("the connection stopped answering"))??,
        }
    }
}
