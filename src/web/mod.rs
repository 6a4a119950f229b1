//! The web platform served by `vetis serve`: public pages, the signed-in pages and the JSON API.
//! Everything is in the binary (templates, CSS, the one small script); nothing is fetched at run
//! time.

pub mod api;
pub mod auth;
pub mod cache;
pub mod config;
pub use crate::reports::chart;
pub mod error;
pub mod flash;
pub mod i18n;
pub mod jobs;
pub mod learner;
pub mod pages;
pub mod portal;
pub mod public;
pub mod queue;
pub mod security;
pub mod server;
pub mod submission;
pub mod training;
pub mod warm;

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
    pub config: Arc<config::WebConfig>,
    /// Imports and reports waiting for, or holding, their turn.
    pub queues: Arc<queue::Queues>,
    /// Messages carried across redirects by key.
    pub flash: Arc<flash::Flash>,
    /// Reports being made, and made.
    pub reports: Arc<jobs::ReportJobs>,
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
    "report_wait.html",
    "tasks.html",
    "task.html",
    "task_assign.html",
    "verify.html",
    "account.html",
    "credit.html",
    "credit_figures.html",
    "teacher_figures.html",
    "teachers.html",
    "teacher.html",
    "studio.html",
    "pathways.html",
    "funding.html",
    "credit_application.html",
    "training.html",
    "provider.html",
    "survey.html",
    "quality_reports.html",
    "quality_report.html",
    "schools.html",
    "school.html",
    "quality.html",
    "quality_edit.html",
    "progress.html",
    "notifications.html",
);

pub static TEMPLATES: LazyLock<minijinja::Environment<'static>> = LazyLock::new(|| {
    let mut env = minijinja::Environment::new();
    for (name, source) in TEMPLATE_SOURCES {
        env.add_template(name, source).expect("the templates parse");
    }
    // `{{ x.at | when(lang) }}`: a stored timestamp in Beijing time, in the page's language
    // (`2026年12月1日 16:35` / `1 Dec 2026 16:35`); other text as it is.
    env.add_filter("when", |value: String, lang: String| {
        let lang = if lang == "en" { crate::messages::Lang::En } else { crate::messages::Lang::Zh };
        crate::messages::time::date_time(&value, lang)
    });
    env
});

/// The router with default settings (and cookies `Secure` or not).
pub fn router(db: Arc<Db>, secure_cookies: bool) -> Router {
    router_with(db, config::WebConfig { secure_cookies, ..config::WebConfig::default() })
}

/// The router with the given settings.
pub fn router_with(db: Arc<Db>, config: config::WebConfig) -> Router {
    routes(state(db, config))
}

/// The router of `vetis serve`: as `router_with`, with the figures warmed in the background at
/// start and after every change of the data (`web::warm`). Call it inside the Tokio runtime.
pub fn warmed_router(db: Arc<Db>, config: config::WebConfig) -> Router {
    let state = state(db, config);
    tokio::spawn(warm::keep_warm(state.db.clone(), state.cache.clone()));
    tokio::spawn(tell_due_soon(state.db.clone()));
    routes(state)
}

/// Every few hours, tells people what they should know without asking: the schools of the
/// returns they owe that fall due soon and of their overdue task reports, the bureau and the
/// districts of their binding indicators in trouble (each occasion once: the notice's occasion
/// keeps a second one out).
async fn tell_due_soon(db: Arc<Db>) {
    const EVERY: std::time::Duration = std::time::Duration::from_secs(6 * 3600);
    loop {
        let today = crate::messages::time::today();
        let year = i64::from(crate::domain::calendar::current_year(today));
        // The year being returned and the one before (its calendar-year returns fall due in spring).
        for y in [year - 1, year] {
            let told = match crate::figures::progress::board(&db, y, &crate::figures::Scope::City, today).await {
                Ok(b) => crate::figures::progress::tell_due_soon(&db, &b).await,
                Err(e) => Err(e),
            };
            log_told("returns due soon", told);
        }
        log_told("task reports overdue", crate::figures::alerts::tell_tasks_overdue(&db).await);
        let alerts = async {
            let plan = crate::store::refdata::active_plan(&db).await?;
            let latest = crate::figures::indicators::latest_year(&db, plan.baseline_year).await?;
            crate::figures::alerts::tell_indicators_at_risk(&db, &plan, latest).await
        };
        log_told("binding indicators in trouble", alerts.await);
        tokio::time::sleep(EVERY).await;
    }
}

fn log_told(what: &str, told: Result<u64, crate::store::StoreError>) {
    match told {
        Ok(n) if n > 0 => tracing::info!(target: "vetis::notices", "{n} users told of {what}"),
        Ok(_) => {}
        Err(e) => tracing::warn!(target: "vetis::notices", "notices of {what} failed: {e}"),
    }
}

fn state(db: Arc<Db>, config: config::WebConfig) -> AppState {
    let queues = Arc::new(queue::Queues::new(&config));
    let secure_cookies = config.secure_cookies;
    AppState {
        db,
        cache: Arc::new(cache::FigureCache::default()),
        secure_cookies,
        config: Arc::new(config),
        flash: Arc::new(flash::Flash::default()),
        reports: Arc::new(jobs::ReportJobs::new(queues.reports.clone())),
        queues,
    }
}

fn routes(state: AppState) -> Router {
    let hsts = state.secure_cookies;
    Router::new()
        .route("/", get(public::page))
        .route("/catalog", get(public::catalog))
        .route("/static/vetis.css", get(public::stylesheet))
        .route("/static/vetis.js", get(public::script))
        .route(
            "/export/table.xlsx",
            axum::routing::post(public::table_xlsx).layer(axum::extract::DefaultBodyLimit::max(4 * 1024 * 1024)),
        )
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(warm::readyz))
        .route("/verify", get(public::verify_form).post(public::verify))
        .route("/account", get(learner::form).post(learner::lookup))
        .route("/status/revocation", get(public::status_list))
        .route("/training", get(training::directory))
        .route("/provider/{code}", get(training::provider))
        .route("/survey", get(training::survey_form).post(training::survey_post))
        .route("/schools", get(portal::schools))
        .route("/school/{code}", get(portal::school))
        .route("/quality-reports", get(portal::reports))
        .route("/quality-reports/{subject}/{year}", get(portal::report))
        .route("/quality-reports/{subject}/{year}/{format}", get(portal::download))
        .merge(pages::router())
        .merge(api::router())
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), pages::errors_in_layout))
        .layer(axum::middleware::from_fn(move |req, next| security::headers(req, next, hsts)))
        .with_state(state)
}
