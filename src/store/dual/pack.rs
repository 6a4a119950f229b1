//! The dual-qualified rule pack in force: the one the bureau loaded last (`vetis dual rules load`),
//! else the one shipped with VETIS; and a batch's own pack, by the id and version it was filed under.

use sqlx::AnyConnection;

use crate::domain::dual::{DEFAULT_PACK, DualPack};
use crate::store::packs::{self, Identity, Kind};
use crate::store::{Db, StoreError};

fn parse(text: &str) -> Result<DualPack, StoreError> {
    DualPack::from_toml(text)
        .map_err(|e| StoreError::Internal(format!("the stored dual-qualified pack: {}", e.join("; "))))
}

/// The active pack.
pub async fn active(db: &Db) -> Result<DualPack, StoreError> {
    let mut conn = db.pool.acquire().await?;
    active_on(&mut conn).await
}

pub(crate) async fn active_on(conn: &mut AnyConnection) -> Result<DualPack, StoreError> {
    parse(&packs::active_source(conn, Kind::Dual).await?.unwrap_or_else(|| DEFAULT_PACK.to_string()))
}

/// The pack a batch was filed under: a loaded version, or the shipped one.
pub(crate) async fn version_on(conn: &mut AnyConnection, id: &str, version: &str) -> Result<DualPack, StoreError> {
    if let Some(text) = packs::source_of(conn, Kind::Dual, id, version).await? {
        return parse(&text);
    }
    let shipped = parse(DEFAULT_PACK)?;
    if shipped.id == id && shipped.version == version {
        Ok(shipped)
    } else {
        Err(StoreError::Internal(format!("dual-qualified pack {id} {version} is not stored")))
    }
}

/// Loads a pack (checked by the caller); whether it was new.
pub async fn load(db: &Db, pack: &DualPack, source: &str, actor: &str, origin: &str) -> Result<bool, StoreError> {
    let id = Identity { id: &pack.id, version: &pack.version, name_zh: &pack.name_zh };
    packs::load(db, Kind::Dual, &id, source, actor, origin).await
}
