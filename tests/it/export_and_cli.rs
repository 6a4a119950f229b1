//! Exports (masked by default, re-importable when unmasked, safe in spreadsheets), the audit log,
//! plans and catalogue editions as data, the key check, and the CLI's conventions.

use crate::common::*;

#[test]
fn exports_mask_personal_data_unless_unmasked_and_an_unmasked_export_reimports_unchanged() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        let masked = db.dir.path().join("students.csv");
        db.ok(&["export", "--table", "student", "--year", "2020", "--out", masked.to_str().unwrap()]);
        let text = std::fs::read_to_string(&masked).unwrap();
        assert!(text.starts_with('\u{FEFF}'), "BOM for Excel");
        assert!(text.contains("440106********"), "{text}");
        assert!(text.contains(",学***,"), "names keep only their first character");
        let fixture = std::fs::read_to_string(fixture_dir().join("student.csv")).unwrap();
        let some_id = fixture.lines().nth(1).unwrap().split(',').nth(2).unwrap();
        assert!(!text.contains(some_id), "no full ID number in a masked export");

        let before = db.state();
        let unmasked = db.dir.path().join("student.csv");
        db.ok(&["export", "--table", "student", "--unmask", "--out", unmasked.to_str().unwrap()]);
        let text = std::fs::read_to_string(&unmasked).unwrap();
        assert!(text.contains(some_id));
        let out = db.ok(&["import", unmasked.to_str().unwrap()]);
        assert!(out.contains("写入 0 行"), "{backend:?}: {out}");
        assert_eq!(db.state(), before);
        let audit = db.ok(&["audit"]);
        assert!(audit.contains("export_unmasked"), "{audit}");
        assert!(audit.contains("UNMASKED personal data"));
    }
}

#[test]
fn text_a_spreadsheet_would_execute_is_escaped_in_csv_and_comes_back_intact() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    let h = "project_code,school_code,year,name,category,start_date,end_date,hours,person_times,completed,certified,revenue";
    let path = db.write(
        "training.csv",
        &format!("{h}\nP2,4401000001,2020,=HYPERLINK(\"http://x\"),其他,2020-01-01,2020-02-01,8,10,5,,\n"),
    );
    db.ok(&["import", path.to_str().unwrap()]);
    let out = db.dir.path().join("training.csv");
    db.ok(&["export", "--table", "training", "--out", out.to_str().unwrap()]);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("'=HYPERLINK"), "{text}");
    let before = db.state();
    let res = db.ok(&["import", out.to_str().unwrap()]);
    assert!(res.contains("写入 0 行"), "{res}");
    assert_eq!(db.state(), before);
    assert_eq!(
        db.query_strings("SELECT name FROM rec_training WHERE project_code = 'P2'"),
        vec!["=HYPERLINK(\"http://x\")"]
    );
}

#[test]
fn xlsx_exports_open_as_workbooks_with_chinese_headers() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    let out = db.dir.path().join("t.xlsx");
    let msg = db.ok(&["export", "--table", "teacher", "--format", "xlsx", "--out", out.to_str().unwrap()]);
    assert!(msg.contains("11 行"), "{msg}");
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(&out).unwrap();
    let range = wb.worksheet_range("teacher").unwrap();
    assert_eq!(range.get_size().0, 12);
    assert_eq!(range.get((0, 0)).unwrap().to_string(), "工号");
}

#[test]
fn the_db_option_works_after_any_subcommand_and_exit_statuses_tell_success_from_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let dbp = dir.path().join("x.db");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_vetis"))
            .args(args)
            .env_remove("VETIS_DB")
            .env("VETIS_KEY_FILE", dir.path().join("k"))
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let d = dbp.to_str().unwrap();
    assert!(run(&["init", "--db", d]).status.success());
    assert!(run(&["plan", "show", "--db", d]).status.success());
    assert!(run(&["indicators", "--year", "2020", "--db", d]).status.success());
    let bad = dir.path().join("student.csv");
    std::fs::write(&bad, "学号\n1\n").unwrap();
    assert_eq!(run(&["import", bad.to_str().unwrap(), "--db", d]).status.code(), Some(1));
    assert_eq!(run(&["indicators", "--year", "x", "--db", d]).status.code(), Some(2), "usage errors are 2");
    assert_eq!(run(&["indicators", "--school", "1", "--db", d]).status.code(), Some(1));
    assert!(!dir.path().join("vetis.db").exists(), "the default database was not touched");
}

#[test]
fn a_database_refuses_a_key_that_is_not_its_own() {
    let db = TestDb::new(Backend::Sqlite);
    db.ok(&["init"]);
    std::fs::write(db.key_file(), "00".repeat(32)).unwrap();
    let out = db.vetis(&["indicators", "--year", "2020"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not this database's key"), "{}", stderr(&out));
    assert!(!stderr(&out).contains(&"00".repeat(32)), "the key is never printed");
}

#[test]
fn a_changed_plan_file_changes_targets_and_statuses_without_code() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        let plan = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("plans/guangzhou-2021-2025.toml"),
        )
        .unwrap();
        // Lower the dual-qualified target (indicator 7) from 70 to 55: 60 % now meets it.
        let changed = plan.replacen("baseline = 69.1\ntarget = 70", "baseline = 69.1\ntarget = 55", 1);
        assert_ne!(changed, plan);
        let path = db.write("plan.toml", &changed);
        db.ok(&["plan", "load", path.to_str().unwrap()]);
        let j: serde_json::Value =
            serde_json::from_str(&db.ok(&["indicators", "--year", "2020", "--format", "json"])).unwrap();
        assert_eq!(j[6]["target"], 55.0);
        assert_eq!(j[6]["status"], "met", "{backend:?}");
        let bad = db.write("bad.toml", &plan.replacen("table = \"teacher\"", "table = \"teachers\"", 1));
        let out = db.vetis(&["plan", "load", bad.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("unknown table 'teachers'"), "{}", stderr(&out));
        assert!(db.ok(&["audit"]).contains("plan_load"));
    }
}

#[test]
fn a_later_catalogue_edition_loads_beside_2021_without_code_changes() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    let h = "catalogCode,educationLevel,categoryCode,categoryName,classCode,className,majorCode,majorName,parentCode,itemLevel,source";
    let edition = format!(
        "{h}\nMOE_2022,VOCATIONAL_SECONDARY,71,电子与信息大类,7102,计算机类,710299,人工智能技术应用,7102,MAJOR,教育部\n"
    );
    let path = db.write("additions-2022.csv", &edition);
    let out = db.ok(&["catalog", "load", path.to_str().unwrap(), "--edition", "2022"]);
    assert!(out.contains("1 条"), "{out}");
    let list = db.ok(&["catalog", "list"]);
    assert!(list.contains("2021") && list.contains("2022"), "{list}");
    let off = db.write("offering.csv", "school_code,year,program_code\n4401000001,2022,710299\n");
    db.ok(&["import", off.to_str().unwrap()]);
}

#[test]
fn templates_have_chinese_headers_drop_down_lists_and_instructions_and_read_back() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    let out = db.dir.path().join("在校生.xlsx");
    db.ok(&["template", "--table", "student", "--out", out.to_str().unwrap()]);
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(&out).unwrap();
    assert_eq!(wb.sheet_names(), ["在校生", "填写说明", "代码表", "专业目录"]);
    let data = wb.worksheet_range("在校生").unwrap();
    let header: Vec<String> = (0..17).map(|c| data.get((0, c)).unwrap().to_string()).collect();
    assert_eq!(header[0], "学号");
    assert_eq!(header[8], "学习形式");
    let codes = wb.worksheet_range("代码表").unwrap();
    let all: Vec<String> = codes.cells().map(|(_, _, v)| v.to_string()).collect();
    assert!(all.contains(&"全日制".to_string()) && all.contains(&"三二分段".to_string()));
    let programs = wb.worksheet_range("专业目录").unwrap();
    assert_eq!(programs.get_size().0, 1_350, "header and 1,349 programs");
    // The empty template goes back through the importer: its data sheet is found and read.
    let res = db.vetis(&["import", out.to_str().unwrap()]);
    assert_eq!(res.status.code(), Some(1));
    assert!(stderr(&res).contains("文件为空"), "{}", stderr(&res));
    assert!(!stderr(&res).contains("未知列"));
}

#[test]
fn an_export_without_out_or_with_a_dash_writes_csv_to_standard_output() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    for args in [&["export", "--table", "school"][..], &["export", "--table", "school", "--out", "-"][..]] {
        let out = db.vetis(args);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(text.starts_with("学校标识码,学校名称"), "CSV on standard output, no BOM: {text}");
        assert_eq!(text.lines().count(), 8, "the header and seven schools: {text}");
        assert!(stderr(&out).contains("已导出 7 行"), "the count goes to standard error");
        assert!(!db.dir.path().join("school.csv").exists(), "no file is written");
    }
    let xlsx = db.vetis(&["export", "--table", "school", "--format", "xlsx"]);
    assert_eq!(xlsx.status.code(), Some(1));
    assert!(stderr(&xlsx).contains("XLSX 须写到文件"), "{}", stderr(&xlsx));
}

#[test]
fn a_postgres_key_file_is_named_without_the_password_and_an_old_one_is_moved_once() {
    let db = TestDb::new(Backend::Postgres);
    let config = tempfile::tempdir().unwrap();
    // The URL as an operator would write it, with a password (trust auth ignores it).
    let url = db.url.replacen("postgres://postgres@", "postgres://postgres:s3cret-pw@", 1);
    let safe: String = url.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let legacy = config.path().join("vetis").join(format!("{safe}.key"));
    std::fs::create_dir_all(legacy.parent().unwrap()).unwrap();
    // An installation from before: its key under the old name, which held the password.
    let run = |key: Option<&std::path::Path>| {
        let mut c = db.command();
        c.env("VETIS_DB", &url).env("XDG_CONFIG_HOME", config.path()).env_remove("VETIS_KEY_FILE");
        if let Some(k) = key {
            c.env("VETIS_KEY_FILE", k);
        }
        c.args(["init"]).output().unwrap()
    };
    let first = run(Some(&legacy));
    assert!(first.status.success(), "{}", stderr(&first));
    let second = run(None);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(stderr(&second).contains("密钥文件已改名"), "{}", stderr(&second));
    assert!(!legacy.exists(), "the old name is gone");
    let names: Vec<String> = std::fs::read_dir(config.path().join("vetis"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(!names[0].contains("s3cret") && names[0].starts_with("127_0_0_1_5432_vetis_test_"), "{names:?}");
    // And it is found again without a note.
    let third = run(None);
    assert!(third.status.success() && !stderr(&third).contains("改名"), "{}", stderr(&third));
}

#[test]
fn a_roll_forward_template_holds_last_years_rows_as_the_year_due_and_imports_as_it_is() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        let out = db.dir.path().join("teacher-2021.xlsx");
        let said = db.ok(&[
            "template",
            "--table",
            "teacher",
            "--roll-forward",
            "--school",
            "4401000001",
            "--year",
            "2021",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(said.contains("预填 2020 年度的 4 行，年度改为 2021"), "{backend:?}: {said}");
        use calamine::Reader;
        let mut wb = calamine::open_workbook_auto(&out).unwrap();
        let data = wb.worksheet_range("教师").unwrap();
        assert_eq!(data.get_size().0, 5, "the header and the school's four teachers of 2020");
        let cells: Vec<String> = data.cells().map(|(_, _, v)| v.to_string()).collect();
        assert!(cells.contains(&"440104198501016027".to_string()), "ID numbers in full, to import again");
        assert!(cells.contains(&"专任教师".to_string()), "code lists as their labels");
        let help = wb.worksheet_range("填写说明").unwrap();
        assert!(help.cells().any(|(_, _, v)| v.to_string().contains("已预填学校 4401000001 2020 年度的 4 行")));
        // Imported as it is, it gives the same teachers in 2021.
        db.ok(&["import", out.to_str().unwrap()]);
        let year = |y: i64| {
            db.query_i64(&format!(
                "SELECT COUNT(*) FROM rec_teacher WHERE school_code = '4401000001' AND year = {y} AND is_current = 1"
            ))
        };
        assert_eq!((year(2020), year(2021)), (4, 4), "{backend:?}");
        let audit = db.ok(&["audit"]);
        assert!(audit.contains("roll_forward_unmasked"), "{audit}");
        // A table not returned by year has no last year; a roll-forward needs its school and year.
        let res =
            db.vetis(&["template", "--table", "school", "--roll-forward", "--school", "4401000001", "--year", "2021"]);
        assert_eq!(res.status.code(), Some(1));
        assert!(stderr(&res).contains("不按年度报送"), "{}", stderr(&res));
        let res = db.vetis(&["template", "--table", "teacher", "--roll-forward"]);
        assert_eq!(res.status.code(), Some(2), "{}", stderr(&res));
    }
}

#[test]
fn a_provincial_installation_replaces_the_district_list_and_a_school_outside_guangzhou_then_imports() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        let school = db.write(
            "school.csv",
            "school_code,name,level,sponsor,district_code\n4401000009,深圳某校,中职,民办,440304\n",
        );
        let refused = db.vetis(&["import", school.to_str().unwrap()]);
        assert_eq!(refused.status.code(), Some(1), "{}", stdout(&refused));
        // A list that drops districts the registry uses is refused whole, naming them.
        let shenzhen = db.write("districts.csv", "code,name\n440304,福田区\n440305,南山区\n");
        let out = db.vetis(&["districts", "load", shenzhen.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("仍有") && stderr(&out).contains("440106"), "{}", stderr(&out));
        // Bad lines are named by line and column, and nothing changes.
        let bad = db.write("bad.csv", "code,name\n440304,福田区\n4403,深圳市\n440304,福田区\n");
        let out = db.vetis(&["districts", "load", bad.to_str().unwrap()]);
        assert!(stderr(&out).contains("第 3 行 code 列") && stderr(&out).contains("已在第 2 行"), "{}", stderr(&out));
        assert_eq!(db.query_i64("SELECT COUNT(*) FROM gz_district"), 11);
        // The province's current counties: Guangzhou's districts stay, Shenzhen's join.
        let out = db.ok(&["districts", "region", "44"]);
        assert!(out.contains("区（县）名单已替换"), "{out}");
        let list = db.ok(&["districts", "list"]);
        assert!(list.contains("440304\t福田区") && list.contains("440106\t天河区"), "{list}");
        assert!(db.query_i64("SELECT COUNT(*) FROM gz_district") > 100);
        assert!(!list.contains("110101"), "another province's county is not in the list");
        db.ok(&["import", school.to_str().unwrap()]);
        assert!(db.ok(&["audit"]).contains("districts.replace"));
        assert_eq!(db.vetis(&["districts", "region", "4"]).status.code(), Some(1));
    }
}
