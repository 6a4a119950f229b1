//! Test support: a fresh database per test on SQLite or PostgreSQL, and the real `vetis` binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sqlx::Row;

pub mod web;
pub mod webdriver;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

/// The server PostgreSQL tests use; `.ci/run` makes sure one answers.
pub fn pg_admin_url() -> String {
    std::env::var("VETIS_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// Runs `f` to completion on a runtime of its own thread, so that async tests may call it too.
fn block_on<T: Send>(f: impl std::future::Future<Output = T> + Send) -> T {
    std::thread::scope(|s| s.spawn(|| runtime().block_on(f)).join().unwrap())
}

pub struct TestDb {
    pub backend: Backend,
    pub dir: tempfile::TempDir,
    pub url: String,
    pg_name: Option<String>,
}

impl TestDb {
    pub fn new(backend: Backend) -> TestDb {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().unwrap();
        match backend {
            Backend::Sqlite => {
                let url = dir.path().join("vetis.db").display().to_string();
                TestDb { backend, dir, url, pg_name: None }
            }
            Backend::Postgres => {
                let name = format!("vetis_test_{}_{}", std::process::id(), rand_suffix());
                let admin = pg_admin_url();
                // On a thread of its own: the caller may itself be running inside a tokio runtime.
                let (a, n) = (admin.clone(), name.clone());
                std::thread::spawn(move || {
                    runtime().block_on(async {
                        let pool = sqlx::AnyPool::connect(&a).await.unwrap_or_else(|e| {
                            panic!("PostgreSQL tests need a server at {a} (set VETIS_TEST_PG; .ci/run starts one): {e}")
                        });
                        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {n}"))).execute(&pool).await.unwrap();
                    });
                })
                .join()
                .unwrap();
                let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
                TestDb { backend, dir, url: format!("{base}/{name}"), pg_name: Some(name) }
            }
        }
    }

    pub fn key_file(&self) -> PathBuf {
        self.dir.path().join("test.key")
    }

    pub fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_vetis"));
        c.env("VETIS_DB", &self.url)
            .env("VETIS_KEY_FILE", self.key_file())
            .env_remove("VETIS_LANG")
            .env("RUST_BACKTRACE", "0")
            .current_dir(self.dir.path());
        c
    }

    /// Runs `vetis ARGS…` against this database.
    pub fn vetis(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }

    /// Runs and insists on success, returning stdout.
    /// Runs vetis with `input` on standard input; it must succeed.
    pub fn ok_with_stdin(&self, args: &[&str], input: &str) -> String {
        use std::io::Write;
        let mut child = self
            .command()
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "vetis {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.vetis(args);
        assert!(
            out.status.success(),
            "vetis {args:?} failed on {:?}:\n{}\n{}",
            self.backend,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn write(&self, name: &str, content: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p
    }

    pub fn write_bytes(&self, name: &str, content: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p
    }

    /// Runs one SQL statement directly (to set up what no command may do, e.g. an old expiry).
    pub fn exec(&self, sql: &str) {
        let url = self.connect_url();
        block_on(async {
            let pool = sqlx::AnyPool::connect(&url).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(&pool).await.unwrap();
            pool.close().await;
        });
    }

    pub fn query_i64(&self, sql: &str) -> i64 {
        let url = self.connect_url();
        block_on(async {
            let pool = sqlx::AnyPool::connect(&url).await.unwrap();
            let v: Option<i64> =
                sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(&pool).await.unwrap().get(0);
            pool.close().await;
            v.unwrap_or(0)
        })
    }

    pub fn query_strings(&self, sql: &str) -> Vec<String> {
        let url = self.connect_url();
        block_on(async {
            let pool = sqlx::AnyPool::connect(&url).await.unwrap();
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).fetch_all(&pool).await.unwrap();
            pool.close().await;
            rows.into_iter().map(|r| r.get::<String, _>(0)).collect()
        })
    }

    fn connect_url(&self) -> String {
        match self.backend {
            Backend::Sqlite => format!("sqlite://{}", self.url),
            Backend::Postgres => self.url.clone(),
        }
    }

    /// Everything an import may change, to prove that a refused one changed nothing.
    pub fn state(&self) -> Vec<(String, i64)> {
        let mut sql = Vec::new();
        for t in vetis::domain::standard::Table::ALL.map(vetis::domain::standard::Table::key) {
            sql.push(format!("SELECT '{t}', COUNT(*), CAST(COALESCE(SUM(is_current), 0) AS BIGINT) FROM rec_{t}"));
        }
        sql.push("SELECT 'submission', COUNT(*), CAST(COALESCE(SUM(CASE WHEN status = 'approved' THEN 1 ELSE 0 END), 0) AS BIGINT) FROM submission".into());
        let url = self.connect_url();
        block_on(async {
            let pool = sqlx::AnyPool::connect(&url).await.unwrap();
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.join(" UNION ALL "))).fetch_all(&pool).await.unwrap();
            pool.close().await;
            let mut out = Vec::new();
            for r in rows {
                let t: String = r.get(0);
                out.push((format!("{t} rows"), r.get::<i64, _>(1)));
                out.push((format!("{t} current"), r.get::<i64, _>(2)));
            }
            out.sort();
            out
        })
    }

    /// Imports the fixture city shipped in `examples/city`.
    pub fn load_fixture(&self) {
        self.ok(&["import", &fixture_dir().display().to_string()]);
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            let admin = pg_admin_url();
            let name = name.clone();
            let _ = std::thread::spawn(move || {
                runtime().block_on(async {
                    if let Ok(pool) = sqlx::AnyPool::connect(&admin).await {
                        let _ =
                            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                                .execute(&pool)
                                .await;
                    }
                });
            })
            .join();
        }
    }
}

fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let t = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
    format!("{t:x}{n}")
}

/// Makes the database a national installation: the nation's counties as its district list, and
/// the synthetic city's second school (`testdata::school_code(1)`) moved to Beijing's Dongcheng
/// district (110101), so that two provinces hold schools.
pub fn move_second_school_to_beijing(db: &TestDb) {
    db.ok(&["districts", "region", "CN"]);
    let moved = db.write(
        "moved.csv",
        &format!(
            "school_code,name,level,sponsor,district_code,founded\n{},合成职业学校1,中职,区属,110101,1990\n",
            vetis::testdata::school_code(1)
        ),
    );
    db.ok(&["import", moved.to_str().unwrap()]);
}

pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/city")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A small seeded generator (xorshift) for the randomised tests: the same seed, the same run.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}
