//! The providers register of the public pages: schools named by the registry, other providers by
//! their credit code; replaced whole on each load, audited.

use sqlx::{AnyConnection, Row};

use crate::domain::integrity::providers::Provider;
use crate::store::audit::{self, Entry};
use crate::store::{Db, StoreError, now};

/// What the register adds to a code: credit code, name, district, address.
type Extra = (Option<String>, String, Option<String>, Option<String>);

/// A provider as the public page names it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Named {
    pub code: String,
    pub name: String,
    pub credit_code: Option<String>,
    pub district_code: String,
    pub address: Option<String>,
    pub is_school: bool,
}

/// Replaces the register with a checked list.
pub async fn load(db: &Db, list: &[Provider], actor: &str, source: &str) -> Result<(), StoreError> {
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    sqlx::query("DELETE FROM integrity_provider").execute(&mut *tx).await?;
    let stamp = now();
    for p in list {
        sqlx::query(
            "INSERT INTO integrity_provider (provider_code, credit_code, name_zh, district_code, address, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(p.code.clone())
        .bind(p.credit_code.clone())
        .bind(p.name.clone())
        .bind(p.district_code.clone())
        .bind(p.address.clone())
        .bind(actor.to_string())
        .bind(stamp.clone())
        .execute(&mut *tx)
        .await?;
    }
    let e = Entry {
        actor,
        action: "integrity_providers",
        object: "providers register",
        detail: &format!("{} providers", list.len()),
        source,
    };
    audit::record(&mut *tx, &e).await?;
    w.commit().await?;
    Ok(())
}

/// A provider by code: a registry school (with what the register adds) or a registered provider.
pub async fn named_on(conn: &mut AnyConnection, code: &str) -> Result<Option<Named>, StoreError> {
    let extra = sqlx::query(
        "SELECT credit_code, name_zh, district_code, address FROM integrity_provider WHERE provider_code = $1",
    )
    .bind(code.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let extra: Option<Extra> = extra.map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)));
    if let Some(s) = crate::store::registry::school_on(&mut *conn, code).await? {
        let (credit_code, address) = extra.map_or((None, None), |(c, _, _, a)| (c, a));
        return Ok(Some(Named {
            code: s.code,
            name: s.name,
            credit_code,
            district_code: s.district,
            address,
            is_school: true,
        }));
    }
    Ok(extra.filter(|_| code.len() == 18).map(|(credit_code, name, district, address)| Named {
        code: code.to_string(),
        name,
        credit_code,
        district_code: district.unwrap_or_default(),
        address,
        is_school: false,
    }))
}

pub async fn named(db: &Db, code: &str) -> Result<Option<Named>, StoreError> {
    let mut conn = db.pool.acquire().await?;
    named_on(&mut conn, code).await
}

/// Every provider: the registry's schools, then the other registered providers.
pub async fn all(db: &Db) -> Result<Vec<Named>, StoreError> {
    let extra = sqlx::query("SELECT provider_code, credit_code, name_zh, district_code, address FROM integrity_provider ORDER BY provider_code")
        .fetch_all(&db.pool)
        .await?;
    let mut by_code: std::collections::HashMap<String, Extra> =
        extra.iter().map(|r| (r.get::<String, _>(0), (r.get(1), r.get(2), r.get(3), r.get(4)))).collect();
    let mut out = Vec::new();
    for s in crate::store::registry::schools(db).await? {
        let (credit_code, address) = by_code.remove(&s.code).map_or((None, None), |(c, _, _, a)| (c, a));
        out.push(Named {
            code: s.code,
            name: s.name,
            credit_code,
            district_code: s.district,
            address,
            is_school: true,
        });
    }
    let mut rest: Vec<_> = by_code.into_iter().filter(|(c, _)| c.len() == 18).collect();
    rest.sort_by(|a, b| a.0.cmp(&b.0));
    for (code, (credit_code, name, district, address)) in rest {
        out.push(Named {
            code,
            name,
            credit_code,
            district_code: district.unwrap_or_default(),
            address,
            is_school: false,
        });
    }
    Ok(out)
}
