//! How each problem an import finds is said to a person, in zh-CN and in English: what is wrong
//! and how to fix it. The problems themselves are in `finding`.

use super::finding::{Lang, Problem};

impl Problem {
    /// The problem in the reader's language: what is wrong and how to fix it.
    pub fn message(&self, lang: Lang) -> String {
        use Problem::*;
        let zh = lang == Lang::Zh;
        macro_rules! t {
            ($z:expr, $e:expr) => {
                if zh { format!($z) } else { format!($e) }
            };
        }
        match self {
            FileUnreadable { reason } => t!("无法读取文件（{reason}）", "cannot read the file ({reason})"),
            UnsupportedFormat { extension } => t!(
                "不支持的文件格式“{extension}”：请另存为 CSV（UTF-8）或 XLSX",
                "unsupported file format '{extension}': save it as CSV (UTF-8) or XLSX"
            ),
            Encoding => t!(
                "文件编码无法识别（既不是 UTF-8 也不是 GBK/GB18030）：请在 Excel 中另存为“CSV UTF-8”",
                "the file's encoding is neither UTF-8 nor GBK/GB18030: save it from Excel as 'CSV UTF-8'"
            ),
            FileChanged => t!(
                "文件在导入过程中被修改：什么都没有写入，请在文件保存完毕后重新导入",
                "the file changed while it was being imported: nothing was written; import it again once it is saved"
            ),
            CheckStorage { reason } => t!(
                "检查文件时无法读回临时文件（{reason}）：什么都没有写入，请确认服务器临时目录（TMPDIR）有足够空间后重新导入",
                "the check could not read back its temporary files ({reason}): nothing was written; make room in the server's temporary directory (TMPDIR) and import again"
            ),
            EmptyFile => t!("文件为空：第 1 行应为表头", "the file is empty: row 1 must be the header"),
            YearLocked { year } => t!(
                "{year} 年度数据已锁定：请联系教育局管理员说明理由后解锁，再重新提交",
                "the year {year} is locked: ask the bureau's administrator to unlock it (with a reason), then submit again"
            ),
            NoTable => t!(
                "无法确定数据表：请用 --table 指定，或把表名写进文件名（如 student.csv、在校生.xlsx）",
                "cannot tell which table this is: give --table, or name the file after it (student.csv, 在校生.xlsx)"
            ),
            UnknownTable { name } => t!("未知的数据表“{name}”", "unknown table '{name}'"),
            MissingColumn { column } => t!(
                "缺少必填列“{column}”：请在表头添加该列",
                "required column '{column}' is missing: add it to the header"
            ),
            UnknownColumn { column } => t!(
                "未知列“{column}”：请删除该列或改为数据标准中的列名",
                "unknown column '{column}': remove it or rename it to a column of the data standard"
            ),
            DuplicateColumn { column } => {
                t!("列“{column}”重复出现：请只保留一列", "column '{column}' appears twice: keep one")
            }
            MalformedCsv { reason } => t!("CSV 格式错误（{reason}）", "malformed CSV ({reason})"),
            CellTooLong { column, found, limit } => t!(
                "“{column}”列的单元格有 {found} 个字符，超过上限 {limit}：请删减内容（上限由 VETIS_MAX_CELL_CHARS 设定）",
                "the cell in column '{column}' has {found} characters, more than the limit of {limit}: shorten it (VETIS_MAX_CELL_CHARS sets the limit)"
            ),
            TooManyColumns { found, limit } => t!(
                "列数超过上限 {limit}（{found}）：请删除多余的列，只保留数据标准中的列（上限由 VETIS_MAX_COLUMNS 设定）",
                "more columns than the limit of {limit} ({found}): delete the extra columns and keep those of the data standard (VETIS_MAX_COLUMNS sets the limit)"
            ),
            TooManyRows { limit } => t!(
                "数据行超过上限 {limit} 行：请按学校或年度拆分为多个文件（上限由 VETIS_MAX_ROWS 设定）",
                "more data rows than the limit of {limit}: split the file by school or year (VETIS_MAX_ROWS sets the limit)"
            ),
            WorkbookTooLarge { entry, reason } => t!(
                "工作簿的组成部分“{entry}”解压后过大（{reason}）：请按学校或年度拆分文件，或另存为 CSV",
                "the workbook's part '{entry}' inflates too far ({reason}): split the file by school or year, or save it as CSV"
            ),
            TooManyCells { expected, found } => t!(
                "本行有 {found} 个单元格，而表头只有 {expected} 列",
                "this row has {found} cells but the header has {expected} columns"
            ),
            Required => t!("必填项为空", "required value is empty"),
            NotInteger { value } => t!("“{value}”不是非负整数", "'{value}' is not a whole number ≥ 0"),
            NotNumber { value } => t!("“{value}”不是数字", "'{value}' is not a number"),
            Negative { value } => t!("“{value}”不能为负数", "'{value}' must not be negative"),
            NotPositive { value } => t!("“{value}”必须大于 0", "'{value}' must be greater than 0"),
            NotYear { value } => t!("“{value}”不是有效年份（YYYY）", "'{value}' is not a year (YYYY)"),
            NotDate { value } => t!("“{value}”不是有效日期（YYYY-MM-DD）", "'{value}' is not a date (YYYY-MM-DD)"),
            NotBool { value } => t!("“{value}”应为“是”或“否”", "'{value}' must be 是/否 (yes/no)"),
            NotInList { value, allowed } => {
                t!("“{value}”不在代码表中；可选值：{allowed}", "'{value}' is not in the code list; allowed: {allowed}")
            }
            SchoolCodeFormat { value } => {
                t!("学校标识码“{value}”应为 10 位数字", "school code '{value}' must be 10 digits")
            }
            SchoolUnknown { value } => t!(
                "学校标识码“{value}”不在学校名录中：请先由教育局导入该校的 school 记录",
                "school code '{value}' is not in the school registry: the bureau must import the school first"
            ),
            ProgramFormat { value } => t!(
                "专业代码“{value}”应为 6 位数字（可带 K 后缀）",
                "program code '{value}' must be 6 digits (optionally with K)"
            ),
            ProgramNotInCatalog { value, level } => t!(
                "专业代码“{value}”不在{level}层次的专业目录中",
                "program code '{value}' is not in the catalogue for level {level}"
            ),
            ProgramNameMismatch { value, expected } => t!(
                "专业名称“{value}”与目录名称“{expected}”不一致",
                "program name '{value}' differs from the catalogue's '{expected}'"
            ),
            IdFormat { value } => t!(
                "身份证件号“{value}”格式错误：应为 17 位数字加 1 位校验码（数字或 X）",
                "ID number '{value}' is malformed: 17 digits and a check character (digit or X)"
            ),
            IdChecksum { expected, found } => t!(
                "身份证件号校验码错误：应为 {expected}，实为 {found}（请核对号码）",
                "ID number check character is {found} but should be {expected}: check the number"
            ),
            IdBirthDate => t!(
                "身份证件号中的出生日期（第 7–14 位）无效",
                "the birth date in the ID number (digits 7–14) is not valid"
            ),
            IdProvince => t!(
                "身份证件号前 2 位不是有效的省级行政区划代码",
                "the first two digits of the ID number are not a province"
            ),
            IdRegionHistory { code, year } => t!(
                "身份证件号地址码 {code} 在出生年份 {year} 不存在（历史区划代码表），请核对",
                "area code {code} of the ID number did not exist in the birth year {year} (historical division list): please check"
            ),
            IdOtherFormat => {
                t!("证件号应为 1–32 个可打印字符", "the document number must be 1–32 printable characters")
            }
            CreditLength { value } => {
                t!("统一社会信用代码“{value}”应为 18 位", "credit code '{value}' must have 18 characters")
            }
            CreditFormat { value } => t!(
                "统一社会信用代码“{value}”含有不允许的字符（不得含 I、O、Z、S、V，第 3–8 位为数字）",
                "credit code '{value}' has characters not allowed (no I, O, Z, S, V; positions 3–8 are digits)"
            ),
            CreditChecksum { expected, found } => t!(
                "统一社会信用代码校验码错误：应为 {expected}，实为 {found}",
                "credit code check character is {found} but should be {expected}"
            ),
            DivisionUnknown { value } => {
                t!("“{value}”不是有效的行政区划代码（6 位）", "'{value}' is not a valid 6-digit division code")
            }
            NotGuangzhouDistrict { value } => {
                t!(
                    "“{value}”不在本系统的区（县）名单中（广州市的区为 4401xx）",
                    "'{value}' is not in this installation's district list (Guangzhou's are 4401xx)"
                )
            }
            IndustryUnknown { value } => t!(
                "“{value}”不是国民经济行业分类（GB/T 4754-2017）的门类字母或两位大类代码",
                "'{value}' is not a GB/T 4754-2017 section letter or 2-digit division"
            ),
            DesignationKindUnknown { value } => t!(
                "“{value}”不是规划中的项目类型：请使用规划文件列出的类型名称",
                "'{value}' is not a designation kind of the plan: use a kind named in the plan file"
            ),
            GenderMismatch { id_gender } => t!(
                "性别与身份证件号第 17 位不符（号码表明为“{id_gender}”）",
                "gender disagrees with digit 17 of the ID number (which says '{id_gender}')"
            ),
            Duplicate { key, first_row } => t!("{key} 与第 {first_row} 行重复", "{key} repeats row {first_row}"),
            YearAfter { value, limit_column, limit } => {
                t!("{value} 晚于“{limit_column}”（{limit}）", "{value} is after '{limit_column}' ({limit})")
            }
            ConditionalRequired { when } => t!("{when}时必须填写", "required when {when}"),
            ConditionalForbidden { when } => t!("{when}时应为空", "must be empty when {when}"),
            EndBeforeStart => t!("结束日期早于开始日期", "the end date is before the start date"),
            DaysOutOfRange { max } => t!(
                "实践天数应在 1 到 {max}（起止日期间的天数）之间",
                "days must be between 1 and {max} (the days from start to end)"
            ),
            Overlap { other_row, start, end } => match other_row {
                Some(r) => t!(
                    "与第 {r} 行的实践时段（{start} 至 {end}）重叠",
                    "overlaps the placement of row {r} ({start} to {end})"
                ),
                None => t!(
                    "与已提交的实践时段（{start} 至 {end}）重叠",
                    "overlaps a placement already on record ({start} to {end})"
                ),
            },
            ExceedsColumn { other } => t!("不能大于“{other}”", "must not exceed '{other}'"),
            OutsideYear { year } => t!(
                "培训时段未落在或跨越统计年度 {year}",
                "the training period neither falls in nor spans the year {year}"
            ),
            AcceptedBeforeApproved => t!("验收年份早于立项年份", "the acceptance year is before the approval year"),
            ProgramNotOffered { value, year } => t!(
                "专业“{value}”在 {year} 年未由本校开设：请先提交该年度的专业设置（offering）",
                "program '{value}' is not offered by this school in {year}: submit the offering table first"
            ),
            TeacherUnknown { value } => t!(
                "工号“{value}”不是本校教师：请先提交教师（teacher）记录",
                "teacher '{value}' is not a teacher of this school: submit the teacher table first"
            ),
            EnrolledTwice { other_row, other_school } => {
                let other = match (other_row, other_school, zh) {
                    (Some(r), _, true) => format!("第 {r} 行"),
                    (Some(r), _, false) => format!("row {r}"),
                    (None, Some(s), true) => format!("学校 {s} 已提交的记录"),
                    (None, Some(s), false) => format!("the records of school {s}"),
                    (None, None, _) => String::new(),
                };
                t!(
                    "同一身份证件号同一年度在籍于两所学校（另见{other}）",
                    "the same ID number is enrolled at two schools in one year (see also {other})"
                )
            }
            YearOnYear { previous, current } => t!(
                "与上一年度相比变化超过 50%（{previous} → {current}），请核实",
                "changed by more than 50 % on the previous year ({previous} → {current}): please check"
            ),
            PersonTimesFell { previous, current } => t!(
                "培训人次合计比上一年度下降超过一半（{previous} → {current}），请核实",
                "training person-times fell by more than half on the previous year ({previous} → {current}): please check"
            ),
            TooManyErrors { more } => {
                t!("另有 {more} 处错误未列出", "{more} more errors not shown")
            }
            SchoolNotAllowed { value } => {
                t!("无权为学校“{value}”提交数据", "you may not submit data for school '{value}'")
            }
            DateBefore { limit_column } => {
                t!("早于“{limit_column}”", "is before '{limit_column}'")
            }
            CertificateHeldByOther => t!(
                "该发证机构的这一证书编号已登记在另一学习者名下：请核对证书编号，或请教育局更正已有记录",
                "this issuer's certificate number is already on record for another learner: check the number, or ask the bureau to correct the record"
            ),
            DesignationUnknown { value } => t!(
                "项目编号“{value}”不在已通过的建设项目与认定（designation）中：请先报送该项目",
                "designation '{value}' is not among the approved designations: submit the designation first"
            ),
            PathwayNoAgreement { pathway, program, entry_year } => t!(
                "培养模式为“{pathway}”，但贯通培养协议名册中没有本校专业 {program} {entry_year} 年入学适用的协议：请核对培养模式，或请教育局先登记协议（vetis pathway agreements load）",
                "the pathway is {pathway}, but the agreements register has no agreement for this school's program {program} and intake {entry_year}: check the pathway, or ask the bureau to register the agreement (vetis pathway agreements load)"
            ),
            AgreementUnknown { value } => t!(
                "协议编号“{value}”不在贯通培养协议名册中：请核对编号（vetis pathway agreements list）",
                "agreement '{value}' is not in the agreements register: check the code (vetis pathway agreements list)"
            ),
            AgreementOtherSchool { value, lower_school } => t!(
                "协议“{value}”的中职（前段）学校是 {lower_school}：转段考核结果由前段学校报送",
                "agreement '{value}' has {lower_school} as its lower school: the transfer results are submitted by the lower school"
            ),
            AgreementIntakeOutside { value, first, last } => t!(
                "协议“{value}”只适用于 {first}—{last} 年入学：请核对入学年份",
                "agreement '{value}' covers intakes {first}–{last} only: check the intake year"
            ),
            TransferNoScheme { year } => t!(
                "没有适用于 {year} 年入学的转段考核方案：请教育局载入方案（vetis pathway scheme load）",
                "no transfer assessment scheme applies to the {year} intake: ask the bureau to load one (vetis pathway scheme load)"
            ),
            TransferScoreAboveMax { max } => t!("成绩超过满分 {max}", "the score is above the maximum of {max}"),
            TransferExemptionNotAccepted { accepted } => t!(
                "考核方案不接受此免考原因（接受：{accepted}）",
                "the scheme does not accept this exemption (it accepts: {accepted})"
            ),
            TransferPassBelowThreshold { threshold } => t!(
                "结果为“通过”，但成绩低于 {threshold} 分且无免考：请核对成绩或结果",
                "the result is passed, but the score is below {threshold} and there is no exemption: check the score or the result"
            ),
            TransferFailAboveThreshold { threshold } => t!(
                "成绩达到 {threshold} 分，结果却为“未通过”：如属高职另设条件请忽略，否则请核对",
                "the score reaches {threshold} but the result is failed: ignore this if the upper school set further conditions, otherwise check"
            ),
            TransferNotInCohort { value, year } => t!(
                "此人不在协议“{value}” {year} 年入学的在校生中：请核对身份证件号，或先报送在校生",
                "this person is not among agreement '{value}''s students of the {year} intake: check the ID number, or submit the students first"
            ),
            TrainingProjectUnknown { value, year } => t!(
                "项目编号“{value}”不在本校 {year} 年度已通过的社会培训项目（training 表）中：请先报送培训项目，或核对编号",
                "project '{value}' is not among this school's approved training projects of {year} (the training table): submit the project first, or check the code"
            ),
            ScoreOutOfRange { value } => {
                t!("评分 {value} 不在 1—5 分之间", "the score {value} is not between 1 and 5")
            }
            SurveyTooEarly { end, days } => t!(
                "跟踪调查应在项目结束（{end}）{days} 天后填写：请核对填写日期或问卷类型",
                "an outcome survey is answered at least {days} days after the project ends ({end}): check the date or the survey"
            ),
            SurveyMoreThanCompleted { completed } => t!(
                "该项目此类问卷的答卷数超过结业人数 {completed}：请核对答卷或 training 表的结业人数",
                "more answers to this project's survey than the {completed} trainees who completed it: check the answers or the training table's completed count"
            ),
            DualClaimUnrecognised { date } => t!(
                "填报为“双师型”教师，但认定名册中没有在 {date}（统计时点）有效的认定：请核对，或先经认定（vetis dual apply）",
                "claimed as dual-qualified, but the register has no recognition in force on {date} (the statistical date): check the claim, or apply for recognition first (vetis dual apply)"
            ),
        }
    }
}
