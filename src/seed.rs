//! The demo catalog, its categories and the first shipping methods, inserted at start-up. Idempotent: products already there (and the shop
//! owner's edits to them) are left alone.

use diesel_async::AsyncPgConnection;

use crate::catalog::db::{
    NewCategory, NewProduct, SeedVariant, insert_missing, insert_missing_categories,
    insert_missing_images, place_uncategorised, seed_variants,
};
use crate::domain::Currency;
use crate::shipping::db::NewShippingMethod;

const CATEGORIES: &[NewCategory<'static>] = &[
    NewCategory {
        slug: "drinkware",
        name: "Drinkware",
        description: "Mugs and bottles for the desk, the kitchen and the trail.",
        position: 1,
    },
    NewCategory {
        slug: "apparel",
        name: "Apparel",
        description: "Tees, hats and socks in natural fibres.",
        position: 2,
    },
    NewCategory {
        slug: "stationery",
        name: "Stationery",
        description: "Notebooks, pens and stickers for people who still write by hand.",
        position: 3,
    },
    NewCategory {
        slug: "accessories",
        name: "Accessories",
        description: "Bags, wallets and pins to carry every day.",
        position: 4,
    },
    NewCategory {
        slug: "home",
        name: "Home",
        description: "Planters and prints for a desk or a wall.",
        position: 5,
    },
];

struct SeedProduct {
    slug: &'static str,
    /// The slug of its category.
    category: &'static str,
    name: &'static str,
    description: &'static str,
    price_minor: i64,
    /// 0 for a product with options: they hold its units.
    stock: i32,
    /// Its pictures under static/img/products (`{slug}.svg`, then `{slug}-2.svg`…, drawn by
    /// scripts/demo-pictures.py), as the text for screen readers of each; empty is the
    /// product's name.
    pictures: &'static [&'static str],
    /// Its options: name, own price (or the product's), stock.
    variants: &'static [(&'static str, Option<i64>, i32)],
}

const CATALOG: &[SeedProduct] = &[
    SeedProduct {
        slug: "ceramic-pour-over-mug",
        category: "drinkware",
        name: "Ceramic Pour-Over Mug",
        description: "A hand-glazed stoneware mug with a matching pour-over cone. Holds 350 ml; dishwasher safe.",
        price_minor: 2400,
        stock: 40,
        pictures: &["", "The mug from above, full of coffee, on an oak board"],
        variants: &[],
    },
    SeedProduct {
        slug: "organic-cotton-tee",
        category: "apparel",
        name: "Organic Cotton Tee",
        description: "A heavyweight tee in organic cotton, cut for everyday wear. Pre-shrunk, so it keeps its shape.",
        price_minor: 2800,
        stock: 0,
        pictures: &["", "Three tees folded in a stack: navy, oat and moss"],
        variants: &[
            ("S", None, 12),
            ("M", None, 20),
            ("L", None, 18),
            ("XL", Some(3000), 6),
            ("XXL", Some(3000), 0),
        ],
    },
    SeedProduct {
        slug: "canvas-tote-bag",
        category: "accessories",
        name: "Canvas Tote Bag",
        description: "Twelve-ounce canvas with reinforced handles and an inside pocket for keys and a phone.",
        price_minor: 1850,
        stock: 75,
        pictures: &[
            "",
            "The tote hanging from a hook, packed with bread and greens",
        ],
        variants: &[],
    },
    SeedProduct {
        slug: "merino-beanie",
        category: "apparel",
        name: "Merino Beanie",
        description: "Soft, warm and itch-free: fine merino wool knitted into a classic ribbed beanie.",
        price_minor: 3200,
        stock: 25,
        pictures: &["", "Close-up of the beanie's fine rib knit"],
        variants: &[],
    },
    SeedProduct {
        slug: "enamel-camp-mug",
        category: "drinkware",
        name: "Enamel Camp Mug",
        description: "Steel mug with a chip-resistant enamel coat. At home on a desk or over a camp stove.",
        price_minor: 1600,
        stock: 50,
        pictures: &[
            "",
            "The camp mug steaming on a stove by the mountains at dusk",
        ],
        variants: &[],
    },
    SeedProduct {
        slug: "linen-notebook",
        category: "stationery",
        name: "Linen Notebook",
        description: "A5, 192 dotted pages of 100 gsm paper that takes fountain-pen ink, bound in linen.",
        price_minor: 1400,
        stock: 80,
        pictures: &[
            "",
            "The notebook open on dotted pages with a note in fountain-pen ink",
        ],
        variants: &[],
    },
    SeedProduct {
        slug: "brass-rollerball-pen",
        category: "stationery",
        name: "Brass Rollerball Pen",
        description: "Machined from solid brass; it develops a warm patina as you write. Takes standard refills.",
        price_minor: 4500,
        stock: 15,
        pictures: &["", "The pen resting on a page of handwriting"],
        variants: &[],
    },
    SeedProduct {
        slug: "wool-hiking-socks",
        category: "apparel",
        name: "Wool Hiking Socks",
        description: "Cushioned merino-blend socks that stay dry and comfortable on long days outside.",
        price_minor: 1900,
        stock: 90,
        pictures: &["", "The socks rolled in pairs, ready for the trail"],
        variants: &[],
    },
    SeedProduct {
        slug: "leather-card-wallet",
        category: "accessories",
        name: "Leather Card Wallet",
        description: "Vegetable-tanned leather, four card slots and a centre pocket for folded notes.",
        price_minor: 3800,
        stock: 0,
        pictures: &[
            "",
            "The wallet's back, with its centre pocket for folded notes",
        ],
        variants: &[
            ("Tan", None, 14),
            ("Black", None, 12),
            ("Oxblood", Some(4200), 3),
        ],
    },
    SeedProduct {
        slug: "glass-water-bottle",
        category: "drinkware",
        name: "Glass Water Bottle",
        description: "Borosilicate glass in a silicone sleeve, with a leak-proof bamboo lid. 600 ml.",
        price_minor: 2600,
        stock: 45,
        pictures: &[
            "",
            "The bottle on a sunny windowsill beside a glass of water",
        ],
        variants: &[],
    },
    SeedProduct {
        slug: "terracotta-desk-planter",
        category: "home",
        name: "Terracotta Desk Planter",
        description: "A small unglazed terracotta pot with a drainage saucer, sized for succulents and herbs.",
        price_minor: 2200,
        stock: 35,
        pictures: &[
            "",
            "The planter from above: an echeveria rosette in fresh soil",
        ],
        variants: &[],
    },
    SeedProduct {
        slug: "crab-sticker-pack",
        category: "stationery",
        name: "Crab Sticker Pack",
        description: "Six weatherproof vinyl stickers of a friendly orange crab. Laptop and water-bottle ready.",
        price_minor: 600,
        stock: 200,
        pictures: &["", "Crab stickers on a laptop lid"],
        variants: &[],
    },
    SeedProduct {
        slug: "limited-edition-print",
        category: "home",
        name: "Limited Edition Print",
        description: "A signed risograph print of the harbour at dawn, 30 × 40 cm. The last one of its edition.",
        price_minor: 12000,
        stock: 1,
        pictures: &[
            "",
            "Detail of the print's risograph grain and the signed edition number",
        ],
        variants: &[],
    },
    SeedProduct {
        slug: "vintage-enamel-pin",
        category: "accessories",
        name: "Vintage Enamel Pin",
        description: "A hard-enamel pin from our first year. Sold out for now; check back soon.",
        price_minor: 900,
        stock: 0,
        pictures: &["", "The pin on a denim jacket's collar"],
        variants: &[],
    },
];

/// Inserts the demo catalog priced in `currency`; returns how many products were new.
pub async fn catalog(
    conn: &mut AsyncPgConnection,
    currency: Currency,
) -> diesel::QueryResult<usize> {
    let images: Vec<String> = CATALOG
        .iter()
        .map(|p| format!("/static/img/products/{}.svg", p.slug))
        .collect();
    let rows: Vec<NewProduct<'_>> = CATALOG
        .iter()
        .zip(&images)
        .map(|(p, image)| NewProduct {
            slug: p.slug,
            name: p.name,
            description: p.description,
            price_minor: p.price_minor,
            currency,
            image_path: image,
            stock: p.stock,
            max_per_order: 10,
            // Placed below, by slug, unless the owner already placed it.
            category_id: None,
        })
        .collect();
    let added = insert_missing(conn, &rows).await?;
    let pictures: Vec<(&str, Vec<(String, &str)>)> = CATALOG
        .iter()
        .map(|p| (p.slug, picture_paths(p).collect()))
        .collect();
    insert_missing_images(conn, &pictures).await?;
    insert_missing_categories(conn, CATEGORIES).await?;
    for product in CATALOG.iter().filter(|p| !p.variants.is_empty()) {
        let variants: Vec<SeedVariant<'_>> = product
            .variants
            .iter()
            .map(|&(name, price_minor, stock)| SeedVariant {
                name,
                price_minor,
                stock,
            })
            .collect();
        seed_variants(conn, product.slug, &variants).await?;
    }
    // Also for products seeded before there were categories; a product the owner put in a
    // category keeps it.
    for product in CATALOG {
        place_uncategorised(conn, product.slug, product.category).await?;
    }
    Ok(added)
}

/// Each demo product's pictures (paths on the site), in the order its page shows them.
pub fn pictures() -> impl Iterator<Item = (&'static str, Vec<String>)> {
    CATALOG.iter().map(|p| {
        let paths = picture_paths(p).map(|(path, _)| path).collect();
        (p.slug, paths)
    })
}

/// A demo product's pictures: each one's path on the site and its text for screen readers.
fn picture_paths(product: &SeedProduct) -> impl Iterator<Item = (String, &'static str)> + '_ {
    product.pictures.iter().enumerate().map(|(at, alt)| {
        let path = match at {
            0 => format!("/static/img/products/{}.svg", product.slug),
            n => format!("/static/img/products/{}-{}.svg", product.slug, n + 1),
        };
        (path, *alt)
    })
}

/// The slugs of the demo catalog, for tests and tools.
pub fn slugs() -> impl Iterator<Item = &'static str> {
    CATALOG.iter().map(|p| p.slug)
}

/// The shipping methods a shop starts with, priced in `currency`, when it has none in it:
/// Standard (free from 50.00) and Express. The owner changes them afterwards.
pub async fn shipping_methods(
    conn: &mut AsyncPgConnection,
    currency: Currency,
) -> diesel::QueryResult<usize> {
    let defaults = [
        NewShippingMethod {
            code: "standard",
            name: "Standard",
            delivery: "3–5 business days",
            price_minor: 499,
            free_from_minor: Some(5000),
            currency,
            position: 1,
        },
        NewShippingMethod {
            code: "express",
            name: "Express",
            delivery: "1–2 business days",
            price_minor: 1499,
            free_from_minor: None,
            currency,
            position: 2,
        },
    ];
    crate::shipping::db::ensure_some(conn, currency, &defaults).await
}
