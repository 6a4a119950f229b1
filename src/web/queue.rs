//! Heavy work takes turns: at most N imports (and M reports) run at once, the rest wait in line,
//! and the line itself is bounded, so that many uploads at once cannot take the server's memory
//! or its database connections. A turn is taken before an upload's body is read: a waiting
//! upload stays in the client's socket, not in memory.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::config::WebConfig;

/// Why a turn was not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    /// The line is full; try again later.
    LineFull,
    /// This account already has as many waiting or running as it may.
    YourLimit,
    /// Waited too long.
    TimedOut,
}

/// One kind of heavy work: how many may run, who is waiting.
pub struct Gate {
    slots: Arc<Semaphore>,
    limit: usize,
    max_waiting: usize,
    wait: Duration,
    waiting: AtomicUsize,
    per_user_limit: usize,
    per_user: Mutex<HashMap<String, usize>>,
}

/// A turn: held while the work runs, given back when dropped.
pub struct Turn {
    _slot: OwnedSemaphorePermit,
    gate: Arc<Gate>,
    user: String,
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.gate.release_user(&self.user);
    }
}

/// A place in the line: the user's share is held until it becomes a `Turn` or is dropped.
pub struct Place {
    gate: Option<Arc<Gate>>,
    user: String,
}

impl Place {
    /// Waits for the turn (at most the gate's wait).
    pub async fn wait(mut self) -> Result<Turn, Busy> {
        let gate = self.gate.clone().expect("a place is waited for once");
        // On failure, or if this future is dropped, the Place's drop gives the share back.
        let slot = gate.slot().await?;
        self.gate = None;
        Ok(Turn { _slot: slot, gate, user: std::mem::take(&mut self.user) })
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        if let Some(g) = self.gate.take() {
            g.release_user(&self.user);
        }
    }
}

/// What a page or the API may show about a line.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct LineState {
    pub running: usize,
    pub waiting: usize,
    pub limit: usize,
}

impl Gate {
    pub fn new(limit: usize, max_waiting: usize, wait: Duration, per_user_limit: usize) -> Arc<Gate> {
        Arc::new(Gate {
            slots: Arc::new(Semaphore::new(limit)),
            limit,
            max_waiting,
            wait,
            waiting: AtomicUsize::new(0),
            per_user_limit,
            per_user: Mutex::new(HashMap::new()),
        })
    }

    fn release_user(&self, user: &str) {
        let mut m = self.per_user.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = m.get_mut(user) {
            *n -= 1;
            if *n == 0 {
                m.remove(user);
            }
        }
    }

    /// Waits for a turn (at most the gate's wait), unless the line or the user's share is full.
    pub async fn turn(self: &Arc<Self>, user: &str) -> Result<Turn, Busy> {
        self.reserve(user)?.wait().await
    }

    /// A place in the line for `user`, at once, or why not: the user's share is counted from here.
    pub fn reserve(self: &Arc<Self>, user: &str) -> Result<Place, Busy> {
        let mut m = self.per_user.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = m.entry(user.to_string()).or_insert(0);
        if *n >= self.per_user_limit {
            return Err(Busy::YourLimit);
        }
        *n += 1;
        Ok(Place { gate: Some(self.clone()), user: user.to_string() })
    }

    /// A running slot: at once, or after waiting in line (unless the line is full). The waiting
    /// count is given back however the wait ends, a client that went away included.
    async fn slot(&self) -> Result<OwnedSemaphorePermit, Busy> {
        if let Ok(slot) = self.slots.clone().try_acquire_owned() {
            return Ok(slot);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Busy::LineFull);
        }
        struct Waiting<'a>(&'a AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        let _waiting = Waiting(&self.waiting);
        match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(slot)) => Ok(slot),
            _ => Err(Busy::TimedOut),
        }
    }

    pub fn state(&self) -> LineState {
        LineState {
            running: self.limit - self.slots.available_permits(),
            waiting: self.waiting.load(Ordering::SeqCst),
            limit: self.limit,
        }
    }
}

/// The lines of the web platform.
pub struct Queues {
    pub imports: Arc<Gate>,
    pub reports: Arc<Gate>,
}

impl Queues {
    pub fn new(c: &WebConfig) -> Queues {
        Queues {
            // An upload waits up to five minutes for its turn; at most 16 per running slot wait.
            imports: Gate::new(c.max_imports, c.max_imports * 16, Duration::from_secs(300), usize::MAX),
            reports: Gate::new(c.max_reports, c.max_reports * 16, Duration::from_secs(600), c.reports_per_user),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn turns_are_limited_overall_and_per_user_and_given_back_when_dropped() {
        let g = Gate::new(1, 1, Duration::from_millis(50), 1);
        let first = g.turn("a").await.unwrap();
        assert_eq!(g.turn("a").await.err(), Some(Busy::YourLimit));
        assert_eq!(g.turn("b").await.err(), Some(Busy::TimedOut), "b waited its 50 ms");
        assert_eq!(g.state().running, 1);
        drop(first);
        let again = g.turn("a").await.unwrap();
        drop(again);
        assert_eq!(g.state().running, 0);
    }
}
