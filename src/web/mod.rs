//! The web platform served by `vetis serve`: public pages, the signed-in pages and the JSON API.
//! Everything is in the binary (templates, CSS, the one small script); nothing is fetched at run
//! time.

pub mod api;
pub mod auth;
pub mod cache;
pub use crate::reports::chart;
pub mod error;
pub mod i18n;
pub mod pages;
pub mod public;
pub mod security;
pub mod submission;

use std::sync::{Arc, LazyLock};

use axum::Router;
use axum::routing::get;

use crate::store::Db;

#[derive(Clone)]
pub struct AppState {
    pub db: Arc<Db>,
    pub cache: Arc<cache::FigureCache>,
    /// Cookies get `Secure` when the site is served over HTTPS (behind a TLS proxy).
    pub secure_cookies: bool,
}

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("templates/", $name)))),*]
    };
}

/// Every template, compiled into the binary.
pub const TEMPLATE_SOURCES: &[(&str, &str)] = templates!(
    "layout.html",
    "public.html",
    "catalog.html",
    "error.html",
    "login.html",
    "password.html",
    "dashboard.html",
    "indicator.html",
    "records.html",
    "submissions.html",
    "submission.html",
    "audit.html",
    "years.html",
    "targets.html",
    "target.html",
    "reports.html",
    "tasks.html",
    "task.html",
);

pub static TEMPLATES: LazyLock<minijinja::Environment<'static>> = LazyLock::new(|| {
    let mut env = minijinja::Environment::new();
    for (name, source) in TEMPLATE_SOURCES {
        env.add_template(name, source).expect("the templates parse");
    }
    env
});

pub fn router(db: Arc<Db>, secure_cookies: bool) -> Router {
    let state = AppState { db, cache: Arc::new(cache::FigureCache::default()), secure_cookies };
    Router::new()
        .route("/", get(public::page))
        .route("/catalog", get(public::catalog))
        .route("/static/vetis.css", get(public::stylesheet))
        .route("/static/vetis.js", get(public::script))
        .route("/healthz", get(|| async { "ok" }))
        .merge(pages::router())
        .merge(api::router())
        .layer(axum::middleware::from_fn(security::headers))
        .with_state(state)
}
