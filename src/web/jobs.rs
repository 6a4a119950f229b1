//! Reports are jobs: asking for one starts it in the background (or joins the one under way) and
//! answers at once with a page that follows its progress; when it is done the same address gives
//! the file. A report is built once per year and state of the data (`data_version`), then written
//! in the asked format for what the reader may see, and kept until the data change. Who may ask
//! follows the figures' scope rule: everyone signed in sees the city, and only the districts the
//! reader may read (`Principal::may_read_figures`). One account may have one report under way
//! (`VETIS_REPORTS_PER_USER`); reports are built one at a time (`VETIS_MAX_REPORTS`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::domain::access::{Principal, Role, Target};
use crate::messages::Message;
use crate::reports::evaluation::{self, Evaluation};
use crate::reports::{ReportFormat, render};
use crate::store::Db;
use crate::web::queue::{Busy, Gate};

/// What a reader may see of the districts: all (the bureau), or one (its officer and its schools).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReportScope {
    City,
    District(String),
}

impl ReportScope {
    pub fn of(who: &Principal) -> ReportScope {
        match who.role {
            Role::Admin | Role::Analyst => ReportScope::City,
            Role::District | Role::School => ReportScope::District(who.district.clone().unwrap_or_default()),
        }
    }

    fn keeps(&self, who: &Principal, district: &str) -> bool {
        match self {
            ReportScope::City => who.may_read_figures(&Target::District(district)),
            ReportScope::District(d) => d == district && who.may_read_figures(&Target::District(district)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReportKey {
    pub year: i32,
    pub format: ReportFormat,
    pub scope: ReportScope,
    pub version: i64,
    /// The report's language (the viewer's).
    pub lang: crate::messages::Lang,
}

/// Where a report stands.
#[derive(Clone)]
pub enum JobState {
    Waiting { since: Instant },
    Building { since: Instant },
    Done(Arc<Vec<u8>>),
    Failed(Message),
}

/// The answer to "give me this report".
pub enum Ask {
    /// Ready: the file.
    Ready(Arc<Vec<u8>>),
    /// Under way (just started, or already): seconds since it was asked for, and whether it is
    /// still waiting for its turn.
    Pending {
        seconds: u64,
        waiting: bool,
        started_now: bool,
    },
    Failed(Message),
    Refused(Busy),
}

/// Logs what went wrong making a report and says so to the person, without the internals.
fn internal(what: &dyn std::fmt::Debug, e: &dyn std::fmt::Display) -> Message {
    tracing::error!(target: "vetis::reports", "report {what:?} failed: {e}");
    Message::new(
        "报告生成失败，请稍后重试或联系管理员",
        "the report could not be made: try again later or ask the administrator",
    )
}

/// Report jobs and their results.
pub struct ReportJobs {
    gate: Arc<Gate>,
    jobs: Mutex<HashMap<ReportKey, JobState>>,
    /// The last evaluation built, shared by every format and scope of its year and data version.
    built: tokio::sync::Mutex<Option<Built>>,
}

/// An evaluation with the year and data version it was built for.
type Built = ((i32, i64), Arc<Evaluation>);

/// Finished reports kept at most (older data versions go first).
const KEEP: usize = 32;

impl ReportJobs {
    pub fn new(gate: Arc<Gate>) -> ReportJobs {
        ReportJobs { gate, jobs: Mutex::new(HashMap::new()), built: tokio::sync::Mutex::new(None) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ReportKey, JobState>> {
        self.jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn set(&self, key: &ReportKey, state: JobState) {
        self.lock().insert(key.clone(), state);
    }

    /// The report for `who`: ready, under way, or started now in the background.
    pub fn ask(self: &Arc<Self>, db: &Arc<Db>, who: &Principal, key: ReportKey) -> Ask {
        let mut jobs = self.lock();
        match jobs.get(&key) {
            Some(JobState::Done(bytes)) => return Ask::Ready(bytes.clone()),
            Some(JobState::Waiting { since }) => {
                return Ask::Pending { seconds: since.elapsed().as_secs(), waiting: true, started_now: false };
            }
            Some(JobState::Building { since }) => {
                return Ask::Pending { seconds: since.elapsed().as_secs(), waiting: false, started_now: false };
            }
            Some(JobState::Failed(m)) => {
                // Shown once; asking again tries again.
                let m = m.clone();
                jobs.remove(&key);
                return Ask::Failed(m);
            }
            None => {}
        }
        let place = match self.gate.reserve(&who.username) {
            Ok(p) => p,
            Err(b) => return Ask::Refused(b),
        };
        // Results of older data are of no use any more; the rest is capped.
        jobs.retain(|k, s| k.version == key.version || !matches!(s, JobState::Done(_) | JobState::Failed(_)));
        if jobs.len() >= KEEP
            && let Some(old) = jobs.iter().find(|(_, s)| matches!(s, JobState::Done(_))).map(|(k, _)| k.clone())
        {
            jobs.remove(&old);
        }
        jobs.insert(key.clone(), JobState::Waiting { since: Instant::now() });
        drop(jobs);
        let (me, db, who) = (self.clone(), db.clone(), who.clone());
        tokio::spawn(async move {
            let state = match place.wait().await {
                Err(b) => JobState::Failed(crate::web::error::WebError::busy(b).2),
                Ok(_turn) => {
                    me.set(&key, JobState::Building { since: Instant::now() });
                    match me.build(&db, &who, &key).await {
                        Ok(bytes) => JobState::Done(Arc::new(bytes)),
                        Err(m) => JobState::Failed(m),
                    }
                }
            };
            me.set(&key, state);
        });
        Ask::Pending { seconds: 0, waiting: true, started_now: true }
    }

    /// The evaluation of `year` at the present data version, built once and shared.
    pub async fn evaluation(&self, db: &Db, year: i32) -> Result<Arc<Evaluation>, Message> {
        let version = db.data_version().await.map_err(|e| internal(&year, &e))?;
        let mut built = self.built.lock().await;
        match built.as_ref() {
            Some((k, e)) if *k == (year, version) => Ok(e.clone()),
            _ => {
                let e = Arc::new(evaluation::build(db, year).await.map_err(|e| match e {
                    crate::store::StoreError::Refused(m) | crate::store::StoreError::NotFound(m) => m,
                    other => internal(&year, &other),
                })?);
                *built = Some(((year, version), e.clone()));
                Ok(e)
            }
        }
    }

    async fn build(&self, db: &Db, who: &Principal, key: &ReportKey) -> Result<Vec<u8>, Message> {
        let full = self.evaluation(db, key.year).await?;
        let mut e = (*full).clone();
        e.districts.retain(|d| key.scope.keeps(who, &d.code));
        if let ReportScope::District(d) = &key.scope {
            let inside: std::collections::HashSet<String> = crate::store::registry::school_codes_in_district(db, d)
                .await
                .map_err(|e| internal(key, &e))?
                .into_iter()
                .collect();
            e.keep_schools(&inside);
        }
        let (format, lang) = (key.format, key.lang);
        // Typesetting is CPU work: off the threads that answer requests.
        tokio::task::spawn_blocking(move || render(&e, format, lang))
            .await
            .map_err(|e| internal(key, &e))?
            .map_err(|e| internal(key, &e))
    }
}
