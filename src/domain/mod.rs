//! The domain: identifiers, the data standard's tables, the plan and its status rules, personal-data
//! handling. Pure types and rules: no files, no SQL, no HTTP.

pub mod access;
pub mod calendar;
pub mod credential;
pub mod credit;
pub mod dual;
pub mod extent;
pub mod frameworks;
pub mod funding;
pub mod ids;
pub mod integrity;
pub mod pathway;
pub mod plan;
pub mod pool;
pub mod privacy;
pub mod quality;
pub mod record;
pub mod reference;
pub mod school_rules;
pub mod shares;
pub mod shortfall;
pub mod standard;
pub mod status;
pub mod status_list;
pub mod targets;
pub mod tasks;
pub mod throttle;
pub mod tilemap;

/// What is wrong with a rule pack's `id` and `version` (every pack the bureau loads has both, and
/// a loaded version is kept by them).
pub fn pack_identity_errors(id: &str, version: &str) -> Vec<String> {
    [("id", id), ("version", version)]
        .into_iter()
        .filter(|(_, v)| v.trim().is_empty())
        .map(|(name, _)| format!("{name}: must not be empty"))
        .collect()
}
