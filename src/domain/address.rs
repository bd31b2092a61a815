//! Where an order is sent: a shipping address, checked once at checkout, and the countries the
//! shop ships to (`SHIPPING_COUNTRIES`).

use std::fmt;

/// Countries the shop knows by name: ISO 3166-1 alpha-2 code and English name.
const COUNTRY_NAMES: &[(&str, &str)] = &[
    ("AT", "Austria"),
    ("AU", "Australia"),
    ("BE", "Belgium"),
    ("CA", "Canada"),
    ("CH", "Switzerland"),
    ("CZ", "Czechia"),
    ("DE", "Germany"),
    ("DK", "Denmark"),
    ("ES", "Spain"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("GB", "United Kingdom"),
    ("IE", "Ireland"),
    ("IT", "Italy"),
    ("JP", "Japan"),
    ("LU", "Luxembourg"),
    ("NL", "Netherlands"),
    ("NO", "Norway"),
    ("NZ", "New Zealand"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("SE", "Sweden"),
    ("US", "United States"),
];

/// A country the shop ships to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country {
    code: &'static str,
    name: &'static str,
}

impl Country {
    /// A country by its two-letter code (any case), if the shop knows it.
    pub fn from_code(code: &str) -> Option<Self> {
        let code = code.trim();
        COUNTRY_NAMES
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(code))
            .map(|&(code, name)| Self { code, name })
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Parses `SHIPPING_COUNTRIES`: codes separated by commas; the first unknown one is the error.
    pub fn parse_list(list: &str) -> Result<Vec<Self>, String> {
        let mut countries = Vec::new();
        for code in list.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            let country = Self::from_code(code).ok_or_else(|| code.to_owned())?;
            if !countries.contains(&country) {
                countries.push(country);
            }
        }
        if countries.is_empty() {
            return Err(String::new());
        }
        Ok(countries)
    }

    /// Every code the shop knows, for the setting's error message.
    pub fn known_codes() -> String {
        COUNTRY_NAMES
            .iter()
            .map(|(c, _)| *c)
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// A shipping address as the shopper typed it, before it is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct AddressForm {
    #[serde(default)]
    pub ship_name: String,
    #[serde(default)]
    pub ship_line1: String,
    #[serde(default)]
    pub ship_line2: String,
    #[serde(default)]
    pub ship_city: String,
    #[serde(default)]
    pub ship_postal_code: String,
    #[serde(default)]
    pub ship_country: String,
}

/// A checked shipping address: every required part present, none too long, no control
/// characters, and a country the shop ships to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippingAddress {
    pub name: String,
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub postal_code: String,
    pub country: Country,
}

/// What is wrong with one field of an address, in words for the shopper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The form field's name (`ship_city`), so the page can point at it.
    pub field: &'static str,
    pub message: String,
}

impl ShippingAddress {
    /// Checks every field and reports every problem at once.
    pub fn parse(form: &AddressForm, countries: &[Country]) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut text = |field: &'static str, label: &str, value: &str, max: usize| {
            let value = value.trim();
            if value.is_empty() {
                errors.push(FieldError {
                    field,
                    message: format!("Enter the {label}."),
                });
            } else if value.chars().count() > max {
                errors.push(FieldError {
                    field,
                    message: format!("The {label} can be at most {max} characters."),
                });
            } else if value.chars().any(char::is_control) {
                errors.push(FieldError {
                    field,
                    message: format!("The {label} cannot contain control characters."),
                });
            } else {
                return value.to_owned();
            }
            String::new()
        };
        let name = text("ship_name", "recipient's full name", &form.ship_name, 100);
        let line1 = text("ship_line1", "street address", &form.ship_line1, 100);
        let line2 = if form.ship_line2.trim().is_empty() {
            None
        } else {
            Some(text(
                "ship_line2",
                "second address line",
                &form.ship_line2,
                100,
            ))
        };
        let city = text("ship_city", "town or city", &form.ship_city, 60);
        let postal_code = text(
            "ship_postal_code",
            "postal code",
            &form.ship_postal_code,
            10,
        );
        let country = countries
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(form.ship_country.trim()))
            .copied();
        if country.is_none() {
            errors.push(FieldError {
                field: "ship_country",
                message: "Choose a country we ship to.".into(),
            });
        }
        // Stripe takes postal codes of letters, digits, spaces and hyphens.
        let postal_ok = postal_code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-');
        if !postal_code.is_empty() && !postal_ok {
            errors.push(FieldError {
                field: "ship_postal_code",
                message: "A postal code has only letters, digits, spaces and hyphens.".into(),
            });
        }
        match country {
            Some(country) if errors.is_empty() => {
                if country.code == "US" && !us_zip(&postal_code) {
                    return Err(vec![FieldError {
                        field: "ship_postal_code",
                        message: "Enter a US ZIP code, like 12345 or 12345-6789.".into(),
                    }]);
                }
                Ok(Self {
                    name,
                    line1,
                    line2,
                    city,
                    postal_code: postal_code.to_ascii_uppercase(),
                    country,
                })
            }
            _ => Err(errors),
        }
    }
}

fn us_zip(code: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    match code.split_once('-') {
        Some((zip, plus4)) => digits(zip, 5) && digits(plus4, 4),
        None => digits(code, 5),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> AddressForm {
        AddressForm {
            ship_name: " Ada Lovelace ".into(),
            ship_line1: "12 St James's Square".into(),
            ship_line2: String::new(),
            ship_city: "London".into(),
            ship_postal_code: "sw1y 4lb".into(),
            ship_country: "gb".into(),
        }
    }

    fn countries() -> Vec<Country> {
        Country::parse_list("US,GB").unwrap_or_default()
    }

    #[test]
    fn a_whole_address_is_trimmed_and_its_postal_code_upper_cased() {
        let address = ShippingAddress::parse(&form(), &countries());
        let address = address.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(address.name, "Ada Lovelace");
        assert_eq!(address.postal_code, "SW1Y 4LB");
        assert_eq!(address.country.code(), "GB");
        assert_eq!(address.line2, None);
    }

    #[test]
    fn every_missing_field_is_reported_at_once() {
        let errors = ShippingAddress::parse(&AddressForm::default(), &countries())
            .err()
            .unwrap_or_default();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "ship_name",
                "ship_line1",
                "ship_city",
                "ship_postal_code",
                "ship_country"
            ]
        );
    }

    #[test]
    fn a_country_outside_the_list_and_a_bad_zip_are_refused() {
        let mut bad = form();
        bad.ship_country = "FR".into();
        assert_eq!(
            ShippingAddress::parse(&bad, &countries())
                .err()
                .map(|e| e[0].field),
            Some("ship_country")
        );
        bad.ship_country = "US".into();
        bad.ship_postal_code = "1234".into();
        assert_eq!(
            ShippingAddress::parse(&bad, &countries())
                .err()
                .map(|e| e[0].field),
            Some("ship_postal_code")
        );
        bad.ship_postal_code = "12345-6789".into();
        assert!(ShippingAddress::parse(&bad, &countries()).is_ok());
    }

    #[test]
    fn unknown_codes_in_the_setting_are_named() {
        assert_eq!(Country::parse_list("US, XX"), Err("XX".to_owned()));
        assert_eq!(Country::parse_list(" , "), Err(String::new()));
    }
}
