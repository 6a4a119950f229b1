//! Importing a file end to end: read, find each sheet's table, check every rule, and write an
//! accepted sheet in one transaction. Used by the CLI and (later) the web, so both refuse and
//! accept the same files with the same messages.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::domain::record::CheckedSheet;
use crate::domain::standard::Table;
use crate::ingest::check::{CheckReport, absorb, check_sheet, map_header, parse_sheet, recheck};
use crate::ingest::{Scanned, read, resolve_table};
use crate::messages::{Finding, Problem, Severity};
use crate::store::records::{FileMeta, WriteOutcome, write_sheet};
use crate::store::{Db, StoreError, reference};

/// Progress of a long import, for a progress bar or a web page.
pub trait Progress: Sync {
    /// File `n` of `total` begins (1-based).
    fn file(&self, _n: usize, _total: usize) {}
    fn phase(&self, _phase: Phase, _sheet: &str, _total: Option<u64>) {}
    fn rows(&self, _n: u64) {}
    fn done(&self) {}
}

/// A stage of importing a sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Reading,
    Checking,
    Writing,
}

impl Phase {
    pub fn label(self, lang: crate::messages::Lang) -> &'static str {
        match (self, lang) {
            (Phase::Reading, crate::messages::Lang::Zh) => "读取",
            (Phase::Checking, crate::messages::Lang::Zh) => "检查",
            (Phase::Writing, crate::messages::Lang::Zh) => "写入",
            (Phase::Reading, crate::messages::Lang::En) => "reading",
            (Phase::Checking, crate::messages::Lang::En) => "checking",
            (Phase::Writing, crate::messages::Lang::En) => "writing",
        }
    }
}

pub struct NoProgress;
impl Progress for NoProgress {}

pub struct ImportOptions<'a> {
    pub table: Option<Table>,
    pub actor: &'a str,
    pub source: &'a str,
    pub status: &'a str,
    /// Schools the submitter may submit for; None for the bureau and the CLI operator.
    pub allowed_schools: Option<&'a HashSet<String>>,
    /// Check only: never write.
    pub dry_run: bool,
}

/// What happened to one sheet of a file.
pub struct SheetResult {
    pub label: String,
    pub table: Option<Table>,
    pub rows: usize,
    pub errors: Vec<Finding>,
    pub error_total: usize,
    pub warnings: Vec<Finding>,
    pub written: Option<WriteOutcome>,
}

impl SheetResult {
    pub fn accepted(&self) -> bool {
        self.error_total == 0
    }
    fn refused(label: &str, table: Option<Table>, problems: Vec<(Option<String>, Problem)>) -> SheetResult {
        let total = problems.len();
        let errors: Vec<Finding> = problems
            .into_iter()
            .take(crate::ingest::check::ERROR_CAP)
            .map(|(column, problem)| Finding {
                file: label.to_string(),
                row: if column.is_some() { Some(1) } else { None },
                column,
                severity: Severity::Error,
                problem: problem.clipped(crate::ingest::check::ECHO_CHARS),
            })
            .collect();
        SheetResult {
            label: label.to_string(),
            table,
            rows: 0,
            error_total: total,
            errors,
            warnings: Vec::new(),
            written: None,
        }
    }
}

/// The order in which tables must go in when several files are imported together: a student's
/// program must be offered, a placement's teacher must exist, every school must be registered, a
/// studio's members and outputs name a designation, a transfer result is a student's, a survey answer a training project's.
pub fn dependency_rank(t: Option<Table>) -> usize {
    match t {
        Some(Table::School) => 0,
        Some(Table::Offering | Table::Teacher) => 1,
        Some(Table::Member | Table::Output | Table::Transfer | Table::TrainingSurvey) => 3,
        Some(_) => 2,
        None => 4,
    }
}

pub fn file_hash(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// A sheet as checked: its result so far, and what writing it needs.
struct Checked {
    result: SheetResult,
    sheet: Option<CheckedSheet>,
    scanned: Scanned,
}

/// Imports one file: every sheet read and checked once, then, when every sheet passed, written in
/// one transaction that first checks again what other submissions may have changed meanwhile. A
/// workbook is accepted whole or not at all, and a process killed at any point leaves the
/// database as it was.
pub async fn import_file(
    db: &Db,
    path: &Path,
    display: &str,
    opts: &ImportOptions<'_>,
    progress: &dyn Progress,
) -> Result<Vec<SheetResult>, StoreError> {
    let sheets = match read::read_file(path, display) {
        Ok(s) => s,
        Err(p) => {
            return Ok(vec![SheetResult::refused(display, opts.table, vec![(None, p)])]);
        }
    };
    let hash = file_hash(path).map_err(|e| StoreError::Internal(format!("{display}: {e}")))?;
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let locked = crate::store::locks::locked_years(db).await?;
    let mut checked: Vec<Checked> = Vec::new();
    let mut version_seen: Option<i64> = None;
    // Registry first within a workbook too: its students are checked against its own schools.
    let mut sheets: Vec<(Result<Table, Problem>, read::Sheet)> =
        sheets.into_iter().map(|sheet| (resolve_table(opts.table, &sheet, stem), sheet)).collect();
    sheets.sort_by_key(|(t, _)| dependency_rank(t.as_ref().ok().copied()));
    for (table, sheet) in sheets {
        let table = match table {
            Ok(t) => t,
            Err(p) => {
                checked.push(Checked::refused(SheetResult::refused(&sheet.label, None, vec![(None, p)])));
                continue;
            }
        };
        let map = match map_header(table, &sheet.header) {
            Ok(m) => m,
            Err(problems) => {
                checked.push(Checked::refused(SheetResult::refused(&sheet.label, Some(table), problems)));
                continue;
            }
        };
        progress.phase(Phase::Reading, &sheet.label, None);
        let (version, mut refs) = reference::load_static(db).await?;
        // The oldest look is the one the whole file was checked against.
        version_seen = Some(version_seen.map_or(version, |v: i64| v.min(version)));
        // The one pass over the file's cells.
        let parsed = parse_sheet(table, &sheet, &map, &refs, |n| progress.rows(n as u64));
        drop(sheet);
        let scanned = parsed.scanned();
        reference::load_records(db, table, &scanned, &mut refs).await?;
        for earlier in checked.iter().filter_map(|c| c.sheet.as_ref()) {
            absorb(&mut refs, earlier);
        }
        progress.phase(Phase::Checking, &parsed.label, None);
        let report: CheckReport = check_sheet(parsed, &refs, &db.keys, opts.allowed_schools);
        progress.done();
        // A locked year refuses the whole sheet, on a dry run too, so the submitter learns it first.
        let locked_here: BTreeSet<i64> = report.sheet.years().filter(|y| locked.contains(y)).collect();
        if !locked_here.is_empty() {
            let problems = locked_here.into_iter().map(|year| (None, Problem::YearLocked { year })).collect();
            checked.push(Checked::refused(SheetResult::refused(&report.label, Some(table), problems)));
            continue;
        }
        let accepted = report.accepted();
        let result = SheetResult {
            label: report.label.clone(),
            table: Some(table),
            rows: report.rows,
            errors: report.errors,
            error_total: report.error_total,
            warnings: report.warnings,
            written: None,
        };
        checked.push(Checked { result, sheet: accepted.then_some(report.sheet), scanned });
    }
    if opts.dry_run || checked.iter().any(|c| !c.result.accepted()) {
        return Ok(checked.into_iter().map(|c| c.result).collect());
    }
    let mut w = db.begin_write().await?;
    if Some(w.version_before) != version_seen {
        // Something changed since the check: the rules that depend on other records are checked
        // again here, where nothing else can change until commit.
        let locked = crate::store::locks::locked_years_in(&mut w).await?;
        let mut refused = false;
        for i in 0..checked.len() {
            let (earlier, rest) = checked.split_at_mut(i);
            let c = &mut rest[0];
            let Some(sheet) = &c.sheet else { continue };
            let mut errors: Vec<Finding> = Vec::new();
            let locked_here: BTreeSet<i64> = sheet.years().filter(|y| locked.contains(y)).collect();
            for year in locked_here {
                errors.push(Finding {
                    file: sheet.label.clone(),
                    row: None,
                    column: None,
                    severity: Severity::Error,
                    problem: Problem::YearLocked { year },
                });
            }
            let mut refs = reference::load_in(&mut w, sheet.table, &c.scanned).await?;
            for e in earlier.iter().filter_map(|c| c.sheet.as_ref()) {
                absorb(&mut refs, e);
            }
            errors.extend(recheck(sheet, &refs, &db.keys));
            if !errors.is_empty() {
                refused = true;
                c.result.error_total = errors.len();
                c.result.errors = errors;
            }
        }
        if refused {
            w.rollback().await?;
            return Ok(checked.into_iter().map(|c| c.result).collect());
        }
    }
    // The submission keeps the file's own name, not where it sat on the importing machine (a
    // temporary directory, a home folder): that is what the school calls it.
    let stored_name = std::path::Path::new(display).file_name().and_then(|n| n.to_str()).unwrap_or(display);
    let meta = FileMeta { name: stored_name, hash: &hash, actor: opts.actor, source: opts.source, status: opts.status };
    for c in &mut checked {
        let Some(sheet) = c.sheet.take() else { continue };
        progress.phase(Phase::Writing, &sheet.label, Some(sheet.rows.len() as u64));
        let outcome = write_sheet(&mut w, db, &sheet, &meta, |n| progress.rows(n as u64)).await?;
        progress.done();
        c.result.written = Some(outcome);
    }
    w.commit().await?;
    Ok(checked.into_iter().map(|c| c.result).collect())
}

impl Checked {
    fn refused(result: SheetResult) -> Checked {
        Checked { result, sheet: None, scanned: Scanned::default() }
    }
}

/// Imports several files in dependency order (registry first), each accepted or refused alone.
pub async fn import_all(
    db: &Db,
    paths: &[std::path::PathBuf],
    opts: &ImportOptions<'_>,
    progress: &dyn Progress,
) -> Result<Vec<SheetResult>, StoreError> {
    let mut files = paths.to_vec();
    files.sort_by_key(|p| {
        dependency_rank(opts.table.or_else(|| p.file_stem().and_then(|s| s.to_str()).and_then(Table::from_file_name)))
    });
    let mut out = Vec::new();
    for (i, path) in files.iter().enumerate() {
        progress.file(i + 1, files.len());
        out.extend(import_file(db, path, &path.display().to_string(), opts, progress).await?);
    }
    Ok(out)
}
