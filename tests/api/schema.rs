//! The schema drift check: `src/schema.rs` must describe exactly what the migrations create,
//! column by column, as `diesel print-schema` would.

use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;

use crate::helpers::spawn_app;

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

/// Reads `table! { name (..) { column -> Type, } }` blocks from schema.rs.
fn declared_columns(schema: &str) -> Vec<(String, String, String, bool)> {
    let mut columns = Vec::new();
    let mut table = None;
    for line in schema.lines().map(str::trim) {
        if line.ends_with(") {") && !line.starts_with("diesel::") {
            table = line.split_whitespace().next().map(str::to_owned);
        } else if line == "}" {
            table = None;
        } else if let (Some(table), Some((name, sql_type))) = (&table, line.split_once(" -> ")) {
            let sql_type = sql_type.trim_end_matches(',');
            let (nullable, inner) = match sql_type.strip_prefix("Nullable<") {
                Some(inner) => (true, inner.trim_end_matches('>')),
                None => (false, sql_type),
            };
            let pg_type = match inner {
                "Int4" => "integer",
                "Int8" => "bigint",
                "Text" => "text",
                "Bool" => "boolean",
                "Uuid" => "uuid",
                "Jsonb" => "jsonb",
                "Tsvector" => "tsvector",
                "Timestamptz" => "timestamp with time zone",
                other => {
                    panic!("schema.rs uses {other}: teach the drift check its PostgreSQL name")
                }
            };
            columns.push((table.clone(), name.to_owned(), pg_type.to_owned(), nullable));
        }
    }
    columns.sort();
    columns
}

#[tokio::test]
async fn src_schema_rs_matches_what_the_migrations_create() {
    let app = spawn_app().await;
    let mut actual: Vec<(String, String, String, bool)> = diesel::sql_query(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text \
         FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
    )
    .load::<Column>(&mut app.conn().await)
    .await
    .unwrap_or_else(|e| panic!("reading the schema: {e}"))
    .into_iter()
    .map(|c| {
        (
            c.table_name,
            c.column_name,
            c.data_type,
            c.is_nullable == "YES",
        )
    })
    .collect();
    actual.sort();

    let schema = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/schema.rs"))
        .unwrap_or_else(|e| panic!("reading src/schema.rs: {e}"));
    let declared = declared_columns(&schema);
    assert!(
        declared.len() > 40,
        "the parser found the tables: {declared:?}"
    );
    let missing: Vec<_> = actual.iter().filter(|c| !declared.contains(c)).collect();
    let extra: Vec<_> = declared.iter().filter(|c| !actual.contains(c)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "src/schema.rs drifted from the migrations.\nIn the database, not in schema.rs: {missing:#?}\nIn schema.rs, not in the database: {extra:#?}"
    );
}

/// Statuses are typed: a value the shop does not know (a migration that widened a CHECK
/// without teaching the code, a hand edit) is an error when the row is read, never taken for
/// another status.
#[tokio::test]
async fn an_unknown_status_in_the_database_is_an_error_not_a_default() {
    let app = spawn_app().await;
    app.add_to_cart("canvas-tote-bag", "1").await;
    let order = app.checkout("typed@example.com").await;
    let mut conn = app.conn().await;
    let order_page = format!("/orders/{order}");
    assert_eq!(app.get(&order_page).await.status(), 200);

    diesel::sql_query("ALTER TABLE orders DROP CONSTRAINT orders_status_check")
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("dropping the status CHECK: {e}"));
    diesel::sql_query("UPDATE orders SET status = 'on_hold' WHERE id = $1")
        .bind::<diesel::sql_types::Uuid, _>(order)
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("storing an unknown status: {e}"));

    let read = storefront::orders::db::find(&mut conn, order).await;
    let Err(error) = read else {
        panic!("an unknown status must not load");
    };
    let described = format!("{error:?}");
    assert!(
        described.contains(r#"unknown payment status \"on_hold\""#),
        "the error names the value: {described}"
    );
    // The shopper's page fails rather than show the order as something it is not.
    let response = app.get(&order_page).await;
    assert_eq!(response.status(), 500);
    assert!(
        !crate::helpers::text(response)
            .await
            .contains("Awaiting payment")
    );
}
