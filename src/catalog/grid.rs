//! A listing page's product grid, rendered once per catalog copy and shared by every visitor.
//!
//! The grid is most of what a listing page writes (a dozen cards, each with its link, image,
//! price and add-to-cart form), and everything in it comes from the catalog copy except the
//! visitor's CSRF token in the forms. So a grid is rendered with a stand-in for the token, kept
//! with the catalog copy (a catalog change makes a new copy, and the grids go with the old
//! one), and written for each visitor with their token in the stand-in's places.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use askama::Template;
use rand::RngCore;

use super::browse::Sort;
use super::cache::Catalog;
use super::db::Product;
use crate::page::PageContext;

/// Grids kept per catalog copy: the first pages of each category in each order are what most
/// visitors see; past this, grids are rendered for each request.
const MAX_GRIDS: usize = 256;

/// Stands in for the CSRF token: random, so no product's text can contain it.
static TOKEN_STAND_IN: LazyLock<String> = LazyLock::new(|| {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().fold(String::from("csrf-"), |mut s, b| {
        s.push_str(&format!("{b:02x}"));
        s
    })
});

#[derive(Template)]
#[template(path = "catalog/grid.html")]
struct GridTemplate<'a> {
    ctx: &'a PageContext,
    catalog: &'a Catalog,
    products: &'a [&'a Product],
    /// Read by the add-to-cart form.
    csrf_token: &'a str,
}

/// Which grid: a category's (or every product's when `None`), in an order, one page of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GridKey {
    pub category_id: Option<i64>,
    pub sort: Sort,
    pub page: u32,
}

/// A grid's HTML, cut where the token goes.
#[derive(Debug)]
pub struct Grid {
    pieces: Vec<String>,
}

impl Grid {
    pub fn render(
        ctx: &PageContext,
        catalog: &Catalog,
        products: &[&Product],
    ) -> Result<Self, askama::Error> {
        let html = GridTemplate {
            ctx,
            catalog,
            products,
            csrf_token: &TOKEN_STAND_IN,
        }
        .render()?;
        Ok(Self {
            pieces: html
                .split(TOKEN_STAND_IN.as_str())
                .map(str::to_owned)
                .collect(),
        })
    }

    /// The grid as this visitor gets it (write it unescaped: it is HTML).
    pub fn for_visitor<'a>(&'a self, csrf_token: &'a str) -> VisitorGrid<'a> {
        VisitorGrid {
            grid: self,
            csrf_token,
        }
    }
}

pub struct VisitorGrid<'a> {
    grid: &'a Grid,
    csrf_token: &'a str,
}

impl fmt::Display for VisitorGrid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut pieces = self.grid.pieces.iter();
        if let Some(first) = pieces.next() {
            f.write_str(first)?;
        }
        for piece in pieces {
            write_attribute_value(f, self.csrf_token)?;
            f.write_str(piece)?;
        }
        Ok(())
    }
}

/// `value` escaped for a quoted attribute (a token is hex, but the grid does not rely on it).
fn write_attribute_value(f: &mut fmt::Formatter<'_>, value: &str) -> fmt::Result {
    for ch in value.chars() {
        match ch {
            '&' => f.write_str("&amp;")?,
            '<' => f.write_str("&lt;")?,
            '>' => f.write_str("&gt;")?,
            '"' => f.write_str("&quot;")?,
            '\'' => f.write_str("&#x27;")?,
            _ => fmt::Write::write_char(f, ch)?,
        }
    }
    Ok(())
}

/// The grids rendered from one catalog copy.
#[derive(Debug, Default)]
pub struct Grids {
    by_key: Mutex<HashMap<GridKey, Arc<Grid>>>,
}

impl Grids {
    /// The grid kept for `key`, or the one `render` makes (kept while there is room).
    pub fn get_or_render(
        &self,
        key: GridKey,
        render: impl FnOnce() -> Result<Grid, askama::Error>,
    ) -> Result<Arc<Grid>, askama::Error> {
        if let Some(grid) = self.lock().get(&key) {
            return Ok(grid.clone());
        }
        // Rendered outside the lock: two requests may both render a new grid, and keep one.
        let grid = Arc::new(render()?);
        let mut by_key = self.lock();
        if by_key.len() < MAX_GRIDS {
            by_key.entry(key).or_insert_with(|| grid.clone());
        }
        Ok(grid)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<GridKey, Arc<Grid>>> {
        self.by_key.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_visitors_token_is_written_in_every_gap_and_escaped() {
        let grid = Grid {
            pieces: vec!["<a t=\"".into(), "\"></a><b t=\"".into(), "\">".into()],
        };
        assert_eq!(
            grid.for_visitor("ab12").to_string(),
            "<a t=\"ab12\"></a><b t=\"ab12\">"
        );
        assert_eq!(
            grid.for_visitor("x\"<").to_string(),
            "<a t=\"x&quot;&lt;\"></a><b t=\"x&quot;&lt;\">"
        );
    }

    #[test]
    fn grids_past_the_limit_are_rendered_but_not_kept() {
        let grids = Grids::default();
        let key = |page| GridKey {
            category_id: None,
            sort: Sort::Name,
            page,
        };
        let mut renders = 0;
        for page in 1..=(MAX_GRIDS as u32 + 1) {
            for _ in 0..2 {
                grids
                    .get_or_render(key(page), || {
                        renders += 1;
                        Ok(Grid { pieces: Vec::new() })
                    })
                    .unwrap_or_else(|e| panic!("{e}"));
            }
        }
        // Each kept grid rendered once; the one past the limit on both requests.
        assert_eq!(renders, MAX_GRIDS + 2);
    }
}
