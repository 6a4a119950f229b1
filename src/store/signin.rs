//! Signing in: the password check, and the throttle that slows guessers down without locking
//! anyone out. Every attempt verifies an argon2 hash (a stand-in one for unknown names), so unknown,
//! disabled and wrong-password accounts get the same answer in the same time.

use std::sync::LazyLock;

use sqlx::Row;

use super::audit::{self, Entry};
use super::users::{Account, account_of, hash_password, log_name, sha256_hex, verify};
use super::{Db, StoreError};
use crate::domain::throttle::{Counter, Policy, Scope};

#[derive(Debug)]
pub enum SignIn {
    Ok(Account),
    /// Wrong name, wrong password or a disabled account: one answer for all, so names cannot be probed.
    Refused,
    /// Too many failures from this address or on this name: try again after this many seconds.
    Throttled {
        wait_secs: u64,
    },
}

/// A hash to verify against when the name is unknown, so that answer takes as long as any other.
static STAND_IN: LazyLock<String> =
    LazyLock::new(|| hash_password("stand-in password for unknown names").unwrap_or_default());

/// The three counters an attempt is charged to. Names are hashed: the table never holds what a
/// stranger typed, and its keys stay short whatever was typed.
fn keys(username: &str, address: &str) -> [(Scope, String); 3] {
    let name = &sha256_hex(username)[..32];
    let address: String = address.chars().take(64).collect();
    [
        (Scope::AccountAtAddress, format!("a:{name}@{address}")),
        (Scope::Address, format!("ip:{address}")),
        (Scope::Account, format!("u:{name}")),
    ]
}

pub(super) fn epoch() -> i64 {
    chrono::Utc::now().timestamp()
}

pub(super) async fn counter(db: &Db, key: &str) -> Result<Counter, StoreError> {
    let row = sqlx::query("SELECT failures, last_at, blocked_until FROM sign_in_throttle WHERE throttle_key = $1")
        .bind(key.to_string())
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.map_or_else(Counter::default, |r| Counter {
        failures: u32::try_from(r.get::<i64, _>(0)).unwrap_or(u32::MAX),
        last_at: r.get(1),
        blocked_until: r.get(2),
    }))
}

pub(super) async fn save(db: &Db, key: &str, c: &Counter) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sign_in_throttle (throttle_key, failures, last_at, blocked_until) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (throttle_key) DO UPDATE SET failures = excluded.failures, last_at = excluded.last_at, \
         blocked_until = excluded.blocked_until",
    )
    .bind(key.to_string())
    .bind(i64::from(c.failures))
    .bind(c.last_at)
    .bind(c.blocked_until)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Checks a password. Before the check the attempt is charged to its counters (so that parallel
/// guesses are counted), and a right password gets the charge back.
/// `address` is the client's address as the throttle should know it (the peer, or what a trusted
/// proxy says); `source` is what the audit log records.
pub async fn sign_in(
    db: &Db,
    policy: &Policy,
    username: &str,
    password: &str,
    address: &str,
    source: &str,
) -> Result<SignIn, StoreError> {
    // A name is logged at most 64 characters long: five 1.9 MB names must not add 10 MB to the
    // append-only log.
    let shown = log_name(username);
    let keys = keys(username, address);
    let now = epoch();
    {
        let _gate = db.throttle_gate.lock().await;
        // Counters older than the window are forgotten anyway; dropping them keeps the table as
        // small as the names tried in the last hour.
        let window = i64::try_from(policy.window_secs).unwrap_or(i64::MAX);
        sqlx::query("DELETE FROM sign_in_throttle WHERE last_at < $1")
            .bind(now.saturating_sub(window))
            .execute(&db.pool)
            .await?;
        let mut counters = Vec::with_capacity(keys.len());
        for (scope, key) in &keys {
            counters.push((*scope, key, counter(db, key).await?));
        }
        let wait = counters.iter().map(|(_, _, c)| policy.waiting(c, now)).max().unwrap_or(0);
        if wait > 0 {
            // Not audited one by one: a flood of refused attempts must not flood the log. The
            // moment a counter starts a wait is.
            tracing::info!(target: "vetis::signin", "sign-in throttled for {wait} s: {shown} from {address}");
            return Ok(SignIn::Throttled { wait_secs: wait });
        }
        for (scope, key, c) in &counters {
            let next = policy.fail(*scope, c, now);
            save(db, key, &next).await?;
            if next.blocked_until > 0 {
                let detail = format!("{scope:?} waits {} s after {} failures", next.blocked_until - now, next.failures);
                audit::record(
                    &db.pool,
                    &Entry { actor: "system", action: "sign_in_throttled", object: &shown, detail: &detail, source },
                )
                .await?;
            }
        }
    }
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {}, password_hash FROM app_user WHERE username = $1",
        super::users::ACCOUNT
    )))
    .bind(username.to_string())
    .fetch_optional(&db.pool)
    .await?;
    let found = row.as_ref().map(|r| (account_of(r), r.get::<String, _>("password_hash")));
    // Always one argon2 verification, whatever the account: the time says nothing.
    let right = verify(password, found.as_ref().map_or(STAND_IN.as_str(), |(_, phc)| phc.as_str()));
    let acc = match found {
        Some((acc, _)) if right && !acc.disabled => acc,
        other => {
            let detail = match other {
                None => "unknown user",
                Some((a, _)) if a.disabled => "disabled",
                _ => "wrong password",
            };
            audit::record(&db.pool, &Entry { actor: &shown, action: "sign_in_failed", object: &shown, detail, source })
                .await?;
            return Ok(SignIn::Refused);
        }
    };
    {
        let _gate = db.throttle_gate.lock().await;
        for (scope, key) in &keys {
            // The guesser at this address on this name was the user: that counter starts again.
            // The others only get this attempt's charge back.
            let c = counter(db, key).await?;
            let back = if *scope == Scope::AccountAtAddress { Counter::default() } else { policy.refund(*scope, &c) };
            save(db, key, &back).await?;
        }
    }
    audit::record(&db.pool, &Entry { actor: username, action: "sign_in", object: username, detail: "", source })
        .await?;
    Ok(SignIn::Ok(acc))
}

/// Forgets an account's sign-in failures (an administrator set a new password).
pub async fn forget(db: &Db, username: &str) -> Result<(), StoreError> {
    let name = &sha256_hex(username)[..32];
    sqlx::query("DELETE FROM sign_in_throttle WHERE throttle_key = $1 OR throttle_key LIKE $2")
        .bind(format!("u:{name}"))
        .bind(format!("a:{name}@%"))
        .execute(&db.pool)
        .await?;
    Ok(())
}
