//! Figures: every indicator of the plan computed from approved records, with its status and
//! projection. Knows the domain and the store; nothing of how figures are shown.

pub mod alerts;
pub mod breakdown;
pub mod counted;
pub mod credit;
pub mod duckdb;
pub mod funding;
pub mod indicators;
pub mod integrity;
pub mod pathway;
pub mod pool;
pub mod progress;
pub mod quality;
pub mod query;
pub mod rules;
pub mod rules_records;
pub mod shortfall;
pub mod targets;
pub mod teachers;

pub use query::{Pending, Scope};
