//! Writing checked records inside a file's write transaction: a submission per school and year, the
//! previous version kept (its rows stay with `is_current = 0`), identical data left untouched.

use std::collections::HashMap;

use sqlx::{AssertSqlSafe, Row};

use super::audit::{self, Entry};
use super::notifications::{self, Audience, Notice};
use super::sql::Sql;
use super::submissions::{Written, activate_all};
use super::write::WriteTx;
use super::{Db, StoreError, now};
use crate::domain::ids::{IdNumber, mask_name, mask_other_id};
use crate::domain::privacy::Keys;
use crate::domain::record::{CheckedRow, CheckedSheet, GroupKey};
use crate::domain::standard::{Keying, Table};
use crate::messages::notice::{self, NoticeKind};

pub use super::insert::{Query, SqlValue, bind, insert_batch, insert_in_write};

/// The stored columns of a record table, in order: personal columns expanded (§6), then the
/// bookkeeping columns.
pub fn stored_columns(table: Table) -> Vec<&'static str> {
    let mut cols = Vec::new();
    for c in table.spec().columns {
        match c.key {
            "id_number" => cols.extend(["id_pseudo", "id_enc", "id_masked"]),
            "name" if table.spec().personal => cols.extend(["name_enc", "name_masked"]),
            k => cols.push(k),
        }
    }
    cols.extend(["submission_id", "row_no", "is_current", "row_hash"]);
    cols
}

pub fn record_table(table: Table) -> String {
    format!("rec_{}", table.key())
}

/// A submission as the record tables are keyed: its id, school and year.
#[derive(Debug, Clone, Copy)]
pub struct SubmissionAt<'a> {
    pub id: i64,
    pub school: &'a str,
    pub year: Option<i64>,
}

/// The condition that picks one submission's rows of `table` under `alias`, its values added to
/// `sql`. A table kept by school and year is reached through its key (or its index by school and
/// year) with the school and year as values: the large tables keep no index by submission (schema
/// v27), and a distributed planner can route the statement by its school. Natural-key tables are
/// found by their index by submission.
pub fn rows_of_submission(sql: &mut Sql, table: Table, alias: &str, at: SubmissionAt<'_>) -> String {
    let id = sql.param(SqlValue::Int(at.id));
    match table.spec().keying {
        Keying::SchoolYear { year_column } => {
            let school = sql.param(SqlValue::text(at.school));
            let year = sql.param(at.year.map_or(SqlValue::NullInt, SqlValue::Int));
            format!(
                "{alias}.school_code = {school} AND {alias}.{year_column} = {year} AND {alias}.submission_id = {id}"
            )
        }
        Keying::Natural { .. } => format!("{alias}.submission_id = {id}"),
    }
}

/// What a write did, for the user and the audit log.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct WriteOutcome {
    pub submissions: Vec<i64>,
    pub rows_written: i64,
    /// Groups whose content was identical to the approved version: left untouched.
    pub unchanged_groups: usize,
    pub replaced_groups: usize,
}

pub struct FileMeta<'a> {
    pub name: &'a str,
    pub hash: &'a str,
    pub actor: &'a str,
    pub source: &'a str,
    /// `approved` for the operator's imports; `submitted` where a review follows.
    pub status: &'a str,
}

fn row_values(
    keys: &Keys,
    table: Table,
    row: &CheckedRow,
    row_hash: String,
    submission: i64,
    current: bool,
) -> Vec<SqlValue> {
    let spec = table.spec();
    let mut out = Vec::with_capacity(spec.columns.len() + 8);
    let id_type = row.text(table, "id_type").unwrap_or("resident_id").to_string();
    for (c, v) in spec.columns.iter().zip(&row.values) {
        match c.key {
            "id_type" if spec.personal => out.push(SqlValue::Text(id_type.clone())),
            "id_number" => {
                let id = v.as_str().unwrap_or("");
                let masked = match IdNumber::parse(id, None) {
                    Ok(n) => n.masked(),
                    Err(_) => mask_other_id(id),
                };
                out.push(SqlValue::Text(keys.pseudonym(&id_type, id)));
                out.push(SqlValue::Text(keys.encrypt(id)));
                out.push(SqlValue::Text(masked));
            }
            "name" if spec.personal => {
                let name = v.as_str().unwrap_or("");
                out.push(SqlValue::Text(keys.encrypt(name)));
                out.push(SqlValue::Text(mask_name(name)));
            }
            // Record tables are keyed by school: an outcome of no school is the bureau's, ''.
            "school_code" => out.push(SqlValue::Text(v.as_str().unwrap_or("").to_string())),
            _ => out.push(SqlValue::from_value(v, c)),
        }
    }
    out.push(SqlValue::Int(submission));
    out.push(SqlValue::Int(row.row as i64));
    out.push(SqlValue::Int(i64::from(current)));
    out.push(SqlValue::Text(row_hash));
    out
}

/// Turns checked rows into stored rows (pseudonym, ciphertexts, masks, row hash): pure work that
/// needs no connection, so it runs on another thread while the rows before are inserted.
pub struct RowPreparer {
    table: Table,
    keys: std::sync::Arc<Keys>,
    current: bool,
    /// A submission for each group that changes; None for groups left as they are.
    group_submission: HashMap<GroupKey, Option<i64>>,
    /// Natural-key tables: each current key's row hash (a row identical to it is not written).
    existing: HashMap<Vec<String>, String>,
}

impl RowPreparer {
    /// The submission a row goes to and its stored values; None for a row left as it is.
    /// `content_hash` is the row's [`CheckedRow::content_hash`], computed once by the caller.
    pub fn prepare(&self, row: &CheckedRow, content_hash: &[u8; 32]) -> Option<(i64, Vec<SqlValue>)> {
        let table = self.table;
        let Some(Some(sub)) = self.group_submission.get(&row.group_key(table)) else {
            return None;
        };
        let key = row.natural_key(table);
        let row_hash = hex::encode(content_hash);
        if !key.is_empty() && self.existing.get(&key).is_some_and(|h| *h == row_hash) {
            return None;
        }
        Some((*sub, row_values(&self.keys, table, row, row_hash, *sub, self.current)))
    }
}

/// Writes a checked sheet inside the file's write transaction, in three steps: [`SheetWriter::begin`]
/// makes a submission for each school and year that changes; the rows, prepared by a
/// [`RowPreparer`] (on any thread), go in with [`SheetWriter::insert`] a batch at a time as they are
/// read; [`SheetWriter::finish`] makes them count when they need no review.
pub struct SheetWriter {
    table: Table,
    rec: String,
    columns: Vec<&'static str>,
    current: bool,
    outcome: WriteOutcome,
    written_per_submission: HashMap<i64, i64>,
    preparer: std::sync::Arc<RowPreparer>,
}

impl SheetWriter {
    pub async fn begin(
        w: &mut WriteTx<'_>,
        db: &Db,
        sheet: &CheckedSheet,
        meta: &FileMeta<'_>,
    ) -> Result<SheetWriter, StoreError> {
        let table = sheet.table;
        let tx = w.conn();
        let rec = record_table(table);
        let now = now();
        let current = meta.status == "approved";
        let mut outcome = WriteOutcome::default();
        let mut group_submission: HashMap<GroupKey, Option<i64>> = HashMap::new();
        for (key, g) in &sheet.groups {
            let (school, year) = key;
            let previous = sqlx::query(
                "SELECT id, content_hash FROM submission WHERE table_name = $1 AND school_code = $2 AND (year = $3 OR (year IS NULL AND $3 IS NULL)) AND status = 'approved'",
            )
            .bind(table.key())
            .bind(school.clone())
            .bind(*year)
            .fetch_optional(&mut *tx)
            .await?;
            let previous: Option<(i64, String)> = previous.map(|r| (r.get(0), r.get(1)));
            let natural = matches!(table.spec().keying, Keying::Natural { .. });
            if !natural && previous.as_ref().is_some_and(|p| p.1 == g.content_hash) {
                outcome.unchanged_groups += 1;
                group_submission.insert(key.clone(), None);
                continue;
            }
            let warnings = sheet.warnings_json.clone();
            let id: i64 = sqlx::query(
                "INSERT INTO submission (table_name, school_code, year, file_name, file_hash, content_hash, row_count, status, warnings, submitted_by, submitted_at, reviewed_by, reviewed_at, replaces) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
            )
            .bind(table.key())
            .bind(school.clone())
            .bind(*year)
            .bind(meta.name.to_string())
            .bind(meta.hash.to_string())
            .bind(g.content_hash.clone())
            .bind(g.rows)
            .bind(meta.status.to_string())
            .bind(warnings)
            .bind(meta.actor.to_string())
            .bind(now.clone())
            .bind(current.then(|| meta.actor.to_string()))
            .bind(current.then(|| now.clone()))
            .bind(previous.as_ref().filter(|_| !natural).map(|p| p.0))
            .fetch_one(&mut *tx)
            .await?
            .get(0);
            if current && !natural && previous.is_some() {
                outcome.replaced_groups += 1;
            }
            if !current {
                // Its reviewers hear that it waits, in the same transaction.
                let name =
                    super::registry::school_on(&mut *tx, school).await?.map_or_else(|| school.clone(), |s| s.name);
                let text = notice::review_waiting(id, &name, (table.zh(), table.key(), *year), g.rows);
                let link = format!("/submissions/{id}");
                let n = Notice { kind: NoticeKind::ReviewWaiting, text, link: &link, dedup: format!("review:{id}") };
                notifications::send(&mut *tx, &Audience::Reviewers(school), &n).await?;
            }
            outcome.submissions.push(id);
            group_submission.insert(key.clone(), Some(id));
        }
        // Natural-key tables: each row replaces the current row with its key, unless identical.
        let existing: HashMap<Vec<String>, String> = match table.spec().keying {
            Keying::Natural { key } => {
                let sql = format!("SELECT {}, row_hash FROM {rec} WHERE is_current = 1", key.join(", "));
                sqlx::query(AssertSqlSafe(sql))
                    .fetch_all(&mut *tx)
                    .await?
                    .into_iter()
                    .map(|r| {
                        let k: Vec<String> =
                            (0..key.len()).map(|i| r.try_get::<String, _>(i).unwrap_or_default()).collect();
                        (k, r.get::<String, _>(key.len()))
                    })
                    .collect()
            }
            Keying::SchoolYear { .. } => HashMap::new(),
        };
        let preparer = RowPreparer { table, keys: db.keys.clone(), current, group_submission, existing };
        Ok(SheetWriter {
            table,
            rec,
            columns: stored_columns(table),
            current,
            outcome,
            written_per_submission: HashMap::new(),
            preparer: std::sync::Arc::new(preparer),
        })
    }

    /// What prepares this sheet's rows, to hand to another thread.
    pub fn preparer(&self) -> std::sync::Arc<RowPreparer> {
        self.preparer.clone()
    }

    /// Inserts prepared rows.
    pub async fn insert(&mut self, w: &mut WriteTx<'_>, rows: Vec<(i64, Vec<SqlValue>)>) -> Result<(), StoreError> {
        let mut values = Vec::with_capacity(rows.len());
        for (sub, v) in rows {
            *self.written_per_submission.entry(sub).or_default() += 1;
            values.push(v);
        }
        insert_in_write(w, &self.rec, &self.columns, values).await
    }

    /// Counts what was written, makes it count when it needs no review, and records the import.
    pub async fn finish(
        mut self,
        w: &mut WriteTx<'_>,
        meta: &FileMeta<'_>,
        rows_read: usize,
    ) -> Result<WriteOutcome, StoreError> {
        let table = self.table;
        let tx = w.conn();
        let outcome = &mut self.outcome;
        // Natural-key submissions count the rows they changed; one that changed nothing is dropped.
        if matches!(table.spec().keying, Keying::Natural { .. }) {
            for id in outcome.submissions.clone() {
                match self.written_per_submission.get(&id) {
                    Some(n) => {
                        sqlx::query("UPDATE submission SET row_count = $1 WHERE id = $2")
                            .bind(*n)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    None => {
                        sqlx::query("DELETE FROM submission WHERE id = $1").bind(id).execute(&mut *tx).await?;
                        outcome.submissions.retain(|s| *s != id);
                        outcome.unchanged_groups += 1;
                    }
                }
            }
        }
        // The new rows count; what they replace stops counting (the same step a reviewer's approval takes).
        if self.current {
            let retired = activate_all(&mut *tx, table, &outcome.submissions, Written::Counting).await?;
            if matches!(table.spec().keying, Keying::Natural { .. }) {
                outcome.replaced_groups = retired as usize;
            }
        }
        outcome.rows_written = self.written_per_submission.values().sum();
        let detail = format!(
            "table {}, {} rows read, {} written, submissions {:?}, {} unchanged",
            table.key(),
            rows_read,
            outcome.rows_written,
            outcome.submissions,
            outcome.unchanged_groups
        );
        audit::record(
            &mut *tx,
            &Entry { actor: meta.actor, action: "import", object: meta.name, detail: &detail, source: meta.source },
        )
        .await?;
        Ok(self.outcome)
    }
}
