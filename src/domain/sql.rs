//! How the shop's vocabulary is stored: as the text Stripe (or the migration's CHECK) uses,
//! written with `as_str` and read back strictly. A value the type does not know is an error
//! when the row is loaded, never a default.

/// Maps a type with `as_str()` and `FromStr` to a `TEXT` column. The type also derives
/// `AsExpression` and `FromSqlRow` with `#[diesel(sql_type = diesel::sql_types::Text)]`.
macro_rules! text_column {
    ($ty:ty, $what:literal) => {
        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $ty {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                use std::io::Write;
                out.write_all(self.as_str().as_bytes())?;
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $ty {
            fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = std::str::from_utf8(value.as_bytes())?;
                text.parse::<$ty>()
                    .map_err(|_| format!(concat!("unknown ", $what, " {:?}"), text).into())
            }
        }
    };
}

pub(crate) use text_column;

/// PostgreSQL's `tsvector`, for the search column diesel has no type of its own for. Only
/// read by SQL (`search @@ query`), never loaded into Rust.
#[derive(Debug, Clone, Copy, diesel::sql_types::SqlType, diesel::query_builder::QueryId)]
#[diesel(postgres_type(name = "tsvector"))]
pub struct Tsvector;
