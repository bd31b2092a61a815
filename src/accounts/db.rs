//! Accounts' queries: the one writer of `users`.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::domain::Email;
use crate::schema::users;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub stripe_customer_id: Option<String>,
}

pub async fn by_email(conn: &mut AsyncPgConnection, email: &Email) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(email.as_str()))
        .select(User::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn by_id(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .await
        .optional()
}

/// Creates the user; `None` when the email is taken.
pub async fn create(
    conn: &mut AsyncPgConnection,
    email: &Email,
    password_hash: &str,
    is_admin: bool,
) -> QueryResult<Option<User>> {
    diesel::insert_into(users::table)
        .values((
            users::email.eq(email.as_str()),
            users::password_hash.eq(password_hash),
            users::is_admin.eq(is_admin),
        ))
        .on_conflict(users::email)
        .do_nothing()
        .returning(User::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// Creates an admin, or makes an existing account an admin with a new password.
pub async fn upsert_admin(
    conn: &mut AsyncPgConnection,
    email: &Email,
    password_hash: &str,
) -> QueryResult<User> {
    diesel::insert_into(users::table)
        .values((
            users::email.eq(email.as_str()),
            users::password_hash.eq(password_hash),
            users::is_admin.eq(true),
        ))
        .on_conflict(users::email)
        .do_update()
        .set((
            users::password_hash.eq(password_hash),
            users::is_admin.eq(true),
        ))
        .returning(User::as_returning())
        .get_result(conn)
        .await
}

pub async fn set_password(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    password_hash: &str,
) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::password_hash.eq(password_hash))
        .execute(conn)
        .await
        .map(drop)
}

pub async fn set_stripe_customer(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    customer_id: &str,
) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::stripe_customer_id.eq(customer_id))
        .execute(conn)
        .await
        .map(drop)
}
