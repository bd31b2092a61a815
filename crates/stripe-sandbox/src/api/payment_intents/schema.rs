//! The parameters each PaymentIntent endpoint accepts, as Stripe names and shapes them, and the
//! fields each kind of key may expand. Anything else is refused as an unknown parameter.

use crate::params::Shape;

const ADDRESS: Shape = Shape::Map(&[
    ("city", Shape::Str),
    ("country", Shape::Str),
    ("line1", Shape::Str),
    ("line2", Shape::Str),
    ("postal_code", Shape::Str),
    ("state", Shape::Str),
]);

const PAYMENT_METHOD_DATA: Shape = Shape::Map(&[
    ("type", Shape::Str),
    (
        "card",
        Shape::Map(&[
            ("number", Shape::Str),
            ("exp_month", Shape::Str),
            ("exp_year", Shape::Str),
            ("cvc", Shape::Str),
            ("networks", Shape::Any),
        ]),
    ),
    ("sepa_debit", Shape::Map(&[("iban", Shape::Str)])),
    (
        "billing_details",
        Shape::Map(&[
            ("address", ADDRESS),
            ("email", Shape::Str),
            ("name", Shape::Str),
            ("phone", Shape::Str),
        ]),
    ),
    ("allow_redisplay", Shape::Str),
    ("metadata", Shape::Dict),
]);

/// `shipping`: where the goods go (Stripe's `ShippingParam`: `name` and `address[line1]` required).
const SHIPPING: Shape = Shape::Map(&[
    ("address", ADDRESS),
    ("carrier", Shape::Str),
    ("name", Shape::Str),
    ("phone", Shape::Str),
    ("tracking_number", Shape::Str),
]);

const EXPAND: Shape = Shape::List(&Shape::Str);

/// Real Stripe parameters that the sandbox does not simulate: refused with a clear message.
pub const UNSUPPORTED: &[&str] = &[
    "allowed_payment_method_types",
    "amount_details",
    "amount_to_confirm",
    "application_fee_amount",
    "confirmation_token",
    "customer_account",
    "excluded_payment_method_types",
    "hooks",
    "mandate",
    "on_behalf_of",
    "payment_details",
    "payment_method_configuration",
    "radar_options",
    "transfer_data",
];

pub const CREATE: &[(&str, Shape)] = &[
    ("amount", Shape::Int),
    ("currency", Shape::Str),
    (
        "automatic_payment_methods",
        Shape::Map(&[("enabled", Shape::Bool), ("allow_redirects", Shape::Str)]),
    ),
    ("capture_method", Shape::Str),
    ("confirm", Shape::Bool),
    ("confirmation_method", Shape::Str),
    ("customer", Shape::Str),
    ("description", Shape::Str),
    ("error_on_requires_action", Shape::Bool),
    ("expand", EXPAND),
    ("metadata", Shape::Dict),
    ("off_session", Shape::Str),
    ("payment_method", Shape::Str),
    ("payment_method_data", PAYMENT_METHOD_DATA),
    ("payment_method_options", Shape::Any),
    ("payment_method_types", Shape::List(&Shape::Str)),
    ("receipt_email", Shape::Str),
    ("return_url", Shape::Str),
    ("setup_future_usage", Shape::Str),
    ("statement_descriptor", Shape::Str),
    ("statement_descriptor_suffix", Shape::Str),
    ("transfer_group", Shape::Str),
    ("use_stripe_sdk", Shape::Bool),
    // Refused with `unsupported` below.
    ("allowed_payment_method_types", Shape::Any),
    ("amount_details", Shape::Any),
    ("application_fee_amount", Shape::Any),
    ("confirmation_token", Shape::Any),
    ("customer_account", Shape::Any),
    ("excluded_payment_method_types", Shape::Any),
    ("hooks", Shape::Any),
    ("mandate", Shape::Any),
    ("mandate_data", Shape::Any),
    ("on_behalf_of", Shape::Any),
    ("payment_details", Shape::Any),
    ("payment_method_configuration", Shape::Any),
    ("radar_options", Shape::Any),
    ("shipping", SHIPPING),
    ("transfer_data", Shape::Any),
];

pub const UPDATE: &[(&str, Shape)] = &[
    ("amount", Shape::Int),
    ("currency", Shape::Str),
    ("customer", Shape::Str),
    ("description", Shape::Str),
    ("expand", EXPAND),
    ("metadata", Shape::Dict),
    ("payment_method", Shape::Str),
    ("payment_method_data", PAYMENT_METHOD_DATA),
    ("payment_method_options", Shape::Any),
    ("payment_method_types", Shape::List(&Shape::Str)),
    ("receipt_email", Shape::Str),
    ("setup_future_usage", Shape::Str),
    ("statement_descriptor", Shape::Str),
    ("statement_descriptor_suffix", Shape::Str),
    ("transfer_group", Shape::Str),
    ("allowed_payment_method_types", Shape::Any),
    ("amount_details", Shape::Any),
    ("application_fee_amount", Shape::Any),
    ("capture_method", Shape::Any),
    ("customer_account", Shape::Any),
    ("excluded_payment_method_types", Shape::Any),
    ("hooks", Shape::Any),
    ("payment_details", Shape::Any),
    ("payment_method_configuration", Shape::Any),
    ("shipping", SHIPPING),
    ("transfer_data", Shape::Any),
];

pub const CONFIRM: &[(&str, Shape)] = &[
    ("client_secret", Shape::Str),
    ("error_on_requires_action", Shape::Bool),
    ("expand", EXPAND),
    ("off_session", Shape::Str),
    ("payment_method", Shape::Str),
    ("payment_method_data", PAYMENT_METHOD_DATA),
    ("payment_method_options", Shape::Any),
    ("receipt_email", Shape::Str),
    ("return_url", Shape::Str),
    ("setup_future_usage", Shape::Str),
    ("use_stripe_sdk", Shape::Bool),
    ("allowed_payment_method_types", Shape::Any),
    ("amount_details", Shape::Any),
    ("amount_to_confirm", Shape::Any),
    ("capture_method", Shape::Any),
    ("confirmation_token", Shape::Any),
    ("excluded_payment_method_types", Shape::Any),
    ("hooks", Shape::Any),
    ("mandate", Shape::Any),
    ("mandate_data", Shape::Any),
    ("payment_details", Shape::Any),
    ("radar_options", Shape::Any),
    ("shipping", SHIPPING),
];

pub const RETRIEVE: &[(&str, Shape)] = &[("client_secret", Shape::Str), ("expand", EXPAND)];

pub const CANCEL: &[(&str, Shape)] = &[("cancellation_reason", Shape::Str), ("expand", EXPAND)];

pub const LIST: &[(&str, Shape)] = &[
    ("customer", Shape::Str),
    ("created", Shape::IntOrRange),
    ("ending_before", Shape::Str),
    ("expand", EXPAND),
    ("limit", Shape::Int),
    ("starting_after", Shape::Str),
];

pub const SEARCH: &[(&str, Shape)] = &[
    ("expand", EXPAND),
    ("limit", Shape::Int),
    ("page", Shape::Str),
    ("query", Shape::Str),
];

pub const SERVER_EXPANSIONS: &[&str] = &["latest_charge", "payment_method", "customer"];
pub const CLIENT_EXPANSIONS: &[&str] = &["payment_method"];
