//! Importing a file end to end: read, find each sheet's table, check every rule, and write an
//! accepted sheet in one transaction. Used by the CLI and (later) the web, so both refuse and
//! accept the same files with the same messages.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use sha2::{Digest, Sha256};

use std::sync::Arc;

use crate::domain::record::CheckedSheet;
use crate::domain::reference::Reference;
use crate::domain::standard::Table;
use crate::ingest::check::{
    CheckReport, ColumnMap, absorb, check_sheet, checked_rows, map_header, recheck, scan_sheet,
};
use crate::ingest::{Scanned, read, resolve_table};
use crate::messages::{Finding, Problem, Severity};
use crate::store::records::{FileMeta, SheetWriter, SqlValue, WriteOutcome};
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
    /// Where its rows are read again from, for writing: the sheet, its columns and the code lists.
    source: Option<Source>,
}

#[derive(Clone)]
struct Source {
    sheet: Arc<read::Sheet>,
    map: Arc<ColumnMap>,
    reference: Arc<Reference>,
}

impl Source {
    fn rows(&self, table: Table) -> impl Iterator<Item = crate::domain::record::CheckedRow> + '_ {
        checked_rows(table, &self.sheet, &self.map, &self.reference).flatten()
    }
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
        // A first, light pass: the schools and years named, for the records the rules compare with.
        let sheet = Arc::new(sheet);
        let started = std::time::Instant::now();
        let scanned = scan_sheet(table, &sheet, &map, &refs);
        reference::load_records(db, table, &scanned, &mut refs).await?;
        tracing::info!(sheet = %sheet.label, seconds = started.elapsed().as_secs_f64(), "scanned; records loaded");
        for earlier in &checked {
            if let (Some(e), Some(src)) = (&earlier.sheet, &earlier.source) {
                absorb(&mut refs, e, src.rows(e.table));
            }
        }
        progress.phase(Phase::Checking, &sheet.label, None);
        let report: CheckReport =
            check_sheet(table, &sheet, &map, &refs, &db.keys, opts.allowed_schools, |n| progress.rows(n as u64));
        tracing::info!(sheet = %sheet.label, seconds = started.elapsed().as_secs_f64(), "checked");
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
        let source = accepted.then(|| Source { sheet, map: Arc::new(map), reference: Arc::new(refs) });
        checked.push(Checked { result, sheet: accepted.then_some(report.sheet), scanned, source });
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
            for e in earlier.iter() {
                if let (Some(s), Some(src)) = (&e.sheet, &e.source) {
                    absorb(&mut refs, s, src.rows(s.table));
                }
            }
            let src = c.source.as_ref().expect("an accepted sheet has its source");
            errors.extend(recheck(
                sheet,
                checked_rows(sheet.table, &src.sheet, &src.map, &src.reference),
                &refs,
                &db.keys,
            ));
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
        let (Some(sheet), Some(source)) = (c.sheet.take(), c.source.clone()) else { continue };
        let total: i64 = sheet.groups.values().map(|g| g.rows).sum();
        progress.phase(Phase::Writing, &sheet.label, Some(total as u64));
        match write_rows(&mut w, db, &sheet, source, &meta, progress).await? {
            Ok(outcome) => c.result.written = Some(outcome),
            Err(finding) => {
                // The file is not the one checked: nothing of it is written.
                w.rollback().await?;
                c.result.error_total = 1;
                c.result.errors = vec![finding];
                return Ok(checked.into_iter().map(|c| c.result).collect());
            }
        }
        progress.done();
    }
    w.commit().await?;
    let file = display.to_string();
    tracing::info!(%file, "committed");
    for c in &checked {
        if let (Some(table), Some(out)) = (c.result.table, &c.result.written)
            && out.rows_written >= crate::store::dialect::ANALYZE_AFTER_ROWS
        {
            crate::store::dialect::refresh_statistics(db, table).await?;
        }
    }
    Ok(checked.into_iter().map(|c| c.result).collect())
}

/// Rows per batch handed from the reading thread to the writer.
const BATCH: usize = 2_000;

/// Writes a checked sheet's rows inside the write transaction: one thread reads the file again and
/// prepares each row (its cells, the pseudonym, the ciphertexts, the hashes) while this task inserts
/// the batches before it, so reading and writing overlap on two cores. The rows must be the rows
/// checked: a row that no longer reads, or groups whose content differs, refuse the file.
async fn write_rows(
    w: &mut crate::store::write::WriteTx<'_>,
    db: &Db,
    sheet: &CheckedSheet,
    source: Source,
    meta: &FileMeta<'_>,
    progress: &dyn Progress,
) -> Result<Result<WriteOutcome, Finding>, StoreError> {
    let table = sheet.table;
    let started = std::time::Instant::now();
    let mut writer = SheetWriter::begin(w, db, sheet, meta).await?;
    let preparer = writer.preparer();
    type Batch = Result<Vec<(i64, Vec<SqlValue>)>, (usize, Problem)>;
    let (send, mut receive) = tokio::sync::mpsc::channel::<Batch>(4);
    let reader = tokio::task::spawn_blocking(move || {
        let mut digest = Sha256::new();
        let mut batch = Vec::with_capacity(BATCH);
        let mut read = 0usize;
        for row in checked_rows(table, &source.sheet, &source.map, &source.reference) {
            let row = match row {
                Ok(r) => r,
                Err(e) => {
                    let _ = send.blocking_send(Err(e));
                    return None;
                }
            };
            read += 1;
            let hash = row.content_hash();
            digest.update(hash);
            if let Some(prepared) = preparer.prepare(&row, &hash) {
                batch.push(prepared);
            }
            if batch.len() >= BATCH
                && send.blocking_send(Ok(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))).is_err()
            {
                return None;
            }
        }
        if !batch.is_empty() && send.blocking_send(Ok(batch)).is_err() {
            return None;
        }
        Some((read, <[u8; 32]>::from(digest.finalize())))
    });
    let mut written = 0usize;
    let mut changed: Option<(usize, Problem)> = None;
    while let Some(batch) = receive.recv().await {
        match batch {
            Ok(rows) => {
                written += rows.len();
                writer.insert(w, rows).await?;
                progress.rows(written as u64);
            }
            Err(e) => changed = Some(e),
        }
    }
    let finished = reader.await.map_err(|e| StoreError::Internal(format!("reading {}: {e}", sheet.label)))?;
    let changed_finding = |row: Option<usize>| Finding {
        file: sheet.label.clone(),
        row,
        column: None,
        severity: Severity::Error,
        problem: Problem::FileChanged,
    };
    if let Some((row, _)) = changed {
        return Ok(Err(changed_finding(Some(row))));
    }
    let Some((read, digest)) = finished else { return Ok(Err(changed_finding(None))) };
    // The same rows in the same order as checked, or the file changed in between.
    let checked: i64 = sheet.groups.values().map(|g| g.rows).sum();
    if digest != sheet.rows_digest || read as i64 != checked {
        return Ok(Err(changed_finding(None)));
    }
    tracing::info!(sheet = %sheet.label, rows = written, seconds = started.elapsed().as_secs_f64(), "rows inserted");
    let outcome = writer.finish(w, meta, read).await?;
    tracing::info!(sheet = %sheet.label, seconds = started.elapsed().as_secs_f64(), "submissions made to count");
    Ok(Ok(outcome))
}

impl Checked {
    fn refused(result: SheetResult) -> Checked {
        Checked { result, sheet: None, scanned: Scanned::default(), source: None }
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
