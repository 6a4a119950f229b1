//! Every rule of the data standard (§1–§5): a file that breaks it is refused with a message that
//! names the row, the column and what is wrong, and the database is left exactly as it was.
//! Warnings (plausibility) do not refuse. Run through the real binary on SQLite and PostgreSQL.

use crate::common::*;
use vetis::domain::ids::id_check_char;

/// A valid 18-digit ID: area, birth date (YYYYMMDD), a sequence, odd for men.
fn id(area: &str, birth: &str, seq: u32, male: bool) -> String {
    let g = if male { 1 } else { 2 } + 2 * (seq % 4);
    let body = format!("{area}{birth}{:02}{g}", seq % 100);
    format!("{body}{}", id_check_char(body.as_bytes()))
}

const STUDENT_H: &str = "student_no,id_type,id_number,name,gender,school_code,year,program_code,study_mode,entry_year,pathway,status,prior_school_code,origin_code,poverty,disability,ethnicity";

fn student_row(no: &str, id_number: &str, gender: &str, school: &str, year: &str, program: &str) -> String {
    format!("{no},,{id_number},张三,{gender},{school},{year},{program},全日制,2021,普通,在籍,,440106,否,否,汉族")
}

fn good_student(no: &str, seq: u32) -> String {
    student_row(no, &id("440106", "20060101", seq, true), "男", "4401000001", "2021", "700206")
}

struct Case {
    name: &'static str,
    file: &'static str,
    content: Vec<u8>,
    args: Vec<&'static str>,
    /// Fragments the messages must contain (row:column: message).
    expect: Vec<String>,
}

fn case(name: &'static str, file: &'static str, content: String, expect: &[&str]) -> Case {
    Case {
        name,
        file,
        content: content.into_bytes(),
        args: vec![],
        expect: expect.iter().map(std::string::ToString::to_string).collect(),
    }
}

fn cases() -> Vec<Case> {
    let s = |rows: &[String]| format!("{STUDENT_H}\n{}\n", rows.join("\n"));
    let bad_id_checksum = {
        let good = id("440106", "20060101", 7, true);
        let last = good.chars().last().unwrap();
        format!("{}{}", &good[..17], if last == '0' { '1' } else { '0' })
    };
    let practice_h = "teacher_no,school_code,credit_code,enterprise_name,start_date,end_date,days";
    let training_h = "project_code,school_code,year,name,category,start_date,end_date,hours,person_times,completed,certified,revenue";
    let designation_h =
        "designation_code,kind,level,school_code,subject,program_code,approved_year,status,accepted_year";
    let graduate_h = "student_no,id_type,id_number,name,gender,school_code,program_code,graduation_year,destination,employer_credit_code,employer_name,industry_code,in_field";
    let teacher_h = "teacher_no,id_type,id_number,name,gender,school_code,year,category,is_specialty,dual_qualified,dual_since,education,degree,title,hire_date,industry_years";
    let grad = |dest: &str, in_field: &str, industry: &str, credit: &str| {
        format!(
            "{graduate_h}\nG900,,{},李四,男,4401000001,700206,2020,{dest},{credit},,{industry},{in_field}\n",
            id("440113", "20020315", 9, true)
        )
    };
    let teacher = |dual: &str, since: &str| {
        format!(
            "{teacher_h}\nT9,,{},王五,女,4401000001,2020,专任教师,是,{dual},{since},本科,学士,中级,2010-09-01,2\n",
            id("440104", "19850101", 3, false)
        )
    };
    let mut v = vec![
        // §1 files
        Case { name: "encoding neither UTF-8 nor GBK", file: "student.csv", content: b"\xff\xfe\x80\x81\xff,a\n".to_vec(), args: vec![], expect: vec!["文件编码无法识别".into()] },
        case("empty file", "student.csv", String::new(), &["文件为空"]),
        case("no table can be told", "data.csv", "school_code,year\n4401000001,2021\n".into(), &["无法确定数据表"]),
        case("missing required column", "student.csv", STUDENT_H.replace("student_no,", "") + "\n", &[":1:学号: 缺少必填列“学号（student_no）”"]),
        case("unknown column", "student.csv", format!("{STUDENT_H},备注\n{},x\n", good_student("N1", 1)), &[":1:备注: 未知列“备注”"]),
        case("duplicated column", "student.csv", format!("{STUDENT_H},学号\n{},N1\n", good_student("N1", 1)), &[":1:学号: 列“学号”重复出现"]),
        case("unsupported format", "student.pdf", "x".into(), &["不支持的文件格式“pdf”"]),
        case("unreadable workbook", "student.xlsx", "not a zip".into(), &["无法读取文件"]),
        case("more cells than columns", "student.csv", s(&[format!("{},extra", good_student("N1", 1))]), &[":2: 本行有 18 个单元格"]),
        // §1 cells
        case("required value empty", "student.csv", s(&[student_row("N1", &id("440106", "20060101", 1, true), "男", "4401000001", "2021", "")]), &[":2:专业代码: 必填项为空"]),
        case("date not a date", "practice.csv", format!("{practice_h}\nT1,4401000001,91110000600037341L,某企业,2021-02-30,2021-03-10,5\n"), &[":2:开始日期: “2021-02-30”不是有效日期"]),
        case("year not a year", "offering.csv", "school_code,year,program_code\n4401000001,20x1,700206\n".into(), &[":2:统计年度: “20x1”不是有效年份"]),
        case("boolean not 是/否", "teacher.csv", teacher("maybe", ""), &[":2:是否“双师型”教师: “maybe”应为“是”或“否”"]),
        case("value not in code list", "student.csv", s(&[good_student("N1", 1).replace(",普通,", ",3+2,")]), &[":2:培养模式: “3+2”不在代码表中"]),
        case("integer not whole", "training.csv", format!("{training_h}\nP9,4401000001,2021,x,其他,2021-01-01,2021-02-01,8,12.5,1,,\n"), &[":2:培训人次: “12.5”不是非负整数"]),
        case("number not a number", "condition.csv", "school_code,year,land_area,building_area,equipment_value,books\n4401000001,2021,abc,1,1,1\n".into(), &[":2:占地面积（平方米）: “abc”不是数字"]),
        case("number negative", "condition.csv", "school_code,year,land_area,building_area,equipment_value,books\n4401000001,2021,1,-5,1,1\n".into(), &["“-5”不能为负数"]),
        case("hours not positive", "pd.csv", "teacher_no,school_code,course,level,hours,start_date,end_date\nT1,4401000001,x,市级,0,2021-01-01,2021-01-02\n".into(), &[":2:学时: “0”必须大于 0"]),
        // §3 identifiers
        case("school code not 10 digits", "student.csv", s(&[good_student("N1", 1).replace("4401000001", "44010001")]), &[":2:学校标识码: 学校标识码“44010001”应为 10 位数字"]),
        case("school not in registry", "student.csv", s(&[good_student("N1", 1).replace("4401000001", "4401999999")]), &["学校标识码“4401999999”不在学校名录中"]),
        case("ID malformed", "student.csv", s(&[student_row("N1", "12345", "男", "4401000001", "2021", "700206")]), &[":2:身份证件号: 身份证件号“12345”格式错误"]),
        case("ID check digit", "student.csv", s(&[student_row("N1", &bad_id_checksum, "男", "4401000001", "2021", "700206")]), &["身份证件号校验码错误"]),
        case("ID birth date", "student.csv", s(&[student_row("N1", &id("440106", "20061301", 1, true), "男", "4401000001", "2021", "700206")]), &["出生日期（第 7–14 位）无效"]),
        case("ID province", "student.csv", s(&[student_row("N1", &id("990106", "20060101", 1, true), "男", "4401000001", "2021", "700206")]), &["前 2 位不是有效的省级行政区划代码"]),
        case("other document too long", "student.csv", s(&[good_student("N1", 1).replacen(",,", ",护照,", 1).replace(&id("440106", "20060101", 1, true), &"E".repeat(40))]), &["证件号应为 1–32 个可打印字符"]),
        case("gender disagrees with ID", "student.csv", s(&[student_row("N1", &id("440106", "20060101", 1, true), "女", "4401000001", "2021", "700206")]), &[":2:性别: 性别与身份证件号第 17 位不符（号码表明为“男”）"]),
        case("credit code length", "practice.csv", format!("{practice_h}\nT1,4401000001,12345,某企业,2021-03-01,2021-03-10,5\n"), &["统一社会信用代码“12345”应为 18 位"]),
        case("credit code letters", "practice.csv", format!("{practice_h}\nT1,4401000001,9111000060003IOZSV,某企业,2021-03-01,2021-03-10,5\n"), &["含有不允许的字符"]),
        case("credit code check", "practice.csv", format!("{practice_h}\nT1,4401000001,91110000600037341N,某企业,2021-03-01,2021-03-10,5\n"), &["统一社会信用代码校验码错误：应为 L，实为 N"]),
        case("program code malformed", "student.csv", s(&[good_student("N1", 1).replace(",700206,", ",7002,")]), &["专业代码“7002”应为 6 位数字"]),
        case("program of another level", "student.csv", s(&[good_student("N1", 1).replace(",700206,", ",460702,")]), &["专业代码“460702”不在中职层次的专业目录中"]),
        case("division unknown", "student.csv", s(&[good_student("N1", 1).replace(",440106,否", ",449999,否")]), &[":2:生源地: “449999”不是有效的行政区划代码"]),
        case("district outside Guangzhou", "school.csv", "school_code,name,level,sponsor,district_code\n4401000009,深圳某校,中职,民办,440304\n".into(), &["“440304”不在本系统的区（县）名单中"]),
        case("industry unknown", "graduate.csv", grad("单位就业", "是", "ZZ", ""), &[":2:就业行业代码: “ZZ”不是国民经济行业分类"]),
        case("designation kind unknown", "designation.csv", format!("{designation_h}\nD99,市级优秀学校,市级,4401000001,,,2021,立项建设,\n"), &["“市级优秀学校”不是规划中的项目类型"]),
        // §4 table rules
        case("student number twice", "student.csv", s(&[good_student("N1", 1), good_student("N1", 2)]), &[":3:学号: 学校标识码+统计年度+学号 与第 2 行重复"]),
        case("same person twice in a school's year", "student.csv", s(&[good_student("N1", 1), good_student("N2", 1)]), &[":3:身份证件号: 身份证件号 与第 2 行重复"]),
        case("entry year after year", "student.csv", s(&[good_student("N1", 1).replace(",2021,普通", ",2022,普通")]), &[":2:入学年份: 2022 晚于“统计年度”（2021）"]),
        case("first year after year", "offering.csv", "school_code,year,program_code,first_year\n4401000001,2021,700206,2023\n".into(), &[":2:首次招生年份: 2023 晚于“统计年度”（2021）"]),
        case("in_field missing for employment", "graduate.csv", grad("单位就业", "", "C", ""), &[":2:是否对口就业: 毕业去向为单位就业、自主创业或灵活就业时必须填写"]),
        case("in_field given for further study", "graduate.csv", grad("升入高职专科", "是", "", ""), &[":2:是否对口就业: 毕业去向不是就业时应为空"]),
        case("dual_since missing", "teacher.csv", teacher("是", ""), &[":2:“双师型”认定日期: 是“双师型”教师时必须填写"]),
        case("end before start", "practice.csv", format!("{practice_h}\nT1,4401000001,91110000600037341L,某企业,2021-03-10,2021-03-01,5\n"), &[":2:结束日期: 结束日期早于开始日期"]),
        case("practice days beyond the period", "practice.csv", format!("{practice_h}\nT1,4401000001,91110000600037341L,某企业,2021-03-01,2021-03-10,11\n"), &[":2:实践天数: 实践天数应在 1 到 10"]),
        case("placements overlap in the file", "practice.csv", format!("{practice_h}\nT1,4401000001,91110000600037341L,某企业,2021-03-01,2021-03-10,5\nT1,4401000001,91110000600037341L,某企业,2021-03-05,2021-03-20,5\n"), &[":3:开始日期: 与第 2 行的实践时段（2021-03-01 至 2021-03-10）重叠"]),
        case("placement overlaps the records", "practice.csv", format!("{practice_h}\nT1,4401000001,91110000600037341L,某企业,2019-08-01,2019-09-10,5\n"), &["与已提交的实践时段（2019-07-01 至 2019-08-31）重叠"]),
        case("completed beyond person-times", "training.csv", format!("{training_h}\nP9,4401000001,2021,x,其他,2021-01-01,2021-02-01,8,10,11,,\n"), &[":2:结业人数: 不能大于“培训人次”"]),
        case("certified beyond completed", "training.csv", format!("{training_h}\nP9,4401000001,2021,x,其他,2021-01-01,2021-02-01,8,10,5,6,\n"), &[":2:获证人数: 不能大于“结业人数”"]),
        case("training outside its year", "training.csv", format!("{training_h}\nP9,4401000001,2021,x,其他,2022-01-01,2022-02-01,8,10,5,,\n"), &["培训时段未落在或跨越统计年度 2021"]),
        case("accepted without a year", "designation.csv", format!("{designation_h}\nD99,市级精品课程,市级,4401000001,,,2021,验收通过,\n"), &[":2:验收年份: 状态为验收通过时必须填写"]),
        case("accepted before approved", "designation.csv", format!("{designation_h}\nD99,市级精品课程,市级,4401000001,,,2021,验收通过,2020\n"), &["验收年份早于立项年份"]),
        // §5 cross-table
        case("program not offered", "student.csv", s(&[good_student("N1", 1).replace(",700206,", ",740201,")
            .replace("4401000001,2021", "4401000003,2021")]), &["专业“740201”在 2021 年未由本校开设"]),
        case("placement of an unknown teacher", "practice.csv", format!("{practice_h}\nT77,4401000001,91110000600037341L,某企业,2021-03-01,2021-03-10,5\n"), &[":2:工号: 工号“T77”不是本校教师"]),
        case("enrolled at two schools in the file", "student.csv", s(&[good_student("N1", 1), student_row("M1", &id("440106", "20060101", 1, true), "男", "4401000003", "2021", "700206")]),
            &[":2:身份证件号: 同一身份证件号同一年度在籍于两所学校（另见第 3 行", ":3:身份证件号: 同一身份证件号同一年度在籍于两所学校（另见第 2 行"]),
    ];
    // Data standard v1.1: certificates and curricula.
    let cert = |rows: &[String]| format!("{}\n{}\n", crate::credit::CERTIFICATE_H, rows.join("\n"));
    let cr = |no: &str, kind: &str, level: &str| {
        crate::credit::certificate_row(no, &crate::credit::person(1), kind, level, "4401000001")
    };
    let cur = |rows: &[&str]| format!("{}\n{}\n", crate::credit::CURRICULUM_H, rows.join("\n"));
    v.extend([
        case(
            "certificate without its level",
            "certificate.csv",
            cert(&[cr("X1", "1+X职业技能等级证书", "")]),
            &[":2:等级: 成果类型为证书、技能等级认定或竞赛获奖时必须填写"],
        ),
        case(
            "1+X certificate of a skill grade",
            "certificate.csv",
            cert(&[cr("X1", "1+X职业技能等级证书", "技师")]),
            &[":2:等级: “技师”不在代码表中；可选值：初级、中级、高级"],
        ),
        case(
            "competition with a certificate level",
            "certificate.csv",
            cert(&[cr("X1", "技能竞赛获奖", "初级")]),
            &[":2:等级: “初级”不在代码表中；可选值：国家级一等奖"],
        ),
        case(
            "training with a level",
            "certificate.csv",
            cert(&[cr("X1", "培训结业", "中级")]),
            &[":2:等级: 成果类型为培训结业或课程学分时应为空"],
        ),
        case(
            "certificate valid before issued",
            "certificate.csv",
            cert(&[cr("X1", "1+X职业技能等级证书", "初级").replace("2021-06-30,,", "2021-06-30,2021-01-01,")]),
            &[":2:有效期至: 早于“发证日期”"],
        ),
        case(
            "certificate number twice",
            "certificate.csv",
            cert(&[cr("X1", "1+X职业技能等级证书", "初级"), cr("X1", "1+X职业技能等级证书", "中级")]),
            &[":3:证书编号: 发证机构统一社会信用代码+证书编号 与第 2 行重复"],
        ),
        case(
            "certificate issuer code checked",
            "certificate.csv",
            cert(&[cr("X1", "1+X职业技能等级证书", "初级").replace(crate::credit::ISSUER, "91110000600037341N")]),
            &["统一社会信用代码校验码错误"],
        ),
        case(
            "course of a program not offered",
            "curriculum.csv",
            cur(&["4401000003,2021,740201,740201G01,语文,公共基础课,8,144,"]),
            &["专业“740201”在 2021 年未由本校开设"],
        ),
        case(
            "ideals hours beyond the course's",
            "curriculum.csv",
            cur(&["4401000001,2021,700206,700206G01,思想政治,公共基础课,2,16,20"]),
            &[":2:职业精神教育学时: 不能大于“学时”"],
        ),
        case(
            "course code twice in a program",
            "curriculum.csv",
            cur(&[
                "4401000001,2021,700206,C1,语文,公共基础课,8,144,",
                "4401000001,2021,700206,C1,数学,公共基础课,8,144,",
            ]),
            &[":3:课程代码: 学校标识码+统计年度+专业代码+课程代码 与第 2 行重复"],
        ),
        case(
            "course without credits",
            "curriculum.csv",
            cur(&["4401000001,2021,700206,C1,语文,公共基础课,0,144,"]),
            &[":2:学分: “0”必须大于 0"],
        ),
        case(
            "course type not in the list",
            "curriculum.csv",
            cur(&["4401000001,2021,700206,C1,语文,必修课,8,144,"]),
            &[":2:课程类型: “必修课”不在代码表中"],
        ),
    ]);
    // Enrolled elsewhere in the records: a 2021 student of school 1 in the fixture, now claimed by school 3.
    let taken = std::fs::read_to_string(fixture_dir().join("student.csv")).unwrap();
    let taken_id =
        taken.lines().find(|l| l.contains(",4401000001,2021,")).unwrap().split(',').nth(2).unwrap().to_string();
    let gender = taken.lines().find(|l| l.contains(&taken_id)).unwrap().split(',').nth(4).unwrap().to_string();
    v.push(case(
        "enrolled at another school in the records",
        "student.csv",
        s(&[student_row("M1", &taken_id, &gender, "4401000003", "2021", "700206")]),
        &["同一身份证件号同一年度在籍于两所学校（另见学校 4401000001 已提交的记录）"],
    ));
    // §2: every error is reported, up to a cap, with the count of the rest.
    let many: Vec<String> = (0..250).map(|i| good_student(&format!("N{i}"), i).replace(",普通,", ",?,")).collect();
    v.push(case(
        "errors beyond the cap are counted",
        "student.csv",
        s(&many),
        &["另有 50 处错误未列出", "共 250 处错误"],
    ));
    let mut en = case(
        "messages in English",
        "student.csv",
        s(&[student_row("N1", &id("440106", "20060101", 1, true), "男", "4401000001", "2021", "")]),
        &[":2:专业代码: required value is empty"],
    );
    en.args = vec!["--lang", "en"];
    v.push(en);
    v
}

#[test]
fn every_rule_refuses_a_violating_file_with_its_message_and_changes_nothing() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        let before = db.state();
        let mut failures = Vec::new();
        for c in cases() {
            let path = db.write_bytes(c.file, &c.content);
            let mut args = vec!["import", path.to_str().unwrap()];
            args.extend(c.args.iter());
            let out = db.vetis(&args);
            let err = stderr(&out);
            if out.status.success() {
                failures.push(format!("[{}] was accepted:\n{err}", c.name));
                continue;
            }
            if out.status.code() != Some(1) {
                failures.push(format!("[{}] exit status {:?}", c.name, out.status.code()));
            }
            for e in &c.expect {
                if !err.contains(e.as_str()) {
                    failures.push(format!("[{}] lacks «{e}» in:\n{err}", c.name));
                }
            }
            if err.contains("panicked") {
                failures.push(format!("[{}] panicked", c.name));
            }
            let after = db.state();
            if after != before {
                failures.push(format!("[{}] changed the database", c.name));
            }
        }
        assert!(failures.is_empty(), "{backend:?}:\n{}", failures.join("\n"));
    }
}

#[test]
fn plausibility_findings_warn_without_refusing() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    let training_h = "project_code,school_code,year,name,category,start_date,end_date,hours,person_times,completed,certified,revenue";
    let before = db.state();
    // School 5 trained 3 000 person-times in 2020: 1 000 in 2021 is a fall of more than half.
    let path = db.write(
        "training.csv",
        &format!("{training_h}\nP1,4401000005,2021,x,其他,2021-01-01,2021-02-01,8,1000,900,,\n"),
    );
    let out = db.vetis(&["import", "--dry-run", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("培训人次合计比上一年度下降超过一半（3000 → 1000）"), "{}", stderr(&out));
    // A program name that differs from the catalogue's is a warning too.
    let path =
        db.write("offering.csv", "school_code,year,program_code,program_name\n4401000001,2021,700206,汽车维修\n");
    let out = db.vetis(&["import", "--dry-run", path.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(stderr(&out).contains("专业名称“汽车维修”与目录名称“汽车运用与维修”不一致"), "{}", stderr(&out));
    // An ID whose area code did not exist in the birth year: a warning (the list is a secondary source).
    let student = format!(
        "{STUDENT_H}\n{}\n",
        student_row("N1", &id("440106", "19800101", 1, true), "男", "4401000001", "2021", "700206")
    );
    let path = db.write("student.csv", &student);
    let out = db.vetis(&["import", "--dry-run", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("地址码 440106 在出生年份 1980 不存在"), "{}", stderr(&out));
    assert_eq!(db.state(), before, "a dry run writes nothing");
}
