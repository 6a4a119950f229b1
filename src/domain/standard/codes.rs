//! The data standard's code lists (§4): each value's English key and Chinese label, as schools
//! write them in their files and as the store keeps them.

/// One value of a code list: the English key and the Chinese label a spreadsheet shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub key: &'static str,
    pub zh: &'static str,
}

impl Choice {
    /// The English label: the key in words (`full_time` → `full time`).
    pub fn en(&self) -> String {
        self.key.replace('_', " ")
    }
    /// The label in a language.
    pub fn label(&self, lang: crate::messages::Lang) -> String {
        if lang == crate::messages::Lang::Zh { self.zh.to_string() } else { self.en() }
    }
}

/// A stored key's label in a language (the key itself when the list lacks it).
pub fn label_of(list: &'static [Choice], key: &str, lang: crate::messages::Lang) -> String {
    list.iter().find(|c| c.key == key).map_or_else(|| key.to_string(), |c| c.label(lang))
}

const fn c(key: &'static str, zh: &'static str) -> Choice {
    Choice { key, zh }
}

pub const LEVELS: &[Choice] = &[c("secondary", "中职"), c("higher", "高职"), c("bachelor", "职业本科")];
pub const SPONSORS: &[Choice] =
    &[c("municipal", "市属"), c("district", "区属"), c("private", "民办"), c("provincial", "省属"), c("other", "其他")];
pub const GENDERS: &[Choice] = &[c("male", "男"), c("female", "女")];
pub const ID_TYPES: &[Choice] = &[
    c("resident_id", "居民身份证"),
    c("residence_permit", "港澳台居民居住证"),
    c("passport", "护照"),
    c("other", "其他"),
];
pub const STUDY_MODES: &[Choice] = &[c("full_time", "全日制"), c("part_time", "非全日制")];
pub const PATHWAYS: &[Choice] = &[
    c("regular", "普通"),
    c("three_plus_two", "三二分段"),
    c("five_year", "五年一贯制"),
    c("through", "中高本贯通"),
    c("apprenticeship", "现代学徒制"),
];
/// Pathways that run under an agreement of the register (the Pathways and funding issue).
pub const AGREEMENT_PATHWAYS: &[&str] = &["three_plus_two", "five_year", "through"];
/// v1.4: why a student was exempt from the transfer assessment.
pub const TRANSFER_EXEMPTIONS: &[Choice] = &[c("competition", "技能竞赛获奖"), c("other", "其他")];
/// v1.4: the transfer assessment's result.
pub const TRANSFER_RESULTS: &[Choice] = &[c("passed", "通过"), c("failed", "未通过"), c("withdrawn", "放弃")];
pub const STUDENT_STATUSES: &[Choice] = &[c("enrolled", "在籍"), c("suspended", "休学")];
pub const DESTINATIONS: &[Choice] = &[
    c("study_higher", "升入高职专科"),
    c("study_bachelor", "升入本科"),
    c("employed", "单位就业"),
    c("self_employed", "自主创业"),
    c("flexible", "灵活就业"),
    c("military", "参军入伍"),
    c("abroad", "出国出境"),
    c("unemployed", "待就业"),
    c("other", "其他"),
];
/// Destinations that count as employment and so need `in_field`.
pub const EMPLOYED_DESTINATIONS: &[&str] = &["employed", "self_employed", "flexible"];
pub const TEACHER_CATEGORIES: &[Choice] = &[
    c("full_time", "专任教师"),
    c("part_time", "兼职教师"),
    c("external", "外聘教师"),
    c("admin_teaching", "行政兼课"),
];
pub const EDUCATIONS: &[Choice] =
    &[c("postgraduate", "研究生"), c("undergraduate", "本科"), c("associate", "专科"), c("other", "其他")];
pub const DEGREES: &[Choice] = &[c("doctor", "博士"), c("master", "硕士"), c("bachelor", "学士"), c("none", "无")];
pub const TITLES: &[Choice] = &[
    c("senior", "正高级"),
    c("associate_senior", "副高级"),
    c("intermediate", "中级"),
    c("junior", "初级"),
    c("unrated", "未评"),
];
/// The forms of enterprise practice in the 2016 《职业学校教师企业实践规定》 (data standard v1.2).
pub const PRACTICE_FORMS: &[Choice] = &[
    c("observation", "考察观摩"),
    c("skills_training", "企业技能培训"),
    c("post", "兼职或任职"),
    c("development", "产品研发和技术创新"),
];
pub const PD_LEVELS: &[Choice] = &[
    c("national", "国家级"),
    c("provincial", "省级"),
    c("municipal", "市级"),
    c("school", "校级"),
    c("enterprise", "企业"),
];
pub const TRAINING_CATEGORIES: &[Choice] = &[
    c("guangdong_technician", "广东技工"),
    c("cantonese_chef", "粤菜师傅"),
    c("south_guangdong_housekeeping", "南粤家政"),
    c("veterans", "退役军人"),
    c("migrant_workers", "农民工"),
    c("college_graduates", "高校毕业生"),
    c("disabled", "残疾人"),
    c("employees", "企业职工"),
    c("one_plus_x", "1+X证书"),
    c("community", "社区教育"),
    c("elderly", "老年教育"),
    c("other", "其他"),
];
/// v1.5: the two surveys of a training project (keys of `domain::integrity::ratings::SurveyKind`).
pub const SURVEY_KINDS: &[Choice] = &[c("completion", "结业评价"), c("outcome", "跟踪调查")];
/// v1.6: who a satisfaction survey asked (quality reports).
pub const RESPONDENT_GROUPS: &[Choice] =
    &[c("students", "在校生"), c("graduates", "毕业生"), c("employers", "用人单位"), c("parents", "家长")];
pub const COOPERATION_FORMS: &[Choice] = &[
    c("order_class", "订单培养班"),
    c("apprenticeship", "现代学徒制"),
    c("industry_college", "产业学院"),
    c("training_base", "共建实训基地"),
    c("vet_group", "职业教育集团"),
    c("teacher_station", "教师企业工作站"),
    c("tech_service", "技术服务"),
    c("other", "其他"),
];
pub const DESIGNATION_LEVELS: &[Choice] =
    &[c("national", "国家级"), c("provincial", "省级"), c("municipal", "市级"), c("district", "区级")];
pub const DESIGNATION_STATUSES: &[Choice] =
    &[c("in_progress", "立项建设"), c("accepted", "验收通过"), c("revoked", "撤销")];

pub const CERTIFICATE_KINDS: &[Choice] = &[
    c("x_certificate", "1+X职业技能等级证书"),
    c("vocational_qualification", "职业资格证书"),
    c("skill_level", "职业技能等级认定"),
    c("competition", "技能竞赛获奖"),
    c("training", "培训结业"),
    c("course", "课程学分"),
];
/// The levels of certificates (1+X: 初级 to 高级; skill levels up to 高级技师) and the grades of
/// competition awards, in one code list: which apply depends on the kind (`ingest::rules`).
pub const CERTIFICATE_LEVELS: &[Choice] = &[
    c("elementary", "初级"),
    c("intermediate", "中级"),
    c("advanced", "高级"),
    c("technician", "技师"),
    c("senior_technician", "高级技师"),
    c("national_first", "国家级一等奖"),
    c("national_second", "国家级二等奖"),
    c("national_third", "国家级三等奖"),
    c("provincial_first", "省级一等奖"),
    c("provincial_second", "省级二等奖"),
    c("provincial_third", "省级三等奖"),
    c("municipal_first", "市级一等奖"),
    c("municipal_second", "市级二等奖"),
    c("municipal_third", "市级三等奖"),
];
/// Certificate kinds whose level is a certificate level; the competition's is an award grade.
pub const LEVELLED_KINDS: &[&str] = &["x_certificate", "vocational_qualification", "skill_level"];
/// Levels that certificates of the levelled kinds may have (1+X ones: the first three).
pub const CERTIFICATE_GRADES: &[&str] = &["elementary", "intermediate", "advanced", "technician", "senior_technician"];
pub const COURSE_TYPES: &[Choice] = &[
    c("general", "公共基础课"),
    c("foundation", "专业基础课"),
    c("core", "专业核心课"),
    c("elective", "专业拓展课"),
    c("practicum", "实习实训"),
];

/// A member's role in a studio or team (data standard v1.3).
pub const MEMBER_ROLES: &[Choice] = &[c("host", "主持人"), c("core", "核心成员"), c("member", "成员")];
/// What a designation produced (data standard v1.3).
pub const OUTPUT_KINDS: &[Choice] = &[
    c("textbook", "教材"),
    c("course", "课程"),
    c("paper", "论文"),
    c("patent", "专利"),
    c("award", "获奖"),
    c("service", "技术服务"),
    c("training", "培训"),
    c("other", "其他"),
];
