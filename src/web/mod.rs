//! The web platform served by `vetis serve`: the public plan page and the JSON API. Everything is
//! in the binary (templates, CSS); nothing is fetched at run time.

pub mod api;
pub mod auth;
pub mod chart;
pub mod error;
pub mod public;
pub mod security;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;

use crate::store::Db;

#[derive(Clone)]
pub struct AppState {
    pub db: Arc<Db>,
    pub templates: Arc<minijinja::Environment<'static>>,
    /// Cookies get `Secure` when the site is served over HTTPS (behind a TLS proxy).
    pub secure_cookies: bool,
}

fn templates() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.add_template("public.html", include_str!("templates/public.html")).expect("the template parses");
    env
}

pub fn router(db: Arc<Db>, secure_cookies: bool) -> Router {
    let state = AppState { db, templates: Arc::new(templates()), secure_cookies };
    Router::new()
        .route("/", get(public::page))
        .route("/static/vetis.css", get(public::stylesheet))
        .route("/healthz", get(|| async { "ok" }))
        .merge(api::router())
        .layer(axum::middleware::from_fn(security::headers))
        .with_state(state)
}
