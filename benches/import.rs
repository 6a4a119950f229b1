//! Benchmark: import throughput of a large student file and the time to compute every indicator
//! for every year, on SQLite and PostgreSQL, through the release binary. Prints figures; asserts
//! nothing about time.
//!
//!     cargo bench --bench import                          # 1,000,000 rows, both backends
//!     cargo bench --bench import -- --rows 100000 --backend sqlite
//!
//! PostgreSQL: a server at $VETIS_TEST_PG (default postgres://postgres@127.0.0.1:5432/postgres).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use vetis::testdata::{Spec, write_city};

struct Run {
    seconds: f64,
    peak_rss_mib: f64,
}

/// Runs the binary, sampling its peak resident memory (VmHWM) from /proc while it runs.
fn run(args: &[&str], env: &[(&str, String)]) -> Run {
    let start = Instant::now();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vetis"));
    cmd.args(args).stdout(Stdio::null()).stderr(Stdio::null()).env_remove("VETIS_DB");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("vetis runs");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0u64;
    loop {
        if let Ok(s) = std::fs::read_to_string(&status_file)
            && let Some(line) = s.lines().find(|l| l.starts_with("VmHWM:"))
        {
            peak_kib = peak_kib.max(line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0));
        }
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "vetis {args:?} failed");
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Run { seconds: start.elapsed().as_secs_f64(), peak_rss_mib: peak_kib as f64 / 1024.0 }
}

fn pg_admin() -> String {
    std::env::var("VETIS_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn psql(sql: &str) {
    let ok = Command::new("psql")
        .args([&pg_admin(), "-q", "-c", sql])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "psql could not run: {sql}");
}

fn bench(backend: &str, files: &[std::path::PathBuf], rows: usize, work: &Path) {
    let (db, cleanup) = match backend {
        "sqlite" => (work.join("bench.db").display().to_string(), None),
        _ => {
            let name = format!("vetis_bench_{}", std::process::id());
            psql(&format!("DROP DATABASE IF EXISTS {name}"));
            psql(&format!("CREATE DATABASE {name}"));
            let base = pg_admin().rsplit_once('/').unwrap().0.to_string();
            (format!("{base}/{name}"), Some(name))
        }
    };
    let env = [("VETIS_DB", db.clone()), ("VETIS_KEY_FILE", work.join(format!("{backend}.key")).display().to_string())];
    run(&["init"], &env);
    run(&["import", files[0].to_str().unwrap(), files[1].to_str().unwrap()], &env);
    let import = run(&["import", files[2].to_str().unwrap()], &env);
    let mut years = Vec::new();
    for y in 2020..=2025 {
        years.push(run(&["indicators", "--year", &y.to_string(), "--format", "json"], &env).seconds);
    }
    let resubmit = run(&["import", files[2].to_str().unwrap()], &env);
    println!(
        "{backend:<9} import {rows} rows: {:>7.1} s  {:>8.0} rows/s  peak RSS {:>6.0} MiB | identical resubmission {:>6.1} s | indicators, all ten: {:.2} s per year, {:.2} s for 2020–2025",
        import.seconds,
        rows as f64 / import.seconds,
        import.peak_rss_mib,
        resubmit.seconds,
        years.iter().sum::<f64>() / years.len() as f64,
        years.iter().sum::<f64>(),
    );
    if let Some(name) = cleanup {
        psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let rows: usize = arg("--rows").and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let backends: Vec<&str> = match arg("--backend").as_deref() {
        Some("sqlite") => vec!["sqlite"],
        Some("postgres") => vec!["postgres"],
        _ => vec!["sqlite", "postgres"],
    };
    let work = tempfile::tempdir().unwrap();
    let t = Instant::now();
    // `--generate-only DIR` writes the files for a look or a run by hand, and stops.
    let target = arg("--generate-only").map(std::path::PathBuf::from);
    let dir = target.clone().unwrap_or_else(|| work.path().to_path_buf());
    let files = write_city(&dir, &Spec { schools: 60, first_year: 2020, last_year: 2025, students: rows }).unwrap();
    if target.is_some() {
        println!("wrote {files:?}");
        return;
    }
    let size = std::fs::metadata(&files[2]).unwrap().len() as f64 / 1e6;
    println!(
        "generated {rows} student rows ({size:.0} MB CSV, 60 schools, 2020–2025) in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    for b in backends {
        bench(b, &files, rows, work.path());
    }
}
