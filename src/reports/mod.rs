//! Reports made from the figures: the plan's mid-term and final evaluations as HTML, XLSX, DOCX
//! and PDF in Chinese or English, with charts, tables, a generated summary of findings and the
//! planner's own sections; the quality reports; tables and boards as spreadsheets.

pub mod chart;
pub mod docx;
pub mod evaluation;
pub mod html;
pub mod map;
pub mod official;
pub mod pdf;
pub mod progress;
pub mod quality;
pub mod table;
pub mod xlsx;

use std::path::Path;

use crate::messages::Lang;
use crate::store::StoreError;

/// The formats a report can be written in, chosen by the output file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    Html,
    Xlsx,
    Docx,
    Pdf,
}

impl ReportFormat {
    pub fn from_extension(path: &Path) -> Option<ReportFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "html" | "htm" => Some(ReportFormat::Html),
            "xlsx" => Some(ReportFormat::Xlsx),
            "docx" => Some(ReportFormat::Docx),
            "pdf" => Some(ReportFormat::Pdf),
            _ => None,
        }
    }
    pub fn parse(s: &str) -> Option<ReportFormat> {
        Self::from_extension(Path::new(&format!("x.{s}")))
    }
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Html => "html",
            ReportFormat::Xlsx => "xlsx",
            ReportFormat::Docx => "docx",
            ReportFormat::Pdf => "pdf",
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            ReportFormat::Html => "text/html; charset=utf-8",
            ReportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ReportFormat::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ReportFormat::Pdf => "application/pdf",
        }
    }
}

/// Renders an evaluation in a format and language, as bytes.
pub fn render(e: &evaluation::Evaluation, format: ReportFormat, lang: Lang) -> Result<Vec<u8>, StoreError> {
    let doc = || evaluation::document::document(e, lang);
    match format {
        ReportFormat::Html => html::render(&doc()).map(String::into_bytes),
        ReportFormat::Xlsx => xlsx::render(e, lang),
        ReportFormat::Docx => official::render(&doc()),
        ReportFormat::Pdf => pdf::render(&doc()),
    }
}
