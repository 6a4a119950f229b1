//! The write transaction that every change to records goes through: one file, one review, one
//! lock or one plan load is one `WriteTx`, committed whole or not at all.
//!
//! Taking it bumps the data version first. That row is locked until commit on PostgreSQL and the
//! write lock is held from `BEGIN IMMEDIATE` on SQLite, so write transactions run one after the
//! other everywhere, and what a transaction reads after `begin_write` is what it will write over:
//! a rule re-checked inside it (one enrolment per person and year, locks, offerings) still holds
//! at commit.

use sqlx::AnyConnection;
use sqlx::{Any, Row, Transaction};
use tokio::sync::MutexGuard;

use super::{Db, StoreError};

/// An open write transaction. Dropped without `commit`, it rolls back.
pub struct WriteTx<'a> {
    pub(crate) tx: Transaction<'static, Any>,
    /// The data version before this transaction: equal to a reader's earlier look means that
    /// nothing changed in between.
    pub version_before: i64,
    commits: &'a std::sync::atomic::AtomicU64,
    _gate: MutexGuard<'a, ()>,
}

impl Db {
    /// The current data version: it changes whenever records, reviews, locks or the plan change.
    /// How many write transactions this process has committed (see `commits`).
    pub fn commits(&self) -> u64 {
        self.commits.load(std::sync::atomic::Ordering::Acquire)
    }

    pub async fn data_version(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT version FROM data_version WHERE id = 1").fetch_one(&self.pool).await?;
        Ok(row.get(0))
    }

    /// Begins the one write transaction, waiting for any other to finish first.
    pub async fn begin_write(&self) -> Result<WriteTx<'_>, StoreError> {
        let gate = self.write_gate.lock().await;
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE data_version SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
        let version: i64 =
            sqlx::query("SELECT version FROM data_version WHERE id = 1").fetch_one(&mut *tx).await?.get(0);
        Ok(WriteTx { tx, version_before: version - 1, commits: &self.commits, _gate: gate })
    }
}

impl WriteTx<'_> {
    /// The transaction's connection, for the store's statements.
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await?;
        self.commits.fetch_add(1, std::sync::atomic::Ordering::Release);
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        self.tx.rollback().await?;
        Ok(())
    }
}
