//! Conversion rule packs as the bureau loads them: versioned, the active one read by every
//! decision, the one shipped with VETIS when none was loaded.

use sqlx::AnyConnection;

use crate::domain::credit::RulePack;
use crate::store::packs::{self, Identity, Kind};
use crate::store::{Db, StoreError};

/// The pack applied when the bureau has loaded none: the one shipped with VETIS.
pub const DEFAULT_PACK: &str = include_str!("../../../data/credit/guangzhou-credit-rules.toml");

/// The active rule pack: the one the bureau loaded last, else the shipped default.
pub async fn active_pack(db: &Db) -> Result<RulePack, StoreError> {
    let mut conn = db.pool.acquire().await?;
    active_pack_on(&mut conn).await
}

pub(crate) async fn active_pack_on(conn: &mut AnyConnection) -> Result<RulePack, StoreError> {
    let text = packs::active_source(conn, Kind::Credit).await?.unwrap_or_else(|| DEFAULT_PACK.to_string());
    RulePack::from_toml(&text)
        .map_err(|e| StoreError::Internal(format!("the stored credit rule pack: {}", e.join("; "))))
}

/// Loads a pack (checked by the caller): it becomes the active one; whether it was new. The same id and version with
/// other content is refused: a changed pack needs a new version, so old decisions stay readable.
pub async fn load_pack(db: &Db, pack: &RulePack, source: &str, actor: &str, origin: &str) -> Result<bool, StoreError> {
    let id = Identity { id: &pack.id, version: &pack.version, name_zh: &pack.name_zh };
    packs::load(db, Kind::Credit, &id, source, actor, origin).await
}
