//! Progress for long commands: an indicatif bar on a terminal, plain phase lines otherwise (so a
//! log or a supervising script can still tell where an import is).

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::workflow::import::Progress;

pub struct CliProgress {
    bar: Mutex<Option<ProgressBar>>,
    tty: bool,
}

impl CliProgress {
    pub fn new() -> Self {
        CliProgress { bar: Mutex::new(None), tty: std::io::stderr().is_terminal() }
    }
}

impl CliProgress {
    /// A stage of work without rows to count (a report being computed, then typeset): a spinner
    /// with the time spent on a terminal, a phase line otherwise.
    pub fn stage(&self, label: &str, subject: &str) {
        let mut guard = self.bar.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(b) = guard.take() {
            b.finish_and_clear();
        }
        if !self.tty {
            eprintln!("vetis: {subject}: {label}");
            return;
        }
        let bar = ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{prefix} {spinner} {msg} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_prefix(subject.to_string());
        bar.set_message(label.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        *guard = Some(bar);
    }
}

impl Progress for CliProgress {
    fn phase(&self, label: &str, sheet: &str, total: Option<u64>) {
        let mut guard = self.bar.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(b) = guard.take() {
            b.finish_and_clear();
        }
        if !self.tty {
            eprintln!("vetis: {sheet}: {label}");
            return;
        }
        let bar = match total {
            Some(t) => ProgressBar::new(t).with_style(
                ProgressStyle::with_template("{prefix} {msg} [{bar:30}] {pos}/{len} 行 {per_sec} 剩余 {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{prefix} {spinner} {msg} {pos} 行 {per_sec}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        bar.set_prefix(sheet.to_string());
        bar.set_message(label.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        *guard = Some(bar);
    }
    fn rows(&self, n: u64) {
        if let Some(b) = self.bar.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_ref() {
            b.set_position(n);
        }
    }
    fn done(&self) {
        if let Some(b) = self.bar.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take() {
            b.finish_and_clear();
        }
    }
}
