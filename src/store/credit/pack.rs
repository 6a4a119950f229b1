//! Conversion rule packs as the bureau loads them: versioned, the active one read by every
//! decision, the one shipped with VETIS when none was loaded.

use sqlx::{AnyConnection, Row};

use crate::domain::credit::RulePack;
use crate::store::audit::{self, Entry};
use crate::store::{Db, StoreError, now};

/// The pack applied when the bureau has loaded none: the one shipped with VETIS.
pub const DEFAULT_PACK: &str = include_str!("../../../data/credit/guangzhou-credit-rules.toml");

/// The active rule pack: the one the bureau loaded last, else the shipped default.
pub async fn active_pack(db: &Db) -> Result<RulePack, StoreError> {
    let mut conn = db.pool.acquire().await?;
    active_pack_on(&mut conn).await
}

pub(crate) async fn active_pack_on(conn: &mut AnyConnection) -> Result<RulePack, StoreError> {
    let row = sqlx::query("SELECT source FROM credit_rule_pack WHERE active = 1").fetch_optional(&mut *conn).await?;
    let text = row.map_or_else(|| DEFAULT_PACK.to_string(), |r| r.get::<String, _>(0));
    RulePack::from_toml(&text)
        .map_err(|e| StoreError::Internal(format!("the stored credit rule pack: {}", e.join("; "))))
}

/// Loads a pack (checked by the caller): it becomes the active one; whether it was new. The same id and version with
/// other content is refused: a changed pack needs a new version, so old decisions stay readable.
pub async fn load_pack(db: &Db, pack: &RulePack, source: &str, actor: &str, origin: &str) -> Result<bool, StoreError> {
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    let existing = sqlx::query("SELECT source FROM credit_rule_pack WHERE id = $1 AND version = $2")
        .bind(pack.id.clone())
        .bind(pack.version.clone())
        .fetch_optional(&mut *tx)
        .await?;
    let new = existing.is_none();
    if let Some(r) = existing {
        if r.get::<String, _>(0) != source {
            return Err(StoreError::refused(format!(
                "规则包 {} 的 {} 版已载入且内容不同：请提高 version / pack {} version {} is loaded with other content: raise the version",
                pack.id, pack.version, pack.id, pack.version
            )));
        }
    } else {
        sqlx::query("INSERT INTO credit_rule_pack (id, version, name_zh, source, active, loaded_at, loaded_by) VALUES ($1, $2, $3, $4, 0, $5, $6)")
            .bind(pack.id.clone())
            .bind(pack.version.clone())
            .bind(pack.name_zh.clone())
            .bind(source.to_string())
            .bind(now())
            .bind(actor.to_string())
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("UPDATE credit_rule_pack SET active = CASE WHEN id = $1 AND version = $2 THEN 1 ELSE 0 END")
        .bind(pack.id.clone())
        .bind(pack.version.clone())
        .execute(&mut *tx)
        .await?;
    let object = format!("{} {}", pack.id, pack.version);
    let e = Entry { actor, action: "credit_rules_load", object: &object, detail: &pack.name_zh, source: origin };
    audit::record(&mut *tx, &e).await?;
    w.commit().await?;
    Ok(new)
}
