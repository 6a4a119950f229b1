//! Every integration test in one binary: one link instead of fourteen (the library, with Typst,
//! is large). Each module is a capability tested through the real binary, the router or the
//! browser, on SQLite and PostgreSQL; `common` holds the shared support.

mod common;

mod backup;
mod blocks;
mod browser;
mod browser_daily;
mod concurrency;
mod credit;
mod credit_figures;
mod demo;
mod dual;
mod dual_register;
mod export_and_cli;
mod hostile;
mod id_vectors;
mod import_rules;
mod import_semantics;
mod indicators;
mod integrity;
mod kill;
mod language;
mod mail;
mod pathways;
mod pool;
mod progress;
mod quality;
mod reports;
mod scale;
mod security;
mod server;
mod signin;
mod submissions;
mod targets;
mod tasks;
mod training_survey;
mod web_api;
mod web_pages;
