//! The data standard v1.6 (§4) as data: tables, columns, Chinese labels, requirement and type.
//!
//! The importer, the exports, the templates and the storage all read this one description, so a
//! column is defined once. Per-table rules that go beyond one cell live in `ingest::rules`.

mod codes;

pub use codes::*;

/// Whether a column must be filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Req {
    Required,
    Optional,
    /// Required or forbidden by a rule of the table (checked in `ingest::rules`).
    Conditional,
}

/// What a cell holds, and so how it is checked and stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Text,
    /// Integer ≥ 0.
    Count,
    /// Number ≥ 0, or > 0 when `positive`.
    Number {
        positive: bool,
    },
    Year,
    Date,
    Bool,
    Choice(&'static [Choice]),
    School,
    Program,
    IdNumber,
    Credit,
    /// Any 6-digit division code of China.
    Division,
    /// A Guangzhou district code (4401xx).
    District,
    /// GB/T 4754-2017 section letter or 2-digit division.
    Industry,
    /// A designation kind of the loaded plan.
    DesignationKind,
}

impl Kind {
    /// Stored as a number (INTEGER/BIGINT) rather than text.
    pub fn is_integer(self) -> bool {
        matches!(self, Kind::Count | Kind::Year | Kind::Bool)
    }
    pub fn is_real(self) -> bool {
        matches!(self, Kind::Number { .. })
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub key: &'static str,
    pub zh: &'static str,
    pub req: Req,
    pub kind: Kind,
}

const fn col(key: &'static str, zh: &'static str, req: Req, kind: Kind) -> Column {
    Column { key, zh, req, kind }
}

use Kind as K;
use Req::{Conditional as C, Optional as O, Required as R};

/// The tables of the data standard (§4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    School,
    Condition,
    Offering,
    Student,
    Graduate,
    Teacher,
    Practice,
    Pd,
    Training,
    Cooperation,
    Designation,
    Certificate,
    Curriculum,
    Member,
    Output,
    Transfer,
    TrainingSurvey,
    Finance,
    International,
    Survey,
}

/// How a submission of a table is keyed (§2): by school and statistical year, or row by natural key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keying {
    /// The rows of one school and year replace that school's previous rows of that year.
    SchoolYear { year_column: &'static str },
    /// Each row replaces the row with the same natural key.
    Natural { key: &'static [&'static str] },
}

pub struct TableSpec {
    pub table: Table,
    pub key: &'static str,
    pub zh: &'static str,
    pub columns: &'static [Column],
    pub keying: Keying,
    /// Columns that hold personal data (§6): stored as pseudonym + ciphertext + mask.
    pub personal: bool,
}

const PERSON: [Column; 4] = [
    col("id_type", "证件类型", O, K::Choice(ID_TYPES)),
    col("id_number", "身份证件号", R, K::IdNumber),
    col("name", "姓名", R, K::Text),
    col("gender", "性别", R, K::Choice(GENDERS)),
];

static SPECS: [TableSpec; 20] = [
    TableSpec {
        table: Table::School,
        key: "school",
        zh: "学校",
        keying: Keying::Natural { key: &["school_code"] },
        personal: false,
        columns: &[
            col("school_code", "学校标识码", R, K::School),
            col("name", "学校名称", R, K::Text),
            col("level", "办学层次", R, K::Choice(LEVELS)),
            col("sponsor", "举办者", R, K::Choice(SPONSORS)),
            col("district_code", "所在区", R, K::District),
            col("founded", "建校年份", O, K::Year),
        ],
    },
    TableSpec {
        table: Table::Condition,
        key: "condition",
        zh: "办学条件",
        keying: Keying::SchoolYear { year_column: "year" },
        personal: false,
        columns: &[
            col("school_code", "学校标识码", R, K::School),
            col("year", "统计年度", R, K::Year),
            col("land_area", "占地面积（平方米）", R, K::Number { positive: false }),
            col("building_area", "校舍建筑面积（平方米）", R, K::Number { positive: false }),
            col("equipment_value", "教学仪器设备值（万元）", R, K::Number { positive: false }),
            col("books", "纸质图书（册）", R, K::Count),
            col("workstations", "实训工位数", O, K::Count),
        ],
    },
    TableSpec {
        table: Table::Offering,
        key: "offering",
        zh: "专业设置",
        keying: Keying::SchoolYear { year_column: "year" },
        personal: false,
        columns: &[
            col("school_code", "学校标识码", R, K::School),
            col("year", "统计年度", R, K::Year),
            col("program_code", "专业代码", R, K::Program),
            col("program_name", "专业名称", O, K::Text),
            col("program_group", "所属专业群", O, K::Text),
            col("first_year", "首次招生年份", O, K::Year),
        ],
    },
    TableSpec {
        table: Table::Student,
        key: "student",
        zh: "在校生",
        keying: Keying::SchoolYear { year_column: "year" },
        personal: true,
        columns: &[
            col("student_no", "学号", R, K::Text),
            PERSON[0],
            PERSON[1],
            PERSON[2],
            PERSON[3],
            col("school_code", "学校标识码", R, K::School),
            col("year", "统计年度", R, K::Year),
            col("program_code", "专业代码", R, K::Program),
            col("study_mode", "学习形式", R, K::Choice(STUDY_MODES)),
            col("entry_year", "入学年份", R, K::Year),
            col("pathway", "培养模式", R, K::Choice(PATHWAYS)),
            col("status", "学籍状态", R, K::Choice(STUDENT_STATUSES)),
            col("prior_school_code", "前置学段学校标识码", O, K::School),
            col("origin_code", "生源地", O, K::Division),
            col("poverty", "建档立卡家庭", O, K::Bool),
            col("disability", "残疾学生", O, K::Bool),
            col("ethnicity", "民族", O, K::Text),
        ],
    },
    TableSpec {
        table: Table::Graduate,
        key: "graduate",
        zh: "毕业生去向",
        keying: Keying::SchoolYear { year_column: "graduation_year" },
        personal: true,
        columns: &[
            col("student_no", "学号", R, K::Text),
            PERSON[0],
            PERSON[1],
            PERSON[2],
            PERSON[3],
            col("school_code", "学校标识码", R, K::School),
            col("program_code", "专业代码", R, K::Program),
            col("graduation_year", "毕业年份", R, K::Year),
            col("destination", "毕业去向", R, K::Choice(DESTINATIONS)),
            col("employer_credit_code", "就业单位统一社会信用代码", O, K::Credit),
            col("employer_name", "就业单位名称", O, K::Text),
            col("industry_code", "就业行业代码", O, K::Industry),
            col("in_field", "是否对口就业", C, K::Bool),
        ],
    },
    TableSpec {
        table: Table::Teacher,
        key: "teacher",
        zh: "教师",
        keying: Keying::SchoolYear { year_column: "year" },
        personal: true,
        columns: &[
            col("teacher_no", "工号", R, K::Text),
            PERSON[0],
            PERSON[1],
            PERSON[2],
            PERSON[3],
            col("school_code", "学校标识码", R, K::School),
            col("year", "统计年度", R, K::Year),
            col("category", "教师类别", R, K::Choice(TEACHER_CATEGORIES)),
            col("is_specialty", "是否专业课教师", R, K::Bool),
            col("dual_qualified", "是否“双师型”教师", R, K::Bool),
            col("dual_since", "“双师型”认定日期", C, K::Date),
            col("education", "最高学历", R, K::Choice(EDUCATIONS)),
            col("degree", "最高学位", R, K::Choice(DEGREES)),
            col("title", "专业技术职务", O, K::Choice(TITLES)),
            col("hire_date", "入职日期", O, K::Date),
            col("industry_years", "企业工作年限", O, K::Number { positive: false }),
        ],
    },
    TableSpec {
        table: Table::Practice,
        key: "practice",
        zh: "教师企业实践",
        keying: Keying::Natural { key: &["school_code", "teacher_no", "start_date"] },
        personal: false,
        columns: &[
            col("teacher_no", "工号", R, K::Text),
            col("school_code", "学校标识码", R, K::School),
            col("credit_code", "实践企业统一社会信用代码", R, K::Credit),
            col("enterprise_name", "实践企业名称", R, K::Text),
            col("start_date", "开始日期", R, K::Date),
            col("end_date", "结束日期", R, K::Date),
            col("days", "实践天数", R, K::Count),
            col("form", "实践形式", O, K::Choice(PRACTICE_FORMS)),
            col("host_confirmed", "企业是否确认", O, K::Bool),
        ],
    },
    TableSpec {
        table: Table::Pd,
        key: "pd",
        zh: "教师培训",
        keying: Keying::Natural { key: &["school_code", "teacher_no", "course", "start_date"] },
        personal: false,
        columns: &[
            col("teacher_no", "工号", R, K::Text),
            col("school_code", "学校标识码", R, K::School),
            col("course", "培训项目名称", R, K::Text),
            col("level", "培训级别", R, K::Choice(PD_LEVELS)),
            col("hours", "学时", R, K::Number { positive: true }),
            col("start_date", "开始日期", R, K::Date),
            col("end_date", "结束日期", R, K::Date),
        ],
    },
    TableSpec {
        table: Table::Training,
        key: "training",
        zh: "社会培训项目",
        keying: Keying::SchoolYear { year_column: "year" },
        personal: false,
        columns: &[
            col("project_code", "项目编号", R, K::Text),
            col("school_code", "学校标识码", R, K::School),
            col("year", "统计年度", R, K::Year),
            col("name", "项目名称", R, K::Text),
            col("category", "培训类别", R, K::Choice(TRAINING_CATEGORIES)),
            col("start_date", "开始日期", R, K::Date),
            col("end_date", "结束日期", R, K::Date),
            col("hours", "学时", R, K::Number { positive: true }),
            col("person_times", "培训人次", R, K::Count),
            col("completed", "结业人数", R, K::Count),
            col("certified", "获证人数", O, K::Count),
            col("revenue", "培训收入（元）", O, K::Number { positive: false }),
        ],
    },
    TableSpec {
        table: Table::Cooperation,
        key: "cooperation",
        zh: "校企合作",
        keying: Keying::SchoolYear { year_column: "year" },
        personal: false,
        columns: &[
            col("school_code", "学校标识码", R, K::School),
            col("year", "统计年度", R, K::Year),
            col("credit_code", "合作企业统一社会信用代码", R, K::Credit),
            col("enterprise_name", "合作企业名称", R, K::Text),
            col("form", "合作形式", R, K::Choice(COOPERATION_FORMS)),
            col("program_code", "专业代码", O, K::Program),
            col("students", "参与学生数", O, K::Count),
            col("start_date", "开始日期", O, K::Date),
            col("end_date", "结束日期", O, K::Date),
        ],
    },
    TableSpec {
        table: Table::Designation,
        key: "designation",
        zh: "建设项目与认定",
        keying: Keying::Natural { key: &["designation_code"] },
        personal: false,
        columns: &[
            col("designation_code", "项目编号", R, K::Text),
            col("kind", "项目类型", R, K::DesignationKind),
            col("level", "级别", R, K::Choice(DESIGNATION_LEVELS)),
            col("school_code", "学校标识码", R, K::School),
            col("subject", "建设对象名称", O, K::Text),
            col("program_code", "专业代码", O, K::Program),
            col("approved_year", "立项年份", R, K::Year),
            col("status", "状态", R, K::Choice(DESIGNATION_STATUSES)),
            col("accepted_year", "验收年份", C, K::Year),
        ],
    },
    TableSpec {
        table: Table::Certificate,
        key: "certificate",
        zh: "证书与学习成果",
        // An outcome is identified by its issuer and its number; the learner's school is optional.
        keying: Keying::Natural { key: &["issuer_credit_code", "certificate_no"] },
        personal: true,
        columns: &[
            col("certificate_no", "证书编号", R, K::Text),
            PERSON[0],
            PERSON[1],
            PERSON[2],
            col("kind", "成果类型", R, K::Choice(CERTIFICATE_KINDS)),
            col("title", "证书（成果）名称", R, K::Text),
            col("level", "等级", C, K::Choice(CERTIFICATE_LEVELS)),
            col("issuer_name", "发证机构名称", R, K::Text),
            col("issuer_credit_code", "发证机构统一社会信用代码", R, K::Credit),
            col("issued_date", "发证日期", R, K::Date),
            col("valid_until", "有效期至", O, K::Date),
            col("school_code", "学校标识码", O, K::School),
            col("program_code", "专业代码", O, K::Program),
            col("hours", "学时", O, K::Number { positive: true }),
            col("credits", "学分", O, K::Number { positive: true }),
        ],
    },
    TableSpec {
        table: Table::Curriculum,
        key: "curriculum",
        zh: "专业课程",
        keying: Keying::SchoolYear { year_column: "year" },
        personal: false,
        columns: &[
            col("school_code", "学校标识码", R, K::School),
            col("year", "统计年度", R, K::Year),
            col("program_code", "专业代码", R, K::Program),
            col("course_code", "课程代码", R, K::Text),
            col("course_name", "课程名称", R, K::Text),
            col("course_type", "课程类型", R, K::Choice(COURSE_TYPES)),
            col("credits", "学分", R, K::Number { positive: true }),
            col("hours", "学时", R, K::Number { positive: true }),
            col("ideals_hours", "职业精神教育学时", O, K::Number { positive: false }),
        ],
    },
    TableSpec {
        table: Table::Member,
        key: "member",
        zh: "项目成员",
        // A teacher is a member of a studio or team once; a member may come from another school.
        keying: Keying::Natural { key: &["designation_code", "school_code", "teacher_no"] },
        personal: false,
        columns: &[
            col("designation_code", "项目编号", R, K::Text),
            col("school_code", "学校标识码", R, K::School),
            col("teacher_no", "工号", R, K::Text),
            col("role", "角色", R, K::Choice(MEMBER_ROLES)),
            col("joined_date", "加入日期", O, K::Date),
        ],
    },
    TableSpec {
        table: Table::Output,
        key: "output",
        zh: "项目成果",
        keying: Keying::SchoolYear { year_column: "year" },
        personal: false,
        columns: &[
            col("designation_code", "项目编号", R, K::Text),
            col("school_code", "学校标识码", R, K::School),
            col("year", "统计年度", R, K::Year),
            col("kind", "成果类型", R, K::Choice(OUTPUT_KINDS)),
            col("title", "成果名称", R, K::Text),
            col("achieved_date", "取得日期", O, K::Date),
            col("note", "说明", O, K::Text),
        ],
    },
    TableSpec {
        table: Table::Transfer,
        key: "transfer",
        zh: "转段考核",
        // A lower school submits an intake cohort's results whole: they replace its earlier ones.
        keying: Keying::SchoolYear { year_column: "intake_year" },
        personal: true,
        columns: &[
            PERSON[0],
            PERSON[1],
            PERSON[2],
            col("school_code", "学校标识码", R, K::School),
            col("agreement_code", "贯通培养协议编号", R, K::Text),
            col("intake_year", "入学年份", R, K::Year),
            col("score", "考核成绩", O, K::Number { positive: false }),
            col("exemption", "免考原因", O, K::Choice(TRANSFER_EXEMPTIONS)),
            col("result", "考核结果", R, K::Choice(TRANSFER_RESULTS)),
        ],
    },
    TableSpec {
        table: Table::TrainingSurvey,
        key: "training_survey",
        zh: "培训学员评价",
        // A school submits a year's answers whole (every project, both surveys); answers carry an
        // anonymous respondent number and no personal data.
        keying: Keying::SchoolYear { year_column: "year" },
        personal: false,
        columns: &[
            col("school_code", "学校标识码", R, K::School),
            col("year", "统计年度", R, K::Year),
            col("project_code", "项目编号", R, K::Text),
            col("survey", "问卷类型", R, K::Choice(SURVEY_KINDS)),
            col("respondent", "答卷编号", R, K::Text),
            col("response_date", "填写日期", R, K::Date),
            col("content", "培训内容实用", C, K::Count),
            col("teaching", "教学水平", C, K::Count),
            col("facilities", "场地设备", C, K::Count),
            col("overall", "总体满意度", C, K::Count),
            col("employed", "就业或在岗", C, K::Bool),
            col("certified", "取得证书或技能等级", C, K::Bool),
            col("promoted", "晋升或增加收入", C, K::Bool),
        ],
    },
    // v1.6 (the Quality reports issue): one row per school and year each.
    TableSpec {
        table: Table::Finance,
        key: "finance",
        zh: "办学经费",
        keying: Keying::SchoolYear { year_column: "year" },
        personal: false,
        columns: &[
            col("school_code", "学校标识码", R, K::School),
            col("year", "统计年度", R, K::Year),
            col("appropriation_total", "财政拨款总额（万元）", R, K::Number { positive: false }),
            col("per_student_standard", "生均拨款标准（元）", O, K::Number { positive: false }),
            col("staff_quota", "教职工编制数", O, K::Count),
            col("staff_on_quota", "在编教职工数", O, K::Count),
            col("part_time_hours", "企业兼职教师课时总量", R, K::Number { positive: false }),
            col("part_time_pay", "年支付企业兼职教师课酬（万元）", R, K::Number { positive: false }),
        ],
    },
    TableSpec {
        table: Table::International,
        key: "international",
        zh: "国际合作",
        keying: Keying::SchoolYear { year_column: "year" },
        personal: false,
        columns: &[
            col("school_code", "学校标识码", R, K::School),
            col("year", "统计年度", R, K::Year),
            col("foreign_students", "全日制国（境）外留学生数", R, K::Count),
            col("foreign_training_days", "非全日制国（境）外人员培训量（人日）", R, K::Count),
            col("student_abroad_days", "在校生国（境）外实习时间（人日）", R, K::Count),
            col("teacher_abroad_days", "专任教师赴国（境）外指导和培训时间（人日）", R, K::Count),
            col("teachers_in_foreign_orgs", "在国（境）外组织任职的专任教师数", R, K::Count),
            col("standards_adopted_abroad", "开发并被国（境）外采用的专业和课程标准数", R, K::Count),
            col("foreign_competition_awards", "国（境）外技能大赛获奖数", R, K::Count),
        ],
    },
    TableSpec {
        table: Table::Survey,
        key: "survey",
        zh: "满意度调查",
        keying: Keying::SchoolYear { year_column: "year" },
        personal: false,
        columns: &[
            col("school_code", "学校标识码", R, K::School),
            col("year", "统计年度", R, K::Year),
            col("respondent_group", "调查对象", R, K::Choice(RESPONDENT_GROUPS)),
            col("respondents", "调查人数", R, K::Count),
            col("satisfied", "满意人数", R, K::Count),
        ],
    },
];

impl Table {
    pub const ALL: [Table; 20] = [
        Table::School,
        Table::Condition,
        Table::Offering,
        Table::Student,
        Table::Graduate,
        Table::Teacher,
        Table::Practice,
        Table::Pd,
        Table::Training,
        Table::Cooperation,
        Table::Designation,
        Table::Certificate,
        Table::Curriculum,
        Table::Member,
        Table::Output,
        Table::Transfer,
        Table::TrainingSurvey,
        Table::Finance,
        Table::International,
        Table::Survey,
    ];

    pub fn spec(self) -> &'static TableSpec {
        &SPECS[self as usize]
    }
    pub fn key(self) -> &'static str {
        self.spec().key
    }
    pub fn zh(self) -> &'static str {
        self.spec().zh
    }

    /// By English key or Chinese name (`student`, `在校生`), case-insensitive.
    pub fn from_name(name: &str) -> Option<Table> {
        let n = name.trim();
        Table::ALL.into_iter().find(|t| {
            t.key().eq_ignore_ascii_case(n) || t.zh() == n || (*t == Table::Pd && n == "教师培训（继续教育）")
        })
    }

    /// The table named somewhere in a file name: `2024-student-4144010101.csv`, `在校生.xlsx`.
    pub fn from_file_name(stem: &str) -> Option<Table> {
        let lower = stem.to_lowercase();
        // Split on separators so that `pd` is not found inside another word.
        let parts: Vec<&str> = lower.split(['-', '_', ' ', '.']).collect();
        // A key of several words (`training_survey`) is a run of parts, and wins over its first
        // word's table (`training`); so does the longer Chinese name.
        let named = |t: Table| {
            let words: Vec<&str> = t.key().split('_').collect();
            parts.windows(words.len()).any(|w| w == words.as_slice()) || lower.contains(t.zh())
        };
        let mut tables = Table::ALL;
        tables.sort_by_key(|t| std::cmp::Reverse((t.key().split('_').count(), t.zh().chars().count())));
        tables.into_iter().find(|&t| named(t))
    }

    pub fn column(self, key: &str) -> Option<&'static Column> {
        self.spec().columns.iter().find(|c| c.key == key)
    }

    /// The table whose columns fit a header best, for files that name no table.
    pub fn from_header(header: &[String]) -> Option<Table> {
        let score = |t: Table| {
            let spec = t.spec();
            let known = header
                .iter()
                .filter(|h| spec.columns.iter().any(|c| c.key == h.as_str() || c.zh == h.as_str()))
                .count();
            let required = spec.columns.iter().filter(|c| c.req == Req::Required).count();
            let has_required = spec
                .columns
                .iter()
                .filter(|c| c.req == Req::Required)
                .filter(|c| header.iter().any(|h| h == c.key || h == c.zh))
                .count();
            (known == header.len() && has_required == required, known)
        };
        let best = Table::ALL.into_iter().filter(|t| score(*t).0).max_by_key(|t| score(*t).1)?;
        // Ambiguous headers (two tables fit equally well) name no table.
        let ties = Table::ALL.into_iter().filter(|t| score(*t).0 && score(*t).1 == score(best).1).count();
        (ties == 1).then_some(best)
    }

    /// The column that holds the statistical year, if the table has one.
    pub fn year_column(self) -> Option<&'static str> {
        match self.spec().keying {
            Keying::SchoolYear { year_column } => Some(year_column),
            Keying::Natural { .. } => None,
        }
    }
}

/// Looks a code-list value up by Chinese label or English key (case-insensitive).
pub fn find_choice(list: &'static [Choice], raw: &str) -> Option<&'static Choice> {
    let v = raw.trim();
    list.iter().find(|c| c.zh == v || c.key.eq_ignore_ascii_case(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_found_by_key_chinese_name_and_file_name() {
        assert_eq!(Table::from_name("在校生"), Some(Table::Student));
        assert_eq!(Table::from_name("STUDENT"), Some(Table::Student));
        assert_eq!(Table::from_file_name("2024-student-4144010101"), Some(Table::Student));
        assert_eq!(Table::from_file_name("在校生"), Some(Table::Student));
        assert_eq!(Table::from_file_name("update"), None);
        assert_eq!(Table::from_file_name("training_survey"), Some(Table::TrainingSurvey));
        assert_eq!(Table::from_file_name("2025-training-4401000001"), Some(Table::Training));
    }

    #[test]
    fn the_specs_are_in_the_order_of_the_enum() {
        for t in Table::ALL {
            assert_eq!(t.spec().table, t);
        }
    }

    #[test]
    fn a_header_names_its_table_when_it_fits_one_table() {
        let h: Vec<String> =
            ["teacher_no", "school_code", "credit_code", "enterprise_name", "start_date", "end_date", "days"]
                .iter()
                .map(std::string::ToString::to_string)
                .collect();
        assert_eq!(Table::from_header(&h), Some(Table::Practice));
    }
}
