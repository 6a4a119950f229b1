//! Workflows that join the layers: importing a file, exporting a table. The CLI and the web call
//! these, so both behave the same.

pub mod export;
pub mod import;
pub mod mail;
pub mod quality_report;
pub mod template;
