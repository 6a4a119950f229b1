//! Progress for long commands: an indicatif bar on a terminal, plain phase lines otherwise (so a
//! log or a supervising script can still tell where an import is).

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::messages::Lang;
use crate::workflow::import::{Phase, Progress};

pub struct CliProgress {
    bar: Mutex<Option<ProgressBar>>,
    tty: bool,
    lang: Lang,
    /// The file being imported, as "n/N" (empty for a single file).
    file: Mutex<String>,
    started: std::time::Instant,
}

impl CliProgress {
    pub fn new(lang: Lang) -> Self {
        CliProgress {
            bar: Mutex::new(None),
            tty: std::io::stderr().is_terminal(),
            lang,
            file: Mutex::new(String::new()),
            started: std::time::Instant::now(),
        }
    }

    /// The time since the work began, as people read it (`用时 1 分 12 秒` / `took 1 min 12 s`).
    pub fn elapsed(&self) -> String {
        let s = self.started.elapsed().as_secs();
        match (self.lang, s >= 60) {
            (Lang::Zh, true) => format!("用时 {} 分 {} 秒", s / 60, s % 60),
            (Lang::Zh, false) => format!("用时 {:.1} 秒", self.started.elapsed().as_secs_f64()),
            (Lang::En, true) => format!("took {} min {} s", s / 60, s % 60),
            (Lang::En, false) => format!("took {:.1} s", self.started.elapsed().as_secs_f64()),
        }
    }

    /// What a line says of its sheet: the file's own name (not the folder it sits in), and which
    /// file of how many.
    fn prefix(&self, sheet: &str) -> String {
        let name = std::path::Path::new(sheet).file_name().and_then(|n| n.to_str()).unwrap_or(sheet);
        let file = self.file.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        if file.is_empty() { name.to_string() } else { format!("[{file}] {name}") }
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
    fn file(&self, n: usize, total: usize) {
        *self.file.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
            if total > 1 { format!("{n}/{total}") } else { String::new() };
    }
    fn phase(&self, phase: Phase, sheet: &str, total: Option<u64>) {
        let mut guard = self.bar.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(b) = guard.take() {
            b.finish_and_clear();
        }
        let (prefix, label) = (self.prefix(sheet), phase.label(self.lang));
        if !self.tty {
            eprintln!("vetis: {prefix}: {label}");
            return;
        }
        let (rows, left) = if self.lang == Lang::Zh { ("行", "剩余") } else { ("rows", "left") };
        let bar = match total {
            Some(t) => ProgressBar::new(t).with_style(
                ProgressStyle::with_template(&format!(
                    "{{prefix}} {{msg}} [{{bar:30}}] {{pos}}/{{len}} {rows} {{per_sec}} {left} {{eta}}"
                ))
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template(&format!("{{prefix}} {{spinner}} {{msg}} {{pos}} {rows} {{per_sec}}"))
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        bar.set_prefix(prefix);
        bar.set_message(label);
        bar.enable_steady_tick(Duration::from_millis(120));
        *guard = Some(bar);
    }
    fn rows(&self, n: u64) {
        if let Some(b) = self.bar.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_ref() {
            b.set_position(n);
            // Every row written: the transaction's checks, its commit and the figures' blocks
            // follow, which take a while. Say so instead of sitting at 100 %, 0 s left.
            if b.length().is_some_and(|len| n >= len && len > 0) {
                b.set_style(
                    ProgressStyle::with_template("{prefix} {spinner} {msg} {elapsed}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                b.set_message(if self.lang == Lang::Zh {
                    "提交并更新指标构件"
                } else {
                    "committing and updating the figures"
                });
            }
        }
    }
    fn done(&self) {
        if let Some(b) = self.bar.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take() {
            b.finish_and_clear();
        }
    }
}
