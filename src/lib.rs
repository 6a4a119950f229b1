//! VETIS: the information system of Guangzhou's vocational education plan (2021–2025).
//!
//! Layers, each knowing only those above it in this list: `domain` (pure rules), `ingest` (files to
//! checked rows), `store` (SQLite/PostgreSQL), `figures` (indicators from records), `views` and `cli`.

pub mod cli;
pub mod demo;
pub mod domain;
pub mod figures;
pub mod ingest;
pub mod messages;
pub mod reports;
pub mod settings;
pub mod store;
pub mod testdata;
pub mod web;
pub mod workflow;
