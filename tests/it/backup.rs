//! `vetis backup` and `vetis restore`: the round trip gives back every table and every figure, on
//! SQLite and PostgreSQL; a restore refuses a database that is not empty and a key that does not
//! match, and changes nothing then.

use crate::common::*;

/// Every table's row count, read the same way on both backends.
fn all_tables(db: &TestDb) -> Vec<(String, i64)> {
    let sql = match db.backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
        }
    };
    db.query_strings(sql)
        .into_iter()
        .map(|t| (t.clone(), db.query_i64(&format!("SELECT COUNT(*) FROM \"{t}\""))))
        .collect()
}

/// The figures: the ten indicators and every target, for every year of the fixture.
fn figures(db: &TestDb) -> Vec<String> {
    let mut out = Vec::new();
    for year in ["2020", "2021"] {
        out.push(db.ok(&["indicators", "--year", year, "--format", "json"]));
        out.push(db.ok(&["targets", "--year", year, "--format", "json"]));
    }
    out
}

#[test]
fn a_backup_restores_every_table_and_every_figure_into_an_empty_database() {
    for backend in BACKENDS {
        let source = TestDb::new(backend);
        source.load_fixture();
        let tables = all_tables(&source);
        let figures_before = figures(&source);
        let file = source.dir.path().join("vetis-backup.zip");
        let out = source.ok(&["backup", "--out", file.to_str().unwrap()]);
        assert!(out.contains("已备份到") && out.contains("密钥指纹"), "{out}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600, "a backup is private");
        }

        // Into an empty database, with the source's key file.
        let target = TestDb::new(backend);
        std::fs::copy(source.key_file(), target.key_file()).unwrap();
        let out = target.ok(&["restore", file.to_str().unwrap()]);
        assert!(out.contains("与备份清单一致"), "{out}");
        let restored = all_tables(&target);
        let without = |t: &[(String, i64)]| t.iter().filter(|(n, _)| n != "audit_log").cloned().collect::<Vec<_>>();
        assert_eq!(without(&restored), without(&tables), "{backend:?}: every table comes back");
        let audit = |t: &[(String, i64)]| t.iter().find(|(n, _)| n == "audit_log").unwrap().1;
        // The source's log, its backup entry excluded, plus the restore's own entry.
        assert_eq!(audit(&restored), audit(&tables) + 1, "{backend:?}");
        assert_eq!(figures(&target), figures_before, "{backend:?}: every figure is the same");
        let people = "SELECT MIN(name_masked) FROM rec_student";
        assert_eq!(target.query_strings(people), source.query_strings(people));
        // Personal data is readable with the key: an unmasked export decrypts.
        let csv = target.ok(&["export", "--table", "student", "--year", "2020", "--unmask"]);
        assert!(csv.contains("440106200501100053"), "{csv}");

        // Not into a database that holds anything.
        let before = target.state();
        let again = target.vetis(&["restore", file.to_str().unwrap()]);
        assert_eq!(again.status.code(), Some(1));
        assert!(stderr(&again).contains("不是空数据库"), "{}", stderr(&again));
        assert_eq!(target.state(), before);

        // Not with another key, nor without one.
        let other = TestDb::new(backend);
        other.ok(&["init"]);
        let fresh = TestDb::new(backend);
        std::fs::copy(other.key_file(), fresh.key_file()).unwrap();
        let wrong = fresh.vetis(&["restore", file.to_str().unwrap()]);
        assert_eq!(wrong.status.code(), Some(1));
        assert!(stderr(&wrong).contains("指纹不同"), "{}", stderr(&wrong));
        let keyless = TestDb::new(backend);
        let none = keyless.vetis(&["restore", file.to_str().unwrap(), "--lang", "en"]);
        assert_eq!(none.status.code(), Some(1));
        assert!(stderr(&none).contains("needs the backup's key file"), "{}", stderr(&none));
    }
}

#[test]
fn a_file_that_is_not_a_backup_is_refused_with_its_name() {
    let db = TestDb::new(Backend::Sqlite);
    let bogus = db.write("not-a-backup.zip", "hello");
    let out = db.vetis(&["restore", bogus.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("不是 VETIS 备份文件"), "{}", stderr(&out));
}
