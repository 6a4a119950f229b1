//! Rule packs as the bureau loads them (credit conversion, dual-qualified recognition, the transfer
//! assessment scheme, the funding tables): each kept
//! whole as loaded, by id and version, one of a kind active; a changed pack needs a new version so
//! that earlier decisions stay readable against the rules they were taken under.

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::store::audit::{self, Entry};
use crate::store::{Db, StoreError, now};

/// A kind of pack: the table that keeps it and the audit action of a load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Credit,
    Dual,
    /// The transfer assessment scheme (the Pathways and funding issue).
    Transfer,
    /// The per-student funding tables.
    Funding,
    /// The training providers' integrity scorecard.
    Integrity,
    /// The quality report templates (every loaded version counts, by edition and first year).
    Quality,
    /// The statistical calendar (which tables are due when).
    Calendar,
    /// The plan's tasks (preloaded for assignment).
    Tasks,
    /// The city targets' shares by district or school.
    TargetShares,
}

impl Kind {
    fn table(self) -> &'static str {
        match self {
            Kind::Credit => "credit_rule_pack",
            Kind::Dual => "dual_rule_pack",
            Kind::Transfer => "transfer_scheme_pack",
            Kind::Funding => "funding_pack",
            Kind::Integrity => "integrity_pack",
            Kind::Quality => "quality_template_pack",
            Kind::Calendar => "calendar_pack",
            Kind::Tasks => "task_pack",
            Kind::TargetShares => "target_share_pack",
        }
    }
    fn action(self) -> &'static str {
        match self {
            Kind::Credit => "credit_rules_load",
            Kind::Dual => "dual_rules_load",
            Kind::Transfer => "transfer_scheme_load",
            Kind::Funding => "funding_load",
            Kind::Integrity => "integrity_scorecard_load",
            Kind::Quality => "quality_template_load",
            Kind::Calendar => "calendar_load",
            Kind::Tasks => "tasks_load",
            Kind::TargetShares => "target_shares_load",
        }
    }
}

/// What a pack says of itself.
pub struct Identity<'a> {
    pub id: &'a str,
    pub version: &'a str,
    pub name_zh: &'a str,
}

/// The text of the active pack of a kind, if one was loaded.
pub async fn active_source(conn: &mut AnyConnection, kind: Kind) -> Result<Option<String>, StoreError> {
    let sql = format!("SELECT source FROM {} WHERE active = 1", kind.table());
    Ok(sqlx::query(AssertSqlSafe(sql)).fetch_optional(&mut *conn).await?.map(|r| r.get::<String, _>(0)))
}

/// The text of every loaded version of a kind, oldest first.
pub async fn all_sources(db: &Db, kind: Kind) -> Result<Vec<String>, StoreError> {
    let sql = format!("SELECT source FROM {} ORDER BY loaded_at, id, version", kind.table());
    Ok(sqlx::query(AssertSqlSafe(sql)).fetch_all(&db.pool).await?.iter().map(|r| r.get::<String, _>(0)).collect())
}

/// The text of one loaded version, if there is one.
pub async fn source_of(
    conn: &mut AnyConnection,
    kind: Kind,
    id: &str,
    version: &str,
) -> Result<Option<String>, StoreError> {
    let sql = format!("SELECT source FROM {} WHERE id = $1 AND version = $2", kind.table());
    Ok(sqlx::query(AssertSqlSafe(sql))
        .bind(id.to_string())
        .bind(version.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.get::<String, _>(0)))
}

/// Loads a pack (checked by the caller): it becomes the active one of its kind; whether it was
/// new. The same id and version with other content is refused.
pub async fn load(
    db: &Db,
    kind: Kind,
    pack: &Identity<'_>,
    source: &str,
    actor: &str,
    origin: &str,
) -> Result<bool, StoreError> {
    let mut w = db.begin_write().await?;
    let new = load_on(w.conn(), kind, pack, source, actor, origin).await?;
    w.commit().await?;
    Ok(new)
}

/// Loads a pack inside the caller's write, so that what the pack sets up commits with it.
pub async fn load_on(
    tx: &mut AnyConnection,
    kind: Kind,
    pack: &Identity<'_>,
    source: &str,
    actor: &str,
    origin: &str,
) -> Result<bool, StoreError> {
    let table = kind.table();

    let existing = source_of(&mut *tx, kind, pack.id, pack.version).await?;
    let new = existing.is_none();
    if let Some(text) = existing {
        if text != source {
            return Err(StoreError::refused(format!(
                "规则包 {} 的 {} 版已载入且内容不同：请提高 version / pack {} version {} is loaded with other content: raise the version",
                pack.id, pack.version, pack.id, pack.version
            )));
        }
    } else {
        let sql = format!(
            "INSERT INTO {table} (id, version, name_zh, source, active, loaded_at, loaded_by) VALUES ($1, $2, $3, $4, 0, $5, $6)"
        );
        sqlx::query(AssertSqlSafe(sql))
            .bind(pack.id.to_string())
            .bind(pack.version.to_string())
            .bind(pack.name_zh.to_string())
            .bind(source.to_string())
            .bind(now())
            .bind(actor.to_string())
            .execute(&mut *tx)
            .await?;
    }
    let sql = format!("UPDATE {table} SET active = CASE WHEN id = $1 AND version = $2 THEN 1 ELSE 0 END");
    sqlx::query(AssertSqlSafe(sql)).bind(pack.id.to_string()).bind(pack.version.to_string()).execute(&mut *tx).await?;
    let object = format!("{} {}", pack.id, pack.version);
    let e = Entry { actor, action: kind.action(), object: &object, detail: pack.name_zh, source: origin };
    audit::record(&mut *tx, &e).await?;
    Ok(new)
}
