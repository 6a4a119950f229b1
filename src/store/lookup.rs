//! A learner's own look-up of their account (学习账户查询) by ID number and name: rate-limited per
//! address and per person, every look-up audited, and one answer ("no match") whether the ID is
//! unknown or the name is wrong, so the page tells a stranger nothing about who is on record.

use sqlx::Row;

use super::audit::{self, Entry};
use super::credit::{Account, account};
use super::signin::{counter, epoch, save};
use super::users::sha256_hex;
use super::{Db, StoreError};
use crate::domain::throttle::{Policy, Scope};

/// What a look-up found.
#[derive(Debug)]
pub enum Lookup {
    Found(Account),
    /// No outcome on record for this ID number with this name.
    NoMatch,
    /// Too many look-ups from this address or on this person: try again after this many seconds.
    Throttled {
        wait_secs: u64,
    },
}

/// Names compare without spaces (全角 or not), as a person may type them.
fn same_name(a: &str, b: &str) -> bool {
    let clean = |s: &str| s.chars().filter(|c| !c.is_whitespace() && *c != '\u{3000}').collect::<String>();
    let (a, b) = (clean(a), clean(b));
    !a.is_empty() && a == b
}

/// Looks up the account of the person with this ID and name. `address`: the client as the
/// throttle knows it; `source`: what the audit log records.
pub async fn learner(
    db: &Db,
    id_type: &str,
    id_number: &str,
    name: &str,
    address: &str,
    source: &str,
) -> Result<Lookup, StoreError> {
    let policy = Policy::lookups();
    let pseudonym = db.keys.pseudonym(id_type, &crate::domain::ids::normalise_code(id_number).to_uppercase());
    let address: String = address.chars().take(64).collect();
    let keys = [
        (Scope::Address, format!("lookup-ip:{address}")),
        (Scope::Account, format!("lookup-id:{}", &sha256_hex(&pseudonym)[..32])),
    ];
    let now = epoch();
    {
        let _gate = db.throttle_gate.lock().await;
        let mut counters = Vec::with_capacity(keys.len());
        for (scope, key) in &keys {
            counters.push((*scope, key, counter(db, key).await?));
        }
        let wait = counters.iter().map(|(_, _, c)| policy.waiting(c, now)).max().unwrap_or(0);
        if wait > 0 {
            tracing::info!(target: "vetis::lookup", "learner look-up throttled for {wait} s from {address}");
            return Ok(Lookup::Throttled { wait_secs: wait });
        }
        for (scope, key, c) in &counters {
            save(db, key, &policy.fail(*scope, c, now)).await?;
        }
    }
    let names = sqlx::query("SELECT DISTINCT name_enc FROM rec_certificate WHERE is_current = 1 AND id_pseudo = $1")
        .bind(pseudonym.clone())
        .fetch_all(&db.pool)
        .await?;
    let matches = names.iter().any(|r| db.keys.decrypt(&r.get::<String, _>(0)).is_ok_and(|n| same_name(&n, name)));
    let object = format!("learner {}", &pseudonym[..pseudonym.len().min(12)]);
    let detail = if matches { "account shown" } else { "no match" };
    audit::record(&db.pool, &Entry { actor: "public", action: "learner_lookup", object: &object, detail, source })
        .await?;
    if !matches {
        return Ok(Lookup::NoMatch);
    }
    Ok(Lookup::Found(account(db, &pseudonym).await?))
}

#[cfg(test)]
mod tests {
    use super::same_name;

    #[test]
    fn names_compare_without_spaces_and_never_match_empty() {
        assert!(same_name("张 三", "张三"));
        assert!(same_name("张\u{3000}三", " 张三 "));
        assert!(!same_name("", ""));
        assert!(!same_name("张三", "张四"));
    }
}
