//! `GET /admin/shipping`: every method with its rate form, and the form that adds one.

use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use super::form::{NewMethodFields, RateFields};
use crate::config::Settings;
use crate::db::DbPool;
use crate::domain::{Currency, Money};
use crate::error::AppError;
use crate::page::PageContext;
use crate::shipping::db::{self, OwnedShippingMethod};

/// One method and its rate form's fields (as stored, or as typed when refused).
pub struct Row {
    pub method: OwnedShippingMethod,
    pub fields: RateFields,
}

impl Row {
    pub fn free_from(&self) -> String {
        self.method
            .method
            .free_from()
            .map_or_else(|| "never".to_owned(), |m: Money| m.to_string())
    }

    pub fn active(&self) -> bool {
        self.fields.active.is_some()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/shipping.html")]
pub struct ShippingPage {
    pub ctx: PageContext,
    pub rows: Vec<Row>,
    pub currency: Currency,
    pub new_method: NewMethodFields,
    pub errors: Vec<String>,
}

/// What a refused form sends back to the page.
pub enum Typed {
    Nothing,
    Rate(i64, RateFields),
    NewMethod(NewMethodFields),
}

impl ShippingPage {
    pub async fn load(
        ctx: PageContext,
        pool: &DbPool,
        currency: Currency,
        typed: Typed,
        errors: Vec<String>,
    ) -> Result<Self, AppError> {
        let mut conn = pool.get().await?;
        let (edited, new_method) = match typed {
            Typed::Nothing => (None, NewMethodFields::default()),
            Typed::Rate(id, fields) => (Some((id, fields)), NewMethodFields::default()),
            Typed::NewMethod(fields) => (None, fields),
        };
        let rows = db::all(&mut conn)
            .await?
            .into_iter()
            .map(|method| {
                let fields = match &edited {
                    Some((id, typed)) if *id == method.method.id => typed.clone(),
                    _ => RateFields {
                        price: method.method.price().to_input(),
                        free_from: method
                            .method
                            .free_from()
                            .map(|m| m.to_input())
                            .unwrap_or_default(),
                        active: method.active.then(|| "on".to_owned()),
                    },
                };
                Row { method, fields }
            })
            .collect();
        Ok(Self {
            ctx,
            rows,
            currency,
            new_method,
            errors,
        })
    }
}

#[tracing::instrument(skip_all)]
pub async fn list(
    ctx: PageContext,
    pool: web::Data<DbPool>,
    settings: web::Data<Settings>,
) -> Result<ShippingPage, AppError> {
    ShippingPage::load(ctx, &pool, settings.currency, Typed::Nothing, Vec::new()).await
}
