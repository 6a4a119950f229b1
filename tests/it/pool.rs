//! The municipal pool of part-time teachers (the Teachers issue): experts registered one by one or
//! from a spreadsheet (all rows or none), searched by program and skill without personal data,
//! engaged by schools per term with feedback, and the pool's figures. Through the binary, on both
//! backends.

use crate::common::*;

fn person(n: u32) -> String {
    let first = format!("44010619700101{:03}", n * 2 + 1);
    format!("{first}{}", vetis::domain::ids::id_check_char(first.as_bytes()))
}

fn setup(db: &TestDb) {
    let school = "学校标识码,学校名称,办学层次,举办者,所在区,建校年份\n4401000001,广州市第一职业技术学校,中职,市属,440106,1958\n";
    let offering = "school_code,year,program_code,program_name,program_group,first_year\n4401000001,2025,700206,,,2015\n4401000001,2025,710204,,,2015\n";
    let h = "teacher_no,id_type,id_number,name,gender,school_code,year,category,is_specialty,dual_qualified,dual_since,education,degree,title,hire_date,industry_years";
    let teacher = format!(
        "{h}\nP1,,{},兼职一,男,4401000001,2025,兼职教师,是,否,,本科,学士,,,12\nP2,,{},兼职二,男,4401000001,2025,兼职教师,是,否,,本科,学士,,,8\n",
        person(1),
        person(9)
    );
    let files: Vec<String> =
        [("school.csv", school.to_string()), ("offering.csv", offering.to_string()), ("teacher.csv", teacher)]
            .iter()
            .map(|(n, c)| db.write(n, c).display().to_string())
            .collect();
    let mut args = vec!["import"];
    args.extend(files.iter().map(String::as_str));
    db.ok(&args);
}

#[test]
fn experts_are_registered_searched_engaged_and_counted_on_both_backends() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        setup(&db);
        let id = serde_json::from_str::<serde_json::Value>(&db.ok(&[
            "pool",
            "add",
            "--id-number",
            &person(1),
            "--name",
            "李建国",
            "--enterprise-credit-code",
            "91110000600037341L",
            "--enterprise-name",
            "广汽本田汽车有限公司",
            "--program",
            "700206",
            "--skill",
            "新能源汽车电控",
            "发动机维修",
            "--title",
            "副高级",
            "--post",
            "固定岗",
            "--consent",
            "--school",
            "4401000001",
            "--format",
            "json",
        ]))
        .unwrap()["id"]
            .as_i64()
            .unwrap();
        // The same person again is refused; so is a bad form, every field named.
        let again = db.vetis(&[
            "pool",
            "add",
            "--id-number",
            &person(1),
            "--name",
            "李建国",
            "--enterprise-credit-code",
            "91110000600037341L",
            "--enterprise-name",
            "广汽本田",
            "--program",
            "700206",
            "--post",
            "fixed",
        ]);
        assert!(!again.status.success() && stderr(&again).contains("已在资源库中"), "{backend:?}: {}", stderr(&again));
        let bad = db.vetis(&[
            "pool",
            "add",
            "--id-number",
            "1",
            "--name",
            "x",
            "--enterprise-credit-code",
            "2",
            "--enterprise-name",
            "y",
            "--program",
            "z",
            "--post",
            "sometimes",
        ]);
        let err = stderr(&bad);
        for field in ["id_number", "enterprise_credit_code", "programs", "post"] {
            assert!(err.contains(field), "{backend:?}: {field} named: {err}");
        }
        // A spreadsheet: one bad row refuses the file whole.
        let header = "身份证件号,姓名,企业统一社会信用代码,企业名称,可任教专业代码,专长,专业技术职务,岗位类型,同意入库";
        let good2 = format!(
            "{},王五,91440101MA59K3R8XL,广州数控设备有限公司,710204；700206,网络运维、工业互联网,中级,流动岗,是",
            person(2)
        );
        let good3 = format!("{},赵六,91110000600037341L,广汽本田汽车有限公司,700206,钣金,,流动岗,否", person(3));
        let file = db.write(
            "pool.csv",
            &format!("{header}\n{good2}\n{good3}\n{},钱七,bad,某公司,700206,,,固定岗,是\n", person(4)),
        );
        let out = db.vetis(&["pool", "import", file.to_str().unwrap()]);
        assert!(!out.status.success() && stderr(&out).contains("第 4 行"), "{backend:?}: {}", stderr(&out));
        assert_eq!(
            db.query_i64("SELECT COUNT(*) FROM pool_expert"),
            1,
            "{backend:?}: nothing of a refused file is written"
        );
        let file = db.write("pool2.csv", &format!("{header}\n{good2}\n{good3}\n"));
        db.ok(&["pool", "import", file.to_str().unwrap()]);
        // Search: by program (or its first digits) and skill; never the person; only those who consented.
        let found: serde_json::Value =
            serde_json::from_str(&db.ok(&["pool", "search", "--program", "700206", "--format", "json"])).unwrap();
        let list = found.as_array().unwrap();
        assert_eq!(list.len(), 2, "{backend:?}: 赵六 did not consent: {found}");
        let keys: Vec<&String> = list[0].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["enterprise_name", "id", "programs", "skills"], "{backend:?}");
        assert!(
            !found.to_string().contains("李") && !found.to_string().contains("4401061970"),
            "no personal data: {found}"
        );
        let by_skill: serde_json::Value = serde_json::from_str(&db.ok(&[
            "pool",
            "search",
            "--program",
            "71",
            "--skill",
            "工业互联网",
            "--format",
            "json",
        ]))
        .unwrap();
        assert_eq!(by_skill.as_array().unwrap().len(), 1, "{by_skill}");
        // Engagements and feedback.
        let eid = id.to_string();
        let e: serde_json::Value = serde_json::from_str(&db.ok(&[
            "pool",
            "engage",
            "--expert",
            &eid,
            "--school",
            "4401000001",
            "--term",
            "2025-2026-1",
            "--courses",
            "新能源汽车电控技术",
            "--hours",
            "64",
            "--pay",
            "19200",
            "--program",
            "700206",
            "--format",
            "json",
        ]))
        .unwrap();
        let engagement = e["id"].to_string();
        let out = db.vetis(&[
            "pool",
            "engage",
            "--expert",
            &eid,
            "--school",
            "4401000001",
            "--term",
            "2025-2",
            "--courses",
            "x",
            "--hours",
            "0",
        ]);
        assert!(!out.status.success() && stderr(&out).contains("2025-2026-1"), "{}", stderr(&out));
        db.ok(&["pool", "feedback", &engagement, "--rating", "5", "--text", "学生评价好"]);
        assert!(!db.vetis(&["pool", "feedback", &engagement, "--rating", "4"]).status.success(), "feedback once");
        let f: serde_json::Value =
            serde_json::from_str(&db.ok(&["pool", "figures", "--year", "2025", "--format", "json"])).unwrap();
        assert_eq!(
            (f["experts"].as_i64(), f["engagements"].as_i64(), f["hours"].as_f64()),
            (Some(2), Some(1), Some(64.0)),
            "{backend:?}: {f}"
        );
        assert_eq!(f["average_rating"].as_f64(), Some(5.0));
        assert_eq!(f["programs_without"][0][1], "710204", "{backend:?}: {f}");
        assert_eq!(
            (f["part_time_rows"].as_i64(), f["part_time_in_pool"].as_i64()),
            (Some(2), Some(1)),
            "{backend:?}: P1 is 李建国"
        );
        assert!(db.ok(&["audit"]).contains("pool_engage"));
        let listed = db.ok(&["pool", "list"]);
        assert!(listed.contains("李**") || listed.contains("李*"), "masked: {listed}");
    }
}
