//! The part-time teacher pool: experts as registered (the person pseudonymised, encrypted and
//! masked like every record), the programs they can teach, engagements by schools per term and
//! the feedback after each. Every change is one transaction with its audit entry.

use std::collections::BTreeMap;

use sqlx::Row;

use super::audit::{self, Entry};
use super::{Db, StoreError, now};
use crate::domain::pool::{EngagementForm, Expert, check_rating, check_term};

/// An expert as a search shows them: no personal data.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Found {
    pub id: i64,
    pub enterprise_name: String,
    pub programs: Vec<String>,
    pub skills: Vec<String>,
    pub post: String,
    pub title: Option<String>,
}

/// An expert as the school that registered them, or the bureau, lists them (masked).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Listed {
    pub id: i64,
    pub name_masked: String,
    pub id_masked: String,
    pub enterprise_credit_code: String,
    pub enterprise_name: String,
    pub programs: Vec<String>,
    pub skills: Vec<String>,
    pub post: String,
    pub consent: bool,
    pub registered_by_school: String,
    pub engagements: i64,
    pub hours: f64,
}

/// One engagement.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Engagement {
    pub id: i64,
    pub school_code: String,
    pub expert_id: i64,
    pub term: String,
    pub program_code: Option<String>,
    pub courses: String,
    pub hours: f64,
    pub pay: f64,
    pub rating: Option<i64>,
    pub feedback: Option<String>,
}

fn refused(zh: &str, en: &str) -> StoreError {
    StoreError::refused(format!("{zh} / {en}"))
}

/// Registers an expert (by `school`, or the bureau when None). A person is in the pool once.
pub async fn add(db: &Db, e: &Expert, school: Option<&str>, actor: &str, origin: &str) -> Result<i64, StoreError> {
    Ok(add_all(db, &[(e, school)], actor, origin).await?[0])
}

/// Registers experts in one transaction: all of them, or none (a person already in the pool, or
/// twice in the list, refuses the whole list, naming them).
pub async fn add_all(
    db: &Db,
    list: &[(&Expert, Option<&str>)],
    actor: &str,
    origin: &str,
) -> Result<Vec<i64>, StoreError> {
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    let mut ids = Vec::with_capacity(list.len());
    let mut seen = std::collections::HashSet::new();
    for (e, school) in list {
        let pseudo = db.keys.pseudonym("resident_id", e.id.as_str());
        if !seen.insert(pseudo.clone()) {
            return Err(refused(
                &format!("{} 在名单中出现两次", e.id.masked()),
                &format!("{} is in the list twice", e.id.masked()),
            ));
        }
        if let Some(r) = sqlx::query("SELECT id FROM pool_expert WHERE id_pseudo = $1")
            .bind(pseudo.clone())
            .fetch_optional(&mut *tx)
            .await?
        {
            let id: i64 = r.get(0);
            return Err(refused(
                &format!("{} 已在资源库中（编号 {id}）", e.id.masked()),
                &format!("{} is in the pool already (number {id})", e.id.masked()),
            ));
        }
        let skills = serde_json::to_string(&e.skills).unwrap_or_else(|_| "[]".into());
        let id: i64 = sqlx::query(
            "INSERT INTO pool_expert (id_pseudo, id_enc, id_masked, name_enc, name_masked, enterprise_credit_code, enterprise_name, skills, title, post, \
             available_from, available_until, consent, active, registered_by_school, registered_by, registered_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $15, $16) RETURNING id",
        )
        .bind(pseudo)
        .bind(db.keys.encrypt(e.id.as_str()))
        .bind(e.id.masked())
        .bind(db.keys.encrypt(&e.name))
        .bind(crate::domain::ids::mask_name(&e.name))
        .bind(e.enterprise.as_str().to_string())
        .bind(e.enterprise_name.clone())
        .bind(skills)
        .bind(e.title.clone())
        .bind(e.post.key())
        .bind(e.available_from.map(|d| d.to_string()))
        .bind(e.available_until.map(|d| d.to_string()))
        .bind(i64::from(e.consent))
        .bind(school.unwrap_or("").to_string())
        .bind(actor.to_string())
        .bind(now())
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        for p in &e.programs {
            sqlx::query("INSERT INTO pool_program (expert_id, program_code) VALUES ($1, $2)")
                .bind(id)
                .bind(p.as_str().to_string())
                .execute(&mut *tx)
                .await?;
        }
        ids.push(id);
    }
    let detail = match list {
        [(e, _)] => format!(
            "{} {} {}",
            e.enterprise_name,
            e.post.key(),
            e.programs.iter().map(crate::domain::ids::ProgramCode::as_str).collect::<Vec<_>>().join(",")
        ),
        _ => format!("{} experts", list.len()),
    };
    let object = match ids.as_slice() {
        [id] => format!("expert {id}"),
        _ => format!("experts {}–{}", ids.first().unwrap_or(&0), ids.last().unwrap_or(&0)),
    };
    audit::record(&mut *tx, &Entry { actor, action: "pool_add", object: &object, detail: &detail, source: origin })
        .await?;
    w.commit().await?;
    Ok(ids)
}

async fn programs_of(db: &Db) -> Result<BTreeMap<i64, Vec<String>>, StoreError> {
    let mut out: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for r in sqlx::query("SELECT expert_id, program_code FROM pool_program ORDER BY expert_id, program_code")
        .fetch_all(&db.pool)
        .await?
    {
        out.entry(r.get(0)).or_default().push(r.get(1));
    }
    Ok(out)
}

/// Experts who consented to be listed, are active and available today, teaching a program whose
/// code starts with `program` (a code, or a category's first digits), with `skill` in their skills.
pub async fn search(db: &Db, program: &str, skill: Option<&str>) -> Result<Vec<Found>, StoreError> {
    let program = program.trim().to_uppercase();
    if program.len() < 2 {
        return Err(refused("请给出专业代码或其前两位以上", "give a program code, or at least its first two digits"));
    }
    let today = now()[..10].to_string();
    let rows = sqlx::query(
        "SELECT DISTINCT e.id, e.enterprise_name, e.skills, e.post, e.title FROM pool_expert e JOIN pool_program p ON p.expert_id = e.id \
         WHERE SUBSTR(p.program_code, 1, CAST($1 AS INTEGER)) = $2 AND e.consent = 1 AND e.active = 1 \
         AND (e.available_until IS NULL OR e.available_until >= $3) AND (e.available_from IS NULL OR e.available_from <= $4) ORDER BY e.id",
    )
    .bind(program.chars().count() as i64)
    .bind(program.clone())
    .bind(today.clone())
    .bind(today)
    .fetch_all(&db.pool)
    .await?;
    let programs = programs_of(db).await?;
    let skill = skill.map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
    Ok(rows
        .iter()
        .map(|r| {
            let id: i64 = r.get(0);
            Found {
                id,
                enterprise_name: r.get(1),
                programs: programs.get(&id).cloned().unwrap_or_default(),
                skills: serde_json::from_str(&r.get::<String, _>(2)).unwrap_or_default(),
                post: r.get(3),
                title: r.get(4),
            }
        })
        .filter(|f| skill.as_ref().is_none_or(|s| f.skills.iter().any(|k| k.to_lowercase().contains(s.as_str()))))
        .collect())
}

/// The experts a school registered (every one for the bureau, `school` None), masked, with their
/// engagements.
pub async fn list(db: &Db, school: Option<&str>) -> Result<Vec<Listed>, StoreError> {
    let rows = sqlx::query(
        "SELECT e.id, e.name_masked, e.id_masked, e.enterprise_credit_code, e.enterprise_name, e.skills, e.post, e.consent, e.registered_by_school, \
         (SELECT COUNT(*) FROM pool_engagement g WHERE g.expert_id = e.id), \
         (SELECT CAST(COALESCE(SUM(g.hours), 0) AS DOUBLE PRECISION) FROM pool_engagement g WHERE g.expert_id = e.id) \
         FROM pool_expert e WHERE ($1 = '' OR e.registered_by_school = $2) ORDER BY e.id",
    )
    .bind(school.unwrap_or("").to_string())
    .bind(school.unwrap_or("").to_string())
    .fetch_all(&db.pool)
    .await?;
    let programs = programs_of(db).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let id: i64 = r.get(0);
            Listed {
                id,
                name_masked: r.get(1),
                id_masked: r.get(2),
                enterprise_credit_code: r.get(3),
                enterprise_name: r.get(4),
                programs: programs.get(&id).cloned().unwrap_or_default(),
                skills: serde_json::from_str(&r.get::<String, _>(5)).unwrap_or_default(),
                post: r.get(6),
                consent: r.get::<i64, _>(7) == 1,
                registered_by_school: r.get(8),
                engagements: r.get(9),
                hours: r.get(10),
            }
        })
        .collect())
}

/// A school engages an expert for a term.
pub async fn engage(
    db: &Db,
    expert: i64,
    school: &str,
    program: Option<&str>,
    form: &EngagementForm,
    actor: &str,
    origin: &str,
) -> Result<i64, StoreError> {
    form.check().map_err(|e| StoreError::refused(e.join("；")))?;
    let (school_year, _) = check_term(&form.term).map_err(StoreError::refused)?;
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    let known: i64 = sqlx::query("SELECT COUNT(*) FROM rec_school WHERE school_code = $1 AND is_current = 1")
        .bind(school.to_string())
        .fetch_one(&mut *tx)
        .await?
        .get(0);
    if known == 0 {
        return Err(refused(
            &format!("学校 {school} 不在登记的学校中"),
            &format!("school {school} is not in the registry"),
        ));
    }
    let row = sqlx::query("SELECT active FROM pool_expert WHERE id = $1").bind(expert).fetch_optional(&mut *tx).await?;
    match row.map(|r| r.get::<i64, _>(0)) {
        None => {
            return Err(StoreError::not_found(format!(
                "资源库中没有编号 {expert} / there is no expert {expert} in the pool"
            )));
        }
        Some(0) => {
            return Err(refused(&format!("专家 {expert} 已退出资源库"), &format!("expert {expert} has left the pool")));
        }
        Some(_) => {}
    }
    let id: i64 = sqlx::query(
        "INSERT INTO pool_engagement (school_code, expert_id, term, school_year, program_code, courses, hours, pay, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(school.to_string())
    .bind(expert)
    .bind(form.term.trim().to_string())
    .bind(i64::from(school_year))
    .bind(program.map(str::to_string))
    .bind(form.courses.trim().to_string())
    .bind(form.hours)
    .bind(form.pay)
    .bind(actor.to_string())
    .bind(now())
    .fetch_one(&mut *tx)
    .await?
    .get(0);
    let detail = format!("expert {expert} {} {} h", form.term.trim(), form.hours);
    audit::record(
        &mut *tx,
        &Entry { actor, action: "pool_engage", object: &format!("engagement {id}"), detail: &detail, source: origin },
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

/// The school's feedback after the term: once per engagement.
pub async fn feedback(
    db: &Db,
    engagement: i64,
    rating: i64,
    text: &str,
    actor: &str,
    origin: &str,
) -> Result<(), StoreError> {
    check_rating(rating).map_err(StoreError::refused)?;
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    let row = sqlx::query("SELECT rating FROM pool_engagement WHERE id = $1")
        .bind(engagement)
        .fetch_optional(&mut *tx)
        .await?;
    match row.map(|r| r.get::<Option<i64>, _>(0)) {
        None => {
            return Err(StoreError::not_found(format!(
                "没有聘用记录 {engagement} / there is no engagement {engagement}"
            )));
        }
        Some(Some(_)) => {
            return Err(refused(
                &format!("聘用 {engagement} 已评价"),
                &format!("engagement {engagement} has its feedback"),
            ));
        }
        Some(None) => {}
    }
    sqlx::query("UPDATE pool_engagement SET rating = $1, feedback = $2 WHERE id = $3")
        .bind(rating)
        .bind(text.trim().to_string())
        .bind(engagement)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        &Entry {
            actor,
            action: "pool_feedback",
            object: &format!("engagement {engagement}"),
            detail: &format!("rating {rating}"),
            source: origin,
        },
    )
    .await?;
    w.commit().await?;
    Ok(())
}

/// The engagements of a school (or all) in a school year (or all).
pub async fn engagements(db: &Db, school: Option<&str>, year: Option<i32>) -> Result<Vec<Engagement>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, school_code, expert_id, term, program_code, courses, CAST(hours AS DOUBLE PRECISION), CAST(pay AS DOUBLE PRECISION), rating, feedback \
         FROM pool_engagement WHERE ($1 = '' OR school_code = $2) AND ($3 = 0 OR school_year = $4) ORDER BY id",
    )
    .bind(school.unwrap_or("").to_string())
    .bind(school.unwrap_or("").to_string())
    .bind(i64::from(year.unwrap_or(0)))
    .bind(i64::from(year.unwrap_or(0)))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Engagement {
            id: r.get(0),
            school_code: r.get(1),
            expert_id: r.get(2),
            term: r.get(3),
            program_code: r.get(4),
            courses: r.get(5),
            hours: r.get(6),
            pay: r.get(7),
            rating: r.get(8),
            feedback: r.get(9),
        })
        .collect())
}

/// The program codes of every consented, active expert: (expert, program).
pub async fn listed_programs(db: &Db) -> Result<Vec<(i64, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT p.expert_id, p.program_code FROM pool_program p JOIN pool_expert e ON e.id = p.expert_id WHERE e.consent = 1 AND e.active = 1",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Part-time teacher rows of `year` at `schools`: how many, and how many of their people are in the pool.
pub async fn part_time_linked(db: &Db, year: i32, schools: &[String]) -> Result<(i64, i64), StoreError> {
    let mut total = 0;
    let mut linked = 0;
    for r in sqlx::query(
        "SELECT t.school_code, CASE WHEN EXISTS (SELECT 1 FROM pool_expert e WHERE e.id_pseudo = t.id_pseudo) THEN 1 ELSE 0 END \
         FROM rec_teacher t WHERE t.is_current = 1 AND t.year = $1 AND t.category = 'part_time'",
    )
    .bind(i64::from(year))
    .fetch_all(&db.pool)
    .await?
    {
        if schools.binary_search(&r.get::<String, _>(0)).is_ok() {
            total += 1;
            linked += r.get::<i64, _>(1);
        }
    }
    Ok((total, linked))
}

/// The programs each school offers in `year`: (school, program).
pub async fn offered(db: &Db, year: i32) -> Result<Vec<(String, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT school_code, program_code FROM rec_offering WHERE is_current = 1 AND year = $1 ORDER BY 1, 2",
    )
    .bind(i64::from(year))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}
