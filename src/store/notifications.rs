//! Notices to users (the bell): written in the same transaction as what they tell of, one per user
//! and occasion (`dedup`), read and marked read by their user only.

use sqlx::{AnyConnection, Row};

use super::{Db, StoreError, now};
use crate::messages::Message;
use crate::messages::notice::NoticeKind;

/// A notice to be sent.
pub struct Notice<'a> {
    pub kind: NoticeKind,
    pub text: Message,
    /// The page it is about (a path of the web platform).
    pub link: &'a str,
    /// What makes two notices the same occasion for one user (a second one is dropped).
    pub dedup: String,
}

/// Who a notice goes to.
pub enum Audience<'a> {
    /// One user by name (the submitter of a submission).
    User(&'a str),
    /// The officers of a school.
    School(&'a str),
    /// Who reviews a school's submissions: its district's officers, or the bureau's administrators
    /// when the district has none.
    Reviewers(&'a str),
    /// The bureau: its administrators and analysts.
    Bureau,
    /// A district's officers.
    District(&'a str),
}

async fn recipients(conn: &mut AnyConnection, to: &Audience<'_>) -> Result<Vec<i64>, StoreError> {
    let ids = |rows: Vec<sqlx::any::AnyRow>| rows.iter().map(|r| r.get::<i64, _>(0)).collect::<Vec<i64>>();
    Ok(match to {
        Audience::User(name) => ids(sqlx::query("SELECT id FROM app_user WHERE username = $1 AND disabled = 0")
            .bind(name.to_string())
            .fetch_all(&mut *conn)
            .await?),
        Audience::School(code) => {
            ids(sqlx::query("SELECT id FROM app_user WHERE role = 'school' AND school_code = $1 AND disabled = 0")
                .bind(code.to_string())
                .fetch_all(&mut *conn)
                .await?)
        }
        Audience::Bureau => {
            ids(sqlx::query("SELECT id FROM app_user WHERE role IN ('admin', 'analyst') AND disabled = 0")
                .fetch_all(&mut *conn)
                .await?)
        }
        Audience::District(code) => {
            ids(sqlx::query("SELECT id FROM app_user WHERE role = 'district' AND district_code = $1 AND disabled = 0")
                .bind(code.to_string())
                .fetch_all(&mut *conn)
                .await?)
        }
        Audience::Reviewers(code) => {
            let district = ids(
                sqlx::query(
                    "SELECT u.id FROM app_user u JOIN rec_school s ON s.district_code = u.district_code AND s.is_current = 1 \
                     WHERE u.role = 'district' AND u.disabled = 0 AND s.school_code = $1",
                )
                .bind(code.to_string())
                .fetch_all(&mut *conn)
                .await?,
            );
            if district.is_empty() {
                ids(sqlx::query("SELECT id FROM app_user WHERE role = 'admin' AND disabled = 0")
                    .fetch_all(&mut *conn)
                    .await?)
            } else {
                district
            }
        }
    })
}

/// Sends a notice to an audience on a connection (inside the transaction of its occasion); how
/// many users got it (a user who already has the same occasion's notice does not get another).
pub async fn send(conn: &mut AnyConnection, to: &Audience<'_>, n: &Notice<'_>) -> Result<u64, StoreError> {
    let mut sent = 0;
    let at = now();
    for user in recipients(conn, to).await? {
        sent += sqlx::query(
            "INSERT INTO notification (user_id, kind, text_zh, text_en, link, dedup, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id, dedup) DO NOTHING",
        )
        .bind(user)
        .bind(n.kind.key())
        .bind(n.text.zh.clone())
        .bind(n.text.en.clone())
        .bind(n.link.to_string())
        .bind(n.dedup.clone())
        .bind(at.clone())
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(sent)
}

/// A notice as its user reads it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Received {
    pub id: i64,
    pub kind: NoticeKind,
    pub text: Message,
    pub link: String,
    pub created_at: String,
    pub read: bool,
}

/// How many of a user's notices are unread (the bell's number).
pub async fn unread(db: &Db, user: i64) -> Result<i64, StoreError> {
    Ok(sqlx::query("SELECT COUNT(*) FROM notification WHERE user_id = $1 AND read_at IS NULL")
        .bind(user)
        .fetch_one(&db.pool)
        .await?
        .get(0))
}

/// A user's notices, newest first: unread ones and the latest read ones, at most `limit`.
pub async fn list(db: &Db, user: i64, limit: i64) -> Result<Vec<Received>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, kind, text_zh, text_en, link, created_at, read_at FROM notification WHERE user_id = $1 \
         ORDER BY id DESC LIMIT $2",
    )
    .bind(user)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(Received {
                id: r.get(0),
                kind: NoticeKind::parse(&r.get::<String, _>(1))?,
                text: Message::new(r.get::<String, _>(2), r.get::<String, _>(3)),
                link: r.get(4),
                created_at: r.get(5),
                read: r.get::<Option<String>, _>(6).is_some(),
            })
        })
        .collect())
}

/// Marks one of a user's notices read (or all of them, with None); how many changed. Another
/// user's notice is not found.
pub async fn mark_read(db: &Db, user: i64, id: Option<i64>) -> Result<u64, StoreError> {
    let done = match id {
        Some(id) => {
            sqlx::query("UPDATE notification SET read_at = $1 WHERE user_id = $2 AND id = $3 AND read_at IS NULL")
                .bind(now())
                .bind(user)
                .bind(id)
                .execute(&db.pool)
                .await?
        }
        None => {
            sqlx::query("UPDATE notification SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
                .bind(now())
                .bind(user)
                .execute(&db.pool)
                .await?
        }
    };
    Ok(done.rows_affected())
}

/// The link of one of a user's notices (to follow it after marking it read).
pub async fn link_of(db: &Db, user: i64, id: i64) -> Result<String, StoreError> {
    sqlx::query("SELECT link FROM notification WHERE user_id = $1 AND id = $2")
        .bind(user)
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
        .map(|r| r.get::<String, _>(0))
        .ok_or_else(|| StoreError::not_found("没有这条通知 / no such notice"))
}

/// A notice to mail: to whom, and what it says.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub kind: NoticeKind,
    pub text: Message,
    pub link: String,
}

/// The most tries a notice gets before the mailer gives it up (the bell still shows it).
pub const MAIL_TRIES: i64 = 5;

/// Notices not yet mailed to users with an address and still unread, created in the last `days`
/// (so that an installation that starts mailing does not send its whole history), oldest first.
pub async fn to_mail(db: &Db, days: i64, limit: i64) -> Result<Vec<Outgoing>, StoreError> {
    let since = super::stamp(chrono::Local::now() - chrono::Duration::days(days));
    let rows = sqlx::query(
        "SELECT n.id, u.username, u.email, n.kind, n.text_zh, n.text_en, n.link FROM notification n \
         JOIN app_user u ON u.id = n.user_id \
         WHERE n.mailed_at IS NULL AND n.read_at IS NULL AND n.mail_tries < $1 AND n.created_at >= $2 \
         AND u.email IS NOT NULL AND u.disabled = 0 ORDER BY n.id LIMIT $3",
    )
    .bind(MAIL_TRIES)
    .bind(since)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(Outgoing {
                id: r.get(0),
                username: r.get(1),
                email: r.get(2),
                kind: NoticeKind::parse(&r.get::<String, _>(3))?,
                text: Message::new(r.get::<String, _>(4), r.get::<String, _>(5)),
                link: r.get(6),
            })
        })
        .collect())
}

/// Records that a notice was mailed, or that a try failed.
pub async fn mail_done(db: &Db, id: i64, sent: bool) -> Result<(), StoreError> {
    let q = if sent {
        sqlx::query("UPDATE notification SET mailed_at = $1 WHERE id = $2").bind(now()).bind(id)
    } else {
        sqlx::query("UPDATE notification SET mail_tries = mail_tries + 1 WHERE id = $1").bind(id)
    };
    q.execute(&db.pool).await?;
    Ok(())
}
