// @generated automatically by Diesel CLI.

diesel::table! {
    app_secrets (name) {
        name -> Text,
        value -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    cart_items (id) {
        cart_id -> Uuid,
        product_id -> Int8,
        quantity -> Int4,
        added_at -> Timestamptz,
        id -> Int8,
        variant_id -> Nullable<Int8>,
    }
}

diesel::table! {
    carts (id) {
        id -> Uuid,
        user_id -> Nullable<Int8>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        revision -> Int8,
    }
}

diesel::table! {
    discount_codes (id) {
        id -> Int8,
        code -> Text,
        percent_off -> Nullable<Int4>,
        amount_off_minor -> Nullable<Int8>,
        currency -> Nullable<Text>,
        min_items_minor -> Nullable<Int8>,
        expires_at -> Nullable<Timestamptz>,
        usage_limit -> Nullable<Int4>,
        times_used -> Int4,
        active -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    disputes (id) {
        id -> Text,
        order_id -> Uuid,
        amount_minor -> Int8,
        currency -> Text,
        reason -> Text,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    installation (singleton) {
        singleton -> Bool,
        id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    login_failures (email) {
        email -> Text,
        failures -> Int4,
        last_failure_at -> Timestamptz,
        locked_until -> Timestamptz,
    }
}

diesel::table! {
    mailbox (id) {
        id -> Int8,
        outbox_id -> Int8,
        message_id -> Text,
        sender -> Text,
        recipient -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        caught_at -> Timestamptz,
    }
}

diesel::table! {
    order_events (id) {
        id -> Int8,
        order_id -> Uuid,
        from_status -> Nullable<Text>,
        to_status -> Text,
        applied -> Bool,
        cause -> Text,
        stripe_event_id -> Nullable<Text>,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    order_origins (order_id) {
        order_id -> Uuid,
        placed_from -> Text,
        placed_at -> Timestamptz,
    }
}

diesel::table! {
    order_items (id) {
        id -> Int8,
        order_id -> Uuid,
        product_id -> Int8,
        product_name -> Text,
        unit_price_minor -> Int8,
        quantity -> Int4,
        restocked -> Int4,
        tax_minor -> Int8,
        variant_id -> Nullable<Int8>,
        variant_name -> Nullable<Text>,
    }
}

diesel::table! {
    orders (id) {
        id -> Uuid,
        number -> Int8,
        user_id -> Nullable<Int8>,
        cart_id -> Nullable<Uuid>,
        email -> Text,
        status -> Text,
        currency -> Text,
        total_minor -> Int8,
        amount_paid_minor -> Int8,
        amount_refunded_minor -> Int8,
        payment_intent_id -> Nullable<Text>,
        last_payment_error -> Nullable<Text>,
        reserved_until -> Timestamptz,
        stock_released -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        intent_attempt -> Int4,
        next_check_at -> Nullable<Timestamptz>,
        checks -> Int4,
        checked_at -> Nullable<Timestamptz>,
        paid_at -> Nullable<Timestamptz>,
        ship_name -> Nullable<Text>,
        ship_line1 -> Nullable<Text>,
        ship_line2 -> Nullable<Text>,
        ship_city -> Nullable<Text>,
        ship_postal_code -> Nullable<Text>,
        ship_country -> Nullable<Text>,
        shipping_method_code -> Nullable<Text>,
        shipping_method_name -> Nullable<Text>,
        shipping_minor -> Int8,
        tax_name -> Nullable<Text>,
        tax_rate_bp -> Nullable<Int4>,
        shipping_tax_minor -> Int8,
        tax_minor -> Int8,
        discount_code -> Nullable<Text>,
        discount_minor -> Int8,
        checkout_session_id -> Nullable<Text>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Int8,
        key -> Text,
        kind -> Text,
        recipient -> Text,
        order_id -> Nullable<Uuid>,
        facts -> Jsonb,
        subject -> Nullable<Text>,
        text_body -> Nullable<Text>,
        html_body -> Nullable<Text>,
        message_id -> Uuid,
        status -> Text,
        attempts -> Int4,
        send_after -> Timestamptz,
        claimed_by -> Nullable<Uuid>,
        lease_until -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    password_resets (token_hash) {
        token_hash -> Text,
        user_id -> Int8,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    categories (id) {
        id -> Int8,
        slug -> Text,
        name -> Text,
        description -> Text,
        position -> Int4,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::domain::sql::Tsvector;

    products (id) {
        id -> Int8,
        slug -> Text,
        name -> Text,
        description -> Text,
        price_minor -> Int8,
        currency -> Text,
        image_path -> Text,
        stock -> Int4,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        max_per_order -> Int4,
        category_id -> Nullable<Int8>,
        search -> Tsvector,
    }
}

diesel::table! {
    product_images (id) {
        id -> Int8,
        product_id -> Int8,
        position -> Int4,
        path -> Text,
        thumb_path -> Text,
        small_path -> Text,
        alt -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    product_variants (id) {
        id -> Int8,
        product_id -> Int8,
        name -> Text,
        price_minor -> Nullable<Int8>,
        stock -> Int4,
        active -> Bool,
        position -> Int4,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    refund_requests (id) {
        id -> Int8,
        key -> Uuid,
        order_id -> Uuid,
        admin_id -> Nullable<Int8>,
        amount_minor -> Int8,
        currency -> Text,
        restock -> Bool,
        status -> Text,
        stripe_refund_id -> Nullable<Text>,
        error -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        restock_quantities -> Jsonb,
        attempt -> Int4,
    }
}

diesel::table! {
    refunds (id) {
        id -> Text,
        order_id -> Uuid,
        amount_minor -> Int8,
        currency -> Text,
        status -> Text,
        failure_reason -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Nullable<Int8>,
        state -> Jsonb,
        created_at -> Timestamptz,
        last_seen_at -> Timestamptz,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    shipping_methods (id) {
        id -> Int8,
        code -> Text,
        name -> Text,
        delivery -> Text,
        price_minor -> Int8,
        free_from_minor -> Nullable<Int8>,
        currency -> Text,
        position -> Int4,
        active -> Bool,
    }
}

diesel::table! {
    stripe_events (id) {
        id -> Text,
        event_type -> Text,
        payload -> Jsonb,
        order_id -> Nullable<Uuid>,
        received_at -> Timestamptz,
        processed_at -> Nullable<Timestamptz>,
        outcome -> Text,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    stock_changes (id) {
        id -> Int8,
        product_id -> Int8,
        variant_id -> Nullable<Int8>,
        delta -> Int4,
        stock_after -> Int4,
        reason -> Text,
        order_id -> Nullable<Uuid>,
        user_id -> Nullable<Int8>,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    tax_rates (country) {
        country -> Text,
        name -> Text,
        rate_bp -> Int4,
    }
}

diesel::table! {
    users (id) {
        id -> Int8,
        email -> Text,
        password_hash -> Text,
        is_admin -> Bool,
        stripe_customer_id -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    club_checkouts (session_id) {
        session_id -> Text,
        user_id -> Int8,
        created_at -> Timestamptz,
        next_check_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    club_events (id) {
        id -> Int8,
        subscription_id -> Text,
        stripe_event_id -> Nullable<Text>,
        cause -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        applied -> Bool,
        note -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    club_invoices (id) {
        id -> Text,
        subscription_id -> Text,
        user_id -> Int8,
        number -> Nullable<Text>,
        status -> Text,
        amount_due_minor -> Int8,
        amount_paid_minor -> Int8,
        currency -> Text,
        hosted_invoice_url -> Nullable<Text>,
        invoice_pdf -> Nullable<Text>,
        period_start -> Timestamptz,
        period_end -> Timestamptz,
        stripe_created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    club_subscriptions (id) {
        id -> Text,
        user_id -> Int8,
        customer_id -> Text,
        status -> Text,
        plan -> Text,
        price_id -> Text,
        amount_minor -> Int8,
        currency -> Text,
        current_period_start -> Nullable<Timestamptz>,
        current_period_end -> Nullable<Timestamptz>,
        trial_end -> Nullable<Timestamptz>,
        cancel_at_period_end -> Bool,
        canceled_at -> Nullable<Timestamptz>,
        ended_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        next_check_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(cart_items -> carts (cart_id));
diesel::joinable!(cart_items -> products (product_id));
diesel::joinable!(carts -> users (user_id));
diesel::joinable!(disputes -> orders (order_id));
diesel::joinable!(order_events -> orders (order_id));
diesel::joinable!(order_items -> orders (order_id));
diesel::joinable!(order_origins -> orders (order_id));
diesel::joinable!(orders -> carts (cart_id));
diesel::joinable!(order_items -> products (product_id));
diesel::joinable!(products -> categories (category_id));
diesel::joinable!(product_images -> products (product_id));
diesel::joinable!(mailbox -> outbox (outbox_id));
diesel::joinable!(outbox -> orders (order_id));
diesel::joinable!(password_resets -> users (user_id));
diesel::joinable!(orders -> users (user_id));
diesel::joinable!(refund_requests -> orders (order_id));
diesel::joinable!(refund_requests -> users (admin_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refunds -> orders (order_id));
diesel::joinable!(stripe_events -> orders (order_id));
diesel::joinable!(club_checkouts -> users (user_id));
diesel::joinable!(club_events -> club_subscriptions (subscription_id));
diesel::joinable!(club_invoices -> club_subscriptions (subscription_id));
diesel::joinable!(club_invoices -> users (user_id));
diesel::joinable!(club_subscriptions -> users (user_id));
diesel::joinable!(product_variants -> products (product_id));
diesel::joinable!(cart_items -> product_variants (variant_id));
diesel::joinable!(order_items -> product_variants (variant_id));
diesel::joinable!(stock_changes -> products (product_id));
diesel::joinable!(stock_changes -> product_variants (variant_id));
diesel::joinable!(stock_changes -> orders (order_id));
diesel::joinable!(stock_changes -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    app_secrets,
    cart_items,
    carts,
    categories,
    club_checkouts,
    club_events,
    club_invoices,
    club_subscriptions,
    discount_codes,
    login_failures,
    disputes,
    installation,
    mailbox,
    order_events,
    order_items,
    order_origins,
    orders,
    outbox,
    password_resets,
    product_images,
    product_variants,
    products,
    refund_requests,
    sessions,
    refunds,
    shipping_methods,
    stock_changes,
    stripe_events,
    tax_rates,
    users,
);
