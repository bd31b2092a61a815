//! The product form: read from its multipart body (it may carry an image), CSRF-checked, and
//! turned into a valid product or a list of what to fix.

use actix_multipart::Multipart;
use actix_web::HttpRequest;
use futures_util::TryStreamExt;

use super::image::MAX_IMAGE_BYTES;
use crate::bad_input::{NUL_IN_FORM, has_nul};
use crate::csrf;
use crate::domain::{Currency, Money, Quantity};
use crate::error::AppError;
use crate::session::ShopSession;

/// A text field longer than this is not from the form.
const MAX_FIELD_BYTES: usize = 16 * 1024;
/// The whole body is read (so the browser gets an answer, not a reset) up to this size.
const MAX_BODY_BYTES: usize = 4 * MAX_IMAGE_BYTES;

/// The form's fields as typed, shown again when something must be fixed.
#[derive(Debug, Clone, Default)]
pub struct ProductFields {
    pub name: String,
    pub slug: String,
    pub description: String,
    pub price: String,
    pub stock: String,
    /// At most this many in one order; empty means the default.
    pub max_per_order: String,
    /// The stock the edit form showed when it was loaded: the edit saves the difference, so
    /// units reserved or returned meanwhile are not overwritten.
    pub stock_was: String,
    /// One of the shipped images, or empty.
    pub image_choice: String,
    /// The category's id, or empty for none.
    pub category: String,
}

pub enum Upload {
    None,
    Image(Vec<u8>),
    TooLarge,
}

pub struct Submitted {
    pub fields: ProductFields,
    pub upload: Upload,
}

/// Reads the multipart form; refuses it when its CSRF token is not the session's.
pub async fn read(req: &HttpRequest, mut body: Multipart) -> Result<Submitted, AppError> {
    let unreadable = |_| AppError::bad_request("The form could not be read.");
    let mut fields = ProductFields::default();
    let mut token = String::new();
    let mut upload = Upload::None;
    let mut total = 0usize;
    while let Some(mut field) = body.try_next().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        let is_file = name == "image_file";
        let limit = if is_file {
            MAX_IMAGE_BYTES
        } else {
            MAX_FIELD_BYTES
        };
        let mut bytes = Vec::new();
        let mut too_large = false;
        while let Some(chunk) = field.try_next().await.map_err(unreadable)? {
            total += chunk.len();
            if total > MAX_BODY_BYTES {
                return Err(AppError::bad_request("What you sent is too large."));
            }
            if bytes.len() + chunk.len() > limit {
                too_large = true;
            } else if !too_large {
                bytes.extend_from_slice(&chunk);
            }
        }
        if is_file {
            upload = match (too_large, bytes.is_empty()) {
                (true, _) => Upload::TooLarge,
                // A file input left empty sends an empty part.
                (false, true) => Upload::None,
                (false, false) => Upload::Image(bytes),
            };
            continue;
        }
        if too_large {
            return Err(AppError::bad_request("A field of the form is too long."));
        }
        let value = String::from_utf8(bytes)
            .map_err(|_| AppError::bad_request("The form could not be read."))?;
        if has_nul(&value) {
            return Err(AppError::bad_request(NUL_IN_FORM));
        }
        match name.as_str() {
            csrf::FIELD => token = value,
            "name" => fields.name = value,
            "slug" => fields.slug = value,
            "description" => fields.description = value,
            "price" => fields.price = value,
            "stock" => fields.stock = value,
            "max_per_order" => fields.max_per_order = value,
            "stock_was" => fields.stock_was = value,
            "image_choice" => fields.image_choice = value,
            "category" => fields.category = value,
            _ => {}
        }
    }
    if !ShopSession::from_request(req).csrf_matches(&token) {
        tracing::warn!(path = %req.path(), "refused a form with a missing or wrong CSRF token");
        return Err(AppError::Csrf);
    }
    Ok(Submitted { fields, upload })
}

/// A product as the form describes it, every field checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidProduct {
    pub name: String,
    pub slug: String,
    pub description: String,
    pub price: Money,
    pub stock: i32,
    pub max_per_order: i32,
}

pub const MAX_STOCK: i32 = 1_000_000;
/// What a product allows in one order unless the form says otherwise (the column's default).
pub const DEFAULT_MAX_PER_ORDER: i32 = 10;

pub fn validate(fields: &ProductFields, currency: Currency) -> Result<ValidProduct, Vec<String>> {
    let mut errors = Vec::new();
    let name = fields.name.trim().to_owned();
    if name.is_empty() {
        errors.push("Name: enter the product's name.".to_owned());
    } else if name.chars().count() > 200 {
        errors.push("Name: use at most 200 characters.".to_owned());
    }
    let slug = match fields.slug.trim() {
        "" => slugify(&name),
        typed => typed.to_owned(),
    };
    if !is_slug(&slug) {
        errors.push(
            "Web address: use lower-case letters, digits and single hyphens, such as blue-mug."
                .to_owned(),
        );
    }
    let description = fields.description.trim().replace("\r\n", "\n");
    if description.chars().count() > 5000 {
        errors.push("Description: use at most 5000 characters.".to_owned());
    }
    let price = Money::parse(&fields.price, currency)
        .map_err(|e| errors.push(format!("Price: {e}")))
        .ok();
    let stock = match fields.stock.trim().parse::<i32>() {
        Ok(stock) if (0..=MAX_STOCK).contains(&stock) => Some(stock),
        _ => {
            errors.push(format!(
                "Stock: enter a whole number from 0 to {MAX_STOCK}."
            ));
            None
        }
    };
    let max_per_order = match fields.max_per_order.trim() {
        "" => Some(DEFAULT_MAX_PER_ORDER),
        typed => match typed.parse::<i32>() {
            Ok(n) if (1..=Quantity::MAX).contains(&n) => Some(n),
            _ => {
                errors.push(format!(
                    "Most per order: enter a whole number from 1 to {}.",
                    Quantity::MAX
                ));
                None
            }
        },
    };
    match (price, stock, max_per_order) {
        (Some(price), Some(stock), Some(max_per_order)) if errors.is_empty() => Ok(ValidProduct {
            name,
            slug,
            description,
            price,
            stock,
            max_per_order,
        }),
        _ => Err(errors),
    }
}

fn is_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 100
        && slug.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// "Blue Mug (large)" -> "blue-mug-large".
fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-')
        .chars()
        .take(100)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(name: &str, price: &str, stock: &str) -> ProductFields {
        ProductFields {
            name: name.into(),
            price: price.into(),
            stock: stock.into(),
            ..ProductFields::default()
        }
    }

    #[test]
    fn a_complete_form_is_a_product_with_a_slug_from_its_name() {
        let valid = validate(&fields("Blue Mug (large)", "24.00", "7"), Currency::usd());
        let valid = valid.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(valid.slug, "blue-mug-large");
        assert_eq!(valid.price.minor, 2400);
        assert_eq!(valid.stock, 7);
    }

    #[test]
    fn every_wrong_field_is_named() {
        let errors = validate(&fields("", "12.345", "-1"), Currency::usd())
            .err()
            .unwrap_or_default();
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[0].starts_with("Name"));
        assert!(errors[1].starts_with("Web address"));
        assert!(errors[2].starts_with("Price"));
        assert!(errors[3].starts_with("Stock"));
    }

    #[test]
    fn slugs_are_lower_case_words_joined_by_single_hyphens() {
        assert!(is_slug("blue-mug-2"));
        assert!(!is_slug("Blue-mug"));
        assert!(!is_slug("blue--mug"));
        assert!(!is_slug("-blue"));
        assert!(!is_slug("../etc"));
        assert_eq!(slugify("  Café  Crème! "), "caf-cr-me");
    }
}
