//! The plan's tasks, their assignments to undertaking schools with expected outputs, the yearly
//! implementation plans and progress reports, and evidence files. Every change is audited.

use sha2::{Digest, Sha256};
use sqlx::Row;

use super::audit::{self, Entry};
use super::packs::{self, Identity, Kind};
use super::{Db, StoreError, now};
use crate::domain::tasks::{
    DEFAULT_TASKS, DueItem, EVIDENCE_LIMIT, ReportKind, TaskPack, completion, evidence_type, schedule,
};

#[derive(Debug, Clone, serde::Serialize)]
pub struct Output {
    pub id: i64,
    pub name: String,
    pub unit: String,
    pub target: f64,
    /// The latest progress report's figure (figures are totals to date).
    pub reported: Option<f64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Evidence {
    pub id: i64,
    pub report_id: i64,
    pub school_code: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub id: i64,
    pub year: i64,
    pub kind: String,
    pub body: String,
    pub submitted_by: String,
    pub submitted_at: String,
    pub figures: Vec<(i64, f64)>,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Assignment {
    pub id: i64,
    pub task_code: String,
    pub task_title: String,
    pub section: String,
    pub school_code: String,
    pub school_name: String,
    pub district_code: String,
    pub first_year: i64,
    pub last_year: i64,
    pub outputs: Vec<Output>,
    pub reports: Vec<Report>,
    pub completion: Option<f64>,
    /// Reports due and not filed, as "2024 年度进展报告".
    pub overdue: Vec<String>,
    /// Every due item with its date and state, in date order.
    pub schedule: Vec<DueItem>,
}

impl Assignment {
    /// The next item not filed: overdue first, else the next to come.
    pub fn next_due(&self) -> Option<&DueItem> {
        self.schedule.iter().find(|d| d.state != crate::domain::tasks::DueState::Filed)
    }
}

fn invalid(m: impl Into<String>) -> StoreError {
    StoreError::refused(m)
}

pub async fn add_task(
    db: &Db,
    code: &str,
    title: &str,
    section: &str,
    actor: &str,
    source: &str,
) -> Result<i64, StoreError> {
    let (code, title) = (code.trim(), title.trim());
    if code.is_empty() || title.is_empty() {
        return Err(invalid("任务须有编号和名称 / a task needs a code and a title"));
    }
    let exists: i64 = sqlx::query("SELECT COUNT(*) FROM plan_task WHERE code = $1")
        .bind(code.to_string())
        .fetch_one(&db.pool)
        .await?
        .get(0);
    if exists > 0 {
        return Err(invalid(format!("任务编号“{code}”已存在 / task {code} exists")));
    }
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO plan_task (code, title, section, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(code.to_string())
    .bind(title.to_string())
    .bind(section.trim().to_string())
    .bind(actor.to_string())
    .bind(now())
    .fetch_one(&mut *tx)
    .await?
    .get(0);
    audit::record(
        &mut *tx,
        &Entry { actor, action: "task_create", object: &format!("task {code}"), detail: title, source },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The plan's tasks as loaded (the shipped file until the bureau loads another).
pub async fn pack(db: &Db) -> Result<TaskPack, StoreError> {
    let mut conn = db.pool.acquire().await?;
    let text = packs::active_source(&mut conn, Kind::Tasks).await?.unwrap_or_else(|| DEFAULT_TASKS.to_string());
    TaskPack::parse(&text).map_err(|e| StoreError::Internal(format!("the stored task pack: {}", e.join("; "))))
}

/// Loads the plan's tasks: checked whole, kept as a pack, and every task added (or its title and
/// section brought up to date) by code in one write. Tasks are never removed: assignments refer
/// to them. The number of tasks added.
pub async fn load_pack(db: &Db, text: &str, actor: &str, origin: &str) -> Result<usize, StoreError> {
    let pack = TaskPack::parse(text).map_err(|e| StoreError::refused(e.join("\n")))?;
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    let id = Identity { id: &pack.id, version: &pack.version, name_zh: &pack.name_zh };
    packs::load_on(&mut *tx, Kind::Tasks, &id, text, actor, origin).await?;
    let mut added = 0;
    for t in &pack.tasks {
        let changed = sqlx::query("UPDATE plan_task SET title = $1, section = $2 WHERE code = $3")
            .bind(t.title_zh.clone())
            .bind(t.section.clone())
            .bind(t.code.clone())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 0 {
            sqlx::query(
                "INSERT INTO plan_task (code, title, section, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(t.code.clone())
            .bind(t.title_zh.clone())
            .bind(t.section.clone())
            .bind(actor.to_string())
            .bind(now())
            .execute(&mut *tx)
            .await?;
            added += 1;
        }
    }
    w.commit().await?;
    Ok(added)
}

/// The outputs the task file suggests for a task, or a refusal saying to name them.
pub async fn suggested_outputs(db: &Db, code: &str) -> Result<Vec<(String, String, f64)>, StoreError> {
    let pack = pack(db).await?;
    let outs: Vec<(String, String, f64)> = pack
        .task(code)
        .map(|t| t.outputs.iter().map(|o| (o.name.clone(), o.unit.clone(), o.target)).collect())
        .unwrap_or_default();
    if outs.is_empty() {
        return Err(invalid(format!(
            "任务 {code} 没有建议的预期成果：请用 --output 名称:单位:目标 列出 / task {code} suggests no outputs: name them with --output name:unit:target"
        )));
    }
    Ok(outs)
}

/// A school named by its code or its full name (as a person types it), or a refusal naming the
/// schools whose names contain what was typed.
pub async fn resolve_school(db: &Db, typed: &str) -> Result<String, StoreError> {
    let typed = typed.trim();
    // "广州市第一职业技术学校（4401000001）", as the picker shows a school, is the code.
    let inner =
        typed.rsplit_once('（').or_else(|| typed.rsplit_once('(')).map(|(_, c)| c.trim_end_matches(['）', ')']));
    let schools = super::registry::schools(db).await?;
    if let Some(s) = schools.iter().find(|s| s.code == typed || Some(s.code.as_str()) == inner || s.name == typed) {
        return Ok(s.code.clone());
    }
    let near: Vec<String> = schools
        .iter()
        .filter(|s| !typed.is_empty() && s.name.contains(typed))
        .take(5)
        .map(|s| s.name.clone())
        .collect();
    Err(invalid(if near.is_empty() {
        format!(
            "没有学校“{typed}”：请填学校全称或 10 位代码 / no school “{typed}”: give its full name or 10-digit code"
        )
    } else {
        format!("“{typed}”不唯一，是指：{}？/ “{typed}” is not one school: {}?", near.join("、"), near.join(", "))
    }))
}

/// The schools a task is assigned to (by code).
pub async fn schools_of_task(db: &Db, code: &str) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query(
        "SELECT a.school_code FROM task_assignment a JOIN plan_task t ON t.id = a.task_id WHERE t.code = $1",
    )
    .bind(code.to_string())
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// The tasks: (code, title, section).
pub async fn tasks(db: &Db) -> Result<Vec<(String, String, String)>, StoreError> {
    let rows = sqlx::query("SELECT code, title, section FROM plan_task ORDER BY code").fetch_all(&db.pool).await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
}

/// An expected output, written `名称:单位:目标` on the command line and in forms.
pub fn parse_output(s: &str) -> Result<(String, String, f64), StoreError> {
    let parts: Vec<&str> = s.split([':', '：']).map(str::trim).collect();
    match parts.as_slice() {
        [name, unit, target] if !name.is_empty() => match target.parse::<f64>() {
            Ok(t) if t > 0.0 => Ok((name.to_string(), unit.to_string(), t)),
            _ => Err(invalid(format!("“{s}”：目标须为正数 / the target must be a positive number"))),
        },
        _ => Err(invalid(format!(
            "“{s}”：应写作 名称:单位:目标，如 精品课程:门:3 / write name:unit:target, e.g. 精品课程:门:3"
        ))),
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn assign(
    db: &Db,
    task_code: &str,
    school: &str,
    first_year: i64,
    last_year: i64,
    outputs: &[(String, String, f64)],
    actor: &str,
    source: &str,
) -> Result<i64, StoreError> {
    let task: Option<i64> = sqlx::query("SELECT id FROM plan_task WHERE code = $1")
        .bind(task_code.to_string())
        .fetch_optional(&db.pool)
        .await?
        .map(|r| r.get(0));
    let task =
        task.ok_or_else(|| invalid(format!("没有任务“{task_code}”：先用 vetis task add 建立 / no task {task_code}")))?;
    let known: i64 = sqlx::query("SELECT COUNT(*) FROM rec_school WHERE school_code = $1 AND is_current = 1")
        .bind(school.to_string())
        .fetch_one(&db.pool)
        .await?
        .get(0);
    if known == 0 {
        return Err(invalid(format!("学校“{school}”不在学校名录中 / school {school} is not in the registry")));
    }
    if !(2000..=2100).contains(&first_year) || first_year > last_year {
        return Err(invalid(format!(
            "年度 {first_year}–{last_year} 无效 / the years {first_year}–{last_year} are not valid"
        )));
    }
    if outputs.is_empty() {
        return Err(invalid("至少须有一项预期成果 / give at least one expected output"));
    }
    let mut tx = db.begin().await?;
    let dup: i64 = sqlx::query("SELECT COUNT(*) FROM task_assignment WHERE task_id = $1 AND school_code = $2")
        .bind(task)
        .bind(school.to_string())
        .fetch_one(&mut *tx)
        .await?
        .get(0);
    if dup > 0 {
        return Err(invalid(format!(
            "任务“{task_code}”已分配给 {school} / task {task_code} is already assigned to {school}"
        )));
    }
    let id: i64 = sqlx::query("INSERT INTO task_assignment (task_id, school_code, first_year, last_year, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(task)
        .bind(school.to_string())
        .bind(first_year)
        .bind(last_year)
        .bind(actor.to_string())
        .bind(now())
        .fetch_one(&mut *tx)
        .await?
        .get(0);
    for (name, unit, target) in outputs {
        sqlx::query("INSERT INTO assignment_output (assignment_id, name, unit, target) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(name.clone())
            .bind(unit.clone())
            .bind(*target)
            .execute(&mut *tx)
            .await?;
    }
    let detail = format!(
        "{school} {first_year}–{last_year}: {}",
        outputs.iter().map(|o| format!("{} {}{}", o.0, o.2, o.1)).collect::<Vec<_>>().join("，")
    );
    audit::record(
        &mut *tx,
        &Entry { actor, action: "task_assign", object: &format!("task {task_code}"), detail: &detail, source },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

const ASSIGNMENT: &str = "SELECT a.id, t.code, t.title, t.section, a.school_code, COALESCE(k.name, ''), COALESCE(k.district_code, ''), a.first_year, a.last_year \
     FROM task_assignment a JOIN plan_task t ON t.id = a.task_id \
     LEFT JOIN rec_school k ON k.school_code = a.school_code AND k.is_current = 1";

/// Assignments (all, or one school's, or one district's), with outputs, reports and completion.
pub async fn assignments(db: &Db, school: Option<&str>, district: Option<&str>) -> Result<Vec<Assignment>, StoreError> {
    let (cond, arg) = match (school, district) {
        (Some(s), _) => (" WHERE a.school_code = $1", Some(s)),
        (None, Some(d)) => (" WHERE k.district_code = $1", Some(d)),
        _ => ("", None),
    };
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!("{ASSIGNMENT}{cond} ORDER BY t.code, a.school_code")));
    if let Some(a) = arg {
        q = q.bind(a.to_string());
    }
    let rows = q.fetch_all(&db.pool).await?;
    let mut out = Vec::new();
    for r in rows {
        out.push(complete(db, &r).await?);
    }
    Ok(out)
}

pub async fn assignment(db: &Db, id: i64) -> Result<Assignment, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{ASSIGNMENT} WHERE a.id = $1")))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or_else(|| StoreError::not_found(format!("没有分配 {id} / there is no assignment {id}")))?;
    complete(db, &row).await
}

async fn complete(db: &Db, r: &sqlx::any::AnyRow) -> Result<Assignment, StoreError> {
    let id: i64 = r.get(0);
    let mut reports = Vec::new();
    for rr in sqlx::query("SELECT id, year, kind, body, submitted_by, submitted_at FROM task_report WHERE assignment_id = $1 ORDER BY year, kind")
        .bind(id)
        .fetch_all(&db.pool)
        .await?
    {
        let rid: i64 = rr.get(0);
        let figures = sqlx::query("SELECT output_id, value FROM report_figure WHERE report_id = $1")
            .bind(rid)
            .fetch_all(&db.pool)
            .await?
            .iter()
            .map(|f| (f.get(0), f.get(1)))
            .collect();
        reports.push(Report {
            id: rid,
            year: rr.get(1),
            kind: rr.get(2),
            body: rr.get(3),
            submitted_by: rr.get(4),
            submitted_at: rr.get(5),
            figures,
            evidence: evidence_of(db, rid).await?,
        });
    }
    let mut outputs: Vec<Output> =
        sqlx::query("SELECT id, name, unit, target FROM assignment_output WHERE assignment_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&db.pool)
            .await?
            .iter()
            .map(|o| Output { id: o.get(0), name: o.get(1), unit: o.get(2), target: o.get(3), reported: None })
            .collect();
    for o in &mut outputs {
        o.reported = reports
            .iter()
            .filter(|r| r.kind == "progress")
            .filter_map(|r| r.figures.iter().find(|f| f.0 == o.id).map(|f| (r.year, f.1)))
            .max_by_key(|(y, _)| *y)
            .map(|(_, v)| v);
    }
    let filed: Vec<(i32, ReportKind)> =
        reports.iter().filter_map(|r| ReportKind::parse(&r.kind).map(|k| (r.year as i32, k))).collect();
    let (first, last): (i64, i64) = (r.get(7), r.get(8));
    let today = crate::messages::time::today();
    let schedule = schedule(first as i32, last as i32, &filed, today);
    Ok(Assignment {
        id,
        task_code: r.get(1),
        task_title: r.get(2),
        section: r.get(3),
        school_code: r.get(4),
        school_name: r.get(5),
        district_code: r.get(6),
        first_year: first,
        last_year: last,
        completion: completion(&outputs.iter().map(|o| (o.target, o.reported)).collect::<Vec<_>>()),
        overdue: schedule
            .iter()
            .filter(|d| d.state == crate::domain::tasks::DueState::Overdue)
            .map(|d| format!("{} {}", d.year, d.kind.zh()))
            .collect(),
        schedule,
        outputs,
        reports,
    })
}

/// Files (or refiles) a school's plan or progress report for a year, with a figure per output.
#[allow(clippy::too_many_arguments)]
pub async fn file_report(
    db: &Db,
    assignment_id: i64,
    year: i64,
    kind: ReportKind,
    body: &str,
    figures: &[(i64, f64)],
    actor: &str,
    source: &str,
) -> Result<i64, StoreError> {
    let a = assignment(db, assignment_id).await?;
    if year < a.first_year || year > a.last_year {
        return Err(invalid(format!(
            "{year} 不在任务年度 {}–{} 内 / {year} is outside the assignment's years",
            a.first_year, a.last_year
        )));
    }
    if body.trim().chars().count() < 10 {
        return Err(invalid("报告正文至少 10 个字 / the report needs at least 10 characters of text"));
    }
    for (o, v) in figures {
        if !a.outputs.iter().any(|x| x.id == *o) {
            return Err(invalid(format!("成果 {o} 不属于这项任务 / output {o} is not one of this assignment's")));
        }
        if !v.is_finite() || *v < 0.0 {
            return Err(invalid(format!("成果数值 {v} 无效 / {v} is not a valid figure")));
        }
    }
    let mut tx = db.begin().await?;
    let existing: Option<i64> =
        sqlx::query("SELECT id FROM task_report WHERE assignment_id = $1 AND year = $2 AND kind = $3")
            .bind(assignment_id)
            .bind(year)
            .bind(kind.key())
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.get(0));
    let id = match existing {
        Some(id) => {
            sqlx::query("UPDATE task_report SET body = $1, submitted_by = $2, submitted_at = $3 WHERE id = $4")
                .bind(body.trim().to_string())
                .bind(actor.to_string())
                .bind(now())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM report_figure WHERE report_id = $1").bind(id).execute(&mut *tx).await?;
            id
        }
        None => sqlx::query("INSERT INTO task_report (assignment_id, school_code, year, kind, body, submitted_by, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(assignment_id)
            .bind(a.school_code.clone())
            .bind(year)
            .bind(kind.key())
            .bind(body.trim().to_string())
            .bind(actor.to_string())
            .bind(now())
            .fetch_one(&mut *tx)
            .await?
            .get(0),
    };
    for (o, v) in figures {
        sqlx::query("INSERT INTO report_figure (report_id, output_id, value) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(*o)
            .bind(*v)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut *tx,
        &Entry {
            actor,
            action: "task_report",
            object: &format!("assignment {assignment_id}"),
            detail: &format!("{year} {}", kind.zh()),
            source,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Stores an evidence file after checking its type (by its bytes) and size.
/// An evidence file's shown name (no path, no control characters, at most 120 characters), its
/// content type judged by its bytes, and its SHA-256; refused if empty, over 20 MB or of a kind
/// not accepted. Shared by every kind of evidence (tasks, dual-qualified applications).
pub(crate) fn vetted(file_name: &str, bytes: &[u8]) -> Result<(String, &'static str, String), StoreError> {
    let name: String =
        file_name.rsplit(['/', '\\']).next().unwrap_or("").chars().filter(|c| !c.is_control()).take(120).collect();
    if bytes.is_empty() || bytes.len() > EVIDENCE_LIMIT {
        return Err(invalid(format!(
            "“{name}”：文件须在 1 字节到 20 MB 之间 / evidence must be between 1 byte and 20 MB"
        )));
    }
    let content_type = evidence_type(&name, bytes).ok_or_else(|| {
        invalid(format!("“{name}”：只接受 PDF、PNG、JPEG、DOCX、XLSX、PPTX 文件 / only PDF, PNG, JPEG, DOCX, XLSX and PPTX files are accepted"))
    })?;
    Ok((name, content_type, hex::encode(Sha256::digest(bytes))))
}

pub async fn add_evidence(
    db: &Db,
    report_id: i64,
    file_name: &str,
    bytes: &[u8],
    actor: &str,
    source: &str,
) -> Result<i64, StoreError> {
    let school: String = sqlx::query("SELECT school_code FROM task_report WHERE id = $1")
        .bind(report_id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or_else(|| invalid(format!("没有报告 {report_id} / there is no report {report_id}")))?
        .get(0);
    let (name, content_type, sha) = vetted(file_name, bytes)?;
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query("INSERT INTO evidence_file (report_id, school_code, file_name, content_type, size, sha256, content, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
        .bind(report_id)
        .bind(school)
        .bind(name.clone())
        .bind(content_type)
        .bind(bytes.len() as i64)
        .bind(sha.clone())
        .bind(bytes.to_vec())
        .bind(actor.to_string())
        .bind(now())
        .fetch_one(&mut *tx)
        .await?
        .get(0);
    audit::record(
        &mut *tx,
        &Entry {
            actor,
            action: "evidence_upload",
            object: &format!("report {report_id}"),
            detail: &format!("{name} sha256 {sha}"),
            source,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

const EVIDENCE: &str = "SELECT id, report_id, school_code, file_name, content_type, size, sha256, uploaded_by, uploaded_at FROM evidence_file";

fn evidence_row(r: &sqlx::any::AnyRow) -> Evidence {
    Evidence {
        id: r.get(0),
        report_id: r.get(1),
        school_code: r.get(2),
        file_name: r.get(3),
        content_type: r.get(4),
        size: r.get(5),
        sha256: r.get(6),
        uploaded_by: r.get(7),
        uploaded_at: r.get(8),
    }
}

async fn evidence_of(db: &Db, report_id: i64) -> Result<Vec<Evidence>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{EVIDENCE} WHERE report_id = $1 ORDER BY id")))
        .bind(report_id)
        .fetch_all(&db.pool)
        .await?;
    Ok(rows.iter().map(evidence_row).collect())
}

/// An evidence file and its bytes.
pub async fn evidence(db: &Db, id: i64) -> Result<(Evidence, Vec<u8>), StoreError> {
    let meta = sqlx::query(sqlx::AssertSqlSafe(format!("{EVIDENCE} WHERE id = $1")))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or_else(|| StoreError::not_found(format!("没有证明材料 {id} / there is no evidence file {id}")))?;
    let bytes: Vec<u8> =
        sqlx::query("SELECT content FROM evidence_file WHERE id = $1").bind(id).fetch_one(&db.pool).await?.get(0);
    Ok((evidence_row(&meta), bytes))
}
