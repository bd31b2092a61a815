//! What the listing pages share: the sort orders, the page asked for, and the pager.

use serde::{Deserialize, Serialize};

use super::db::Product;
use crate::error::AppError;

/// Products on one page of a listing.
pub const PAGE_SIZE: usize = 12;
/// At most this many characters of search terms.
pub const MAX_SEARCH_CHARS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sort {
    /// Best match first (search results only).
    Relevance,
    Name,
    PriceAsc,
    PriceDesc,
    Newest,
}

impl Sort {
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Name => "name",
            Sort::PriceAsc => "price-asc",
            Sort::PriceDesc => "price-desc",
            Sort::Newest => "newest",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Relevance => "Best match",
            Sort::Name => "Name",
            Sort::PriceAsc => "Price, low to high",
            Sort::PriceDesc => "Price, high to low",
            Sort::Newest => "Newest",
        }
    }

    /// Orders `products`, which come by name (the catalog) or best match first (a search);
    /// the sort is stable, so equal keys keep that order.
    pub fn apply(self, products: &mut [&Product]) {
        match self {
            Sort::Relevance | Sort::Name => {}
            Sort::PriceAsc => products.sort_by_key(|p| p.price_minor),
            Sort::PriceDesc => products.sort_by_key(|p| std::cmp::Reverse(p.price_minor)),
            Sort::Newest => {
                products.sort_by_key(|p| std::cmp::Reverse((p.created_at, p.id)));
            }
        }
    }
}

/// The query string of a listing page: `?sort=price-asc&page=2` (and `q` on search).
#[derive(Debug, Deserialize)]
pub struct ListingQuery {
    pub sort: Option<Sort>,
    pub page: Option<u32>,
    pub q: Option<String>,
}

/// `text` cut at a word to at most `max` characters, with an ellipsis when cut.
pub fn summary(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let at_word = cut
        .rfind(char::is_whitespace)
        .map_or(cut.as_str(), |at| &cut[..at]);
    format!("{}…", at_word.trim_end_matches([',', ';', ':', '.']))
}

/// The first page of a listing in the given order (the default order is left out).
pub fn listing_href(base_path: &str, q: Option<&str>, sort: Sort, default_sort: Sort) -> String {
    // Without search terms the query needs no encoding (a sort's name is URL-safe): every
    // listing page writes these links.
    if q.is_none() {
        return if sort == default_sort {
            base_path.to_owned()
        } else {
            format!("{base_path}?sort={}", sort.as_str())
        };
    }
    let mut params: Vec<(&str, &str)> = Vec::new();
    if let Some(q) = q {
        params.push(("q", q));
    }
    if sort != default_sort {
        params.push(("sort", sort.as_str()));
    }
    let query = serde_urlencoded::to_string(&params).unwrap_or_default();
    if query.is_empty() {
        base_path.to_owned()
    } else {
        format!("{base_path}?{query}")
    }
}

/// One page of a listing, and the links to the others.
#[derive(Debug)]
pub struct Pager {
    pub page: u32,
    pub pages: u32,
    pub total: usize,
    /// The listing's path with its query (terms, sort) but no page number.
    base: String,
}

impl Pager {
    /// The page asked for (the first when none is) of `total` products. A page past the last
    /// is not found: a listing always has a first page, even when it is empty.
    pub fn new(
        base_path: &str,
        q: Option<&str>,
        sort: Sort,
        default_sort: Sort,
        page: Option<u32>,
        total: usize,
    ) -> Result<Self, AppError> {
        let pages = u32::try_from(total.div_ceil(PAGE_SIZE).max(1)).unwrap_or(u32::MAX);
        let page = page.unwrap_or(1);
        if page == 0 || page > pages {
            return Err(AppError::NotFound);
        }
        Ok(Self {
            page,
            pages,
            total,
            base: listing_href(base_path, q, sort, default_sort),
        })
    }

    /// The products of this page out of all of them.
    pub fn slice<'a, T>(&self, all: &'a [T]) -> &'a [T] {
        let start = (self.page as usize - 1) * PAGE_SIZE;
        let end = (start + PAGE_SIZE).min(all.len());
        all.get(start..end).unwrap_or(&[])
    }

    pub fn href(&self, page: u32) -> String {
        match (page, self.base.contains('?')) {
            (1, _) => self.base.clone(),
            (_, true) => format!("{}&page={page}", self.base),
            (_, false) => format!("{}?page={page}", self.base),
        }
    }

    /// [`Pager::href`] for the template, which hands its numbers over by reference.
    pub fn number_href(&self, page: &u32) -> String {
        self.href(*page)
    }

    pub fn prev(&self) -> Option<String> {
        (self.page > 1).then(|| self.href(self.page - 1))
    }

    pub fn next(&self) -> Option<String> {
        (self.page < self.pages).then(|| self.href(self.page + 1))
    }

    /// The page numbers to link: every page, as catalogs here stay small enough to list
    /// them; beyond 9 pages, the first, the last and the two either side of this one.
    pub fn numbers(&self) -> Vec<Option<u32>> {
        if self.pages <= 9 {
            return (1..=self.pages).map(Some).collect();
        }
        let mut shown = Vec::new();
        let mut last = 0;
        for n in 1..=self.pages {
            if n == 1 || n == self.pages || n.abs_diff(self.page) <= 2 {
                if n > last + 1 {
                    shown.push(None);
                }
                shown.push(Some(n));
                last = n;
            }
        }
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::{Pager, Sort};

    #[test]
    fn links_keep_the_terms_and_the_sort_but_not_the_default_sort() {
        let pager = Pager::new(
            "/search",
            Some("mug & cup"),
            Sort::PriceAsc,
            Sort::Relevance,
            Some(2),
            30,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pager.pages, 3);
        assert_eq!(
            pager.prev().as_deref(),
            Some("/search?q=mug+%26+cup&sort=price-asc")
        );
        assert_eq!(
            pager.next().as_deref(),
            Some("/search?q=mug+%26+cup&sort=price-asc&page=3")
        );
        let plain = Pager::new("/", None, Sort::Name, Sort::Name, None, 14)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plain.next().as_deref(), Some("/?page=2"));
        assert_eq!(plain.prev(), None);
    }

    #[test]
    fn a_page_past_the_last_is_not_found_but_an_empty_listing_has_a_first_page() {
        assert!(Pager::new("/", None, Sort::Name, Sort::Name, Some(3), 14).is_err());
        assert!(Pager::new("/", None, Sort::Name, Sort::Name, Some(0), 14).is_err());
        assert!(Pager::new("/", None, Sort::Name, Sort::Name, Some(1), 0).is_ok());
    }

    #[test]
    fn a_summary_is_cut_at_a_word() {
        assert_eq!(super::summary("Short.", 160), "Short.");
        assert_eq!(
            super::summary("A hand-glazed stoneware mug, with a cone", 30),
            "A hand-glazed stoneware mug…"
        );
    }

    #[test]
    fn long_listings_link_the_pages_around_this_one() {
        let pager = Pager::new("/", None, Sort::Name, Sort::Name, Some(10), 12 * 20)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            pager.numbers(),
            vec![
                Some(1),
                None,
                Some(8),
                Some(9),
                Some(10),
                Some(11),
                Some(12),
                None,
                Some(20)
            ]
        );
    }
}
