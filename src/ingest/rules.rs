//! The rules of each table beyond one cell (data standard §3–§5) within a row: conditional
//! columns, dates in order, ID agreeing with gender. The rules across the rows of a file are in
//! `file_rules`.

use super::cells::parse_date;
use crate::domain::ids::{IdNumber, IdProblem};
use crate::domain::record::CheckedRow;
use crate::domain::reference::Reference;
use crate::domain::standard::{
    CERTIFICATE_GRADES, CERTIFICATE_LEVELS, EMPLOYED_DESTINATIONS, LEVELLED_KINDS, Table, find_choice,
};
use crate::messages::{Problem, Severity};

type RowProblem = (&'static str, Problem, Severity);

fn err(col: &'static str, p: Problem) -> RowProblem {
    (col, p, Severity::Error)
}

/// Rules within one row. Cells that failed their own check are Null here and are not judged again.
pub fn row_rules(table: Table, row: &CheckedRow, reference: &Reference) -> Vec<RowProblem> {
    let mut out = Vec::new();
    let t = |k| row.text(table, k);
    let i = |k| row.int(table, k);
    let school = t("school_code").and_then(|s| reference.schools.get(s).map(|info| (s, info)));
    if table != Table::School
        && let Some(code) = t("school_code")
        && !reference.schools.contains_key(code)
    {
        out.push(err("school_code", Problem::SchoolUnknown { value: code.into() }));
    }
    if table.spec().personal {
        person(row, table, reference, &mut out);
    }
    // The program must be in the catalogue for the school's level (§3).
    if let (Some(code), Some((_, info))) = (t("program_code"), school) {
        match reference.programs.get(&(info.level.clone(), code.to_string())) {
            None => out.push(err(
                "program_code",
                Problem::ProgramNotInCatalog { value: code.into(), level: level_zh(&info.level) },
            )),
            Some(name) => {
                if let Some(given) = t("program_name")
                    && given != name
                {
                    out.push((
                        "program_name",
                        Problem::ProgramNameMismatch { value: given.into(), expected: name.clone() },
                        Severity::Warning,
                    ));
                }
            }
        }
    }
    // An outcome with no school names a program of any level's catalogue.
    if table == Table::Certificate
        && school.is_none()
        && t("school_code").is_none()
        && let Some(code) = t("program_code")
        && !reference.programs.keys().any(|(_, c)| c == code)
    {
        out.push(err("program_code", Problem::ProgramNotInCatalog { value: code.into(), level: "任一层次".into() }));
    }
    // §5: students', graduates', cooperations' and curricula's programs are offered by the school that year.
    let offer_year = match table {
        Table::Student | Table::Cooperation | Table::Curriculum => i("year"),
        Table::Graduate => i("graduation_year"),
        _ => None,
    };
    if let (Some(code), Some(year), Some((s, _))) = (t("program_code"), offer_year, school) {
        let offered = reference.offerings.get(&(s.to_string(), year)).is_some_and(|p| p.contains(code));
        if !offered {
            out.push(err("program_code", Problem::ProgramNotOffered { value: code.into(), year: year as i32 }));
        }
    }
    match table {
        Table::Offering => year_not_after(row, table, "first_year", "year", &mut out),
        Table::Student => {
            year_not_after(row, table, "entry_year", "year", &mut out);
            out.extend(super::pathway_rules::student(row, reference));
        }
        Table::Graduate => {
            let employed = t("destination").is_some_and(|d| EMPLOYED_DESTINATIONS.contains(&d));
            let has = !row.get(table, "in_field").is_null();
            if t("destination").is_some() {
                if employed && !has {
                    out.push(err(
                        "in_field",
                        Problem::ConditionalRequired {
                            when: "毕业去向为单位就业、自主创业或灵活就业".into()
                        },
                    ));
                } else if !employed && has {
                    out.push(err("in_field", Problem::ConditionalForbidden { when: "毕业去向不是就业".into() }));
                }
            }
        }
        Table::Teacher if i("dual_qualified") == Some(1) && row.get(table, "dual_since").is_null() => {
            out.push(err("dual_since", Problem::ConditionalRequired { when: "是“双师型”教师".into() }));
        }
        // v1.3: a studio's or team's members and outputs name a designation on record; a member
        // is a teacher of the school named.
        Table::Member | Table::Output => {
            if let Some(code) = t("designation_code")
                && !reference.designations.contains(code)
            {
                out.push(err("designation_code", Problem::DesignationUnknown { value: code.into() }));
            }
            if table == Table::Member
                && let (Some(s), Some(no)) = (t("school_code"), t("teacher_no"))
                && reference.schools.contains_key(s)
                && !reference.teachers.get(s).is_some_and(|set| set.contains(no))
            {
                out.push(err("teacher_no", Problem::TeacherUnknown { value: no.into() }));
            }
        }
        Table::Practice | Table::Pd | Table::Training | Table::Cooperation => {
            dates_in_order(row, table, &mut out);
            if matches!(table, Table::Practice | Table::Pd)
                && let (Some(s), Some(no)) = (t("school_code"), t("teacher_no"))
                && reference.schools.contains_key(s)
                && !reference.teachers.get(s).is_some_and(|set| set.contains(no))
            {
                out.push(err("teacher_no", Problem::TeacherUnknown { value: no.into() }));
            }
            if table == Table::Practice
                && let (Some(s), Some(e), Some(days)) =
                    (t("start_date").and_then(parse_date), t("end_date").and_then(parse_date), i("days"))
            {
                let max = (e - s).num_days() + 1;
                if max >= 1 && !(1..=max).contains(&days) {
                    out.push(err("days", Problem::DaysOutOfRange { max }));
                }
            }
            if table == Table::Training {
                training(row, table, &mut out);
            }
        }
        Table::Certificate => certificate(row, table, &mut out),
        Table::Curriculum => {
            if let (Some(ideals), Some(hours)) =
                (row.get(table, "ideals_hours").as_real(), row.get(table, "hours").as_real())
                && ideals > hours
            {
                out.push(err("ideals_hours", Problem::ExceedsColumn { other: "学时".into() }));
            }
        }
        Table::Transfer => out.extend(super::pathway_rules::transfer(row, reference)),
        Table::TrainingSurvey => out.extend(super::survey_rules::row(row, reference)),
        // v1.6: the satisfied are among the respondents; staff on quota beyond the quota is a
        // warning (超编 happens, and is worth a second look).
        Table::Survey => {
            if let (Some(s), Some(r)) = (i("satisfied"), i("respondents"))
                && s > r
            {
                out.push(err("satisfied", Problem::ExceedsColumn { other: "调查人数".into() }));
            }
        }
        Table::Finance => {
            if let (Some(on), Some(quota)) = (i("staff_on_quota"), i("staff_quota"))
                && on > quota
            {
                out.push((
                    "staff_on_quota",
                    Problem::ExceedsColumn { other: "教职工编制数".into() },
                    Severity::Warning,
                ));
            }
        }
        Table::Designation => {
            let accepted = t("status") == Some("accepted");
            match i("accepted_year") {
                None if accepted => {
                    out.push(err("accepted_year", Problem::ConditionalRequired { when: "状态为验收通过".into() }));
                }
                Some(a) if i("approved_year").is_some_and(|p| a < p) => {
                    out.push(err("accepted_year", Problem::AcceptedBeforeApproved));
                }
                _ => {}
            }
        }
        _ => {}
    }
    out
}

/// A certificate's level fits its kind (certificates: 初级 to 高级技师, 1+X only the first three;
/// competitions: an award grade; training and course credits: none), and it is valid after issue.
fn certificate(row: &CheckedRow, table: Table, out: &mut Vec<RowProblem>) {
    let t = |k| row.text(table, k);
    let zh = |key: &str| find_choice(CERTIFICATE_LEVELS, key).map_or(key.to_string(), |c| c.zh.to_string());
    let list = |keys: &mut dyn Iterator<Item = &str>| keys.map(zh).collect::<Vec<_>>().join("、");
    let awards = || list(&mut CERTIFICATE_LEVELS.iter().map(|c| c.key).filter(|k| !CERTIFICATE_GRADES.contains(k)));
    match (t("kind"), t("level")) {
        (Some(k), None) if LEVELLED_KINDS.contains(&k) || k == "competition" => out.push(err(
            "level",
            Problem::ConditionalRequired { when: "成果类型为证书、技能等级认定或竞赛获奖".into() },
        )),
        (Some("x_certificate"), Some(l)) if !["elementary", "intermediate", "advanced"].contains(&l) => {
            let allowed = list(&mut ["elementary", "intermediate", "advanced"].into_iter());
            out.push(err("level", Problem::NotInList { value: zh(l), allowed }));
        }
        (Some(k), Some(l)) if LEVELLED_KINDS.contains(&k) && !CERTIFICATE_GRADES.contains(&l) => {
            out.push(err(
                "level",
                Problem::NotInList { value: zh(l), allowed: list(&mut CERTIFICATE_GRADES.iter().copied()) },
            ));
        }
        (Some("competition"), Some(l)) if CERTIFICATE_GRADES.contains(&l) => {
            out.push(err("level", Problem::NotInList { value: zh(l), allowed: awards() }));
        }
        (Some("training" | "course"), Some(_)) => {
            out.push(err("level", Problem::ConditionalForbidden { when: "成果类型为培训结业或课程学分".into() }));
        }
        _ => {}
    }
    if let (Some(issued), Some(until)) = (t("issued_date"), t("valid_until"))
        && until < issued
    {
        out.push(err("valid_until", Problem::DateBefore { limit_column: "发证日期".into() }));
    }
}

fn level_zh(level: &str) -> String {
    crate::domain::standard::find_choice(crate::domain::standard::LEVELS, level)
        .map_or(level.to_string(), |c| c.zh.to_string())
}

fn year_not_after(
    row: &CheckedRow,
    table: Table,
    col: &'static str,
    limit_col: &'static str,
    out: &mut Vec<RowProblem>,
) {
    if let (Some(v), Some(limit)) = (row.int(table, col), row.int(table, limit_col))
        && v > limit
    {
        let limit_column = table.column(limit_col).map_or(limit_col, |c| c.zh).to_string();
        out.push(err(col, Problem::YearAfter { value: v as i32, limit_column, limit: limit as i32 }));
    }
}

fn dates_in_order(row: &CheckedRow, table: Table, out: &mut Vec<RowProblem>) {
    if let (Some(s), Some(e)) = (row.text(table, "start_date"), row.text(table, "end_date"))
        && e < s
    {
        out.push(err("end_date", Problem::EndBeforeStart));
    }
}

fn training(row: &CheckedRow, table: Table, out: &mut Vec<RowProblem>) {
    let i = |k| row.int(table, k);
    if let (Some(c), Some(p)) = (i("completed"), i("person_times"))
        && c > p
    {
        out.push(err("completed", Problem::ExceedsColumn { other: "培训人次".into() }));
    }
    if let (Some(cert), Some(c)) = (i("certified"), i("completed"))
        && cert > c
    {
        out.push(err("certified", Problem::ExceedsColumn { other: "结业人数".into() }));
    }
    if let (Some(y), Some(s), Some(e)) = (i("year"), row.text(table, "start_date"), row.text(table, "end_date")) {
        let (sy, ey) = (s[..4].parse::<i64>().unwrap_or(0), e[..4].parse::<i64>().unwrap_or(0));
        if !(sy <= y && y <= ey) {
            out.push(err("start_date", Problem::OutsideYear { year: y as i32 }));
        }
    }
}

/// ID number by its type (§3), and gender against the ID's digit 17.
fn person(row: &CheckedRow, table: Table, reference: &Reference, out: &mut Vec<RowProblem>) {
    let Some(id) = row.text(table, "id_number") else {
        return;
    };
    let id_type = row.text(table, "id_type").unwrap_or("resident_id");
    if matches!(id_type, "resident_id" | "residence_permit") {
        match IdNumber::parse(id, Some(reference)) {
            Ok(parsed) => {
                let id_male = parsed.is_male();
                if let Some(g) = row.text(table, "gender")
                    && (g == "male") != id_male
                {
                    out.push(err(
                        "gender",
                        Problem::GenderMismatch { id_gender: if id_male { "男" } else { "女" }.into() },
                    ));
                }
            }
            Err(problems) => {
                for p in problems {
                    out.push(match p {
                        IdProblem::Format => err("id_number", Problem::IdFormat { value: id.into() }),
                        IdProblem::Checksum { expected, found } => {
                            err("id_number", Problem::IdChecksum { expected, found })
                        }
                        IdProblem::BirthDate => err("id_number", Problem::IdBirthDate),
                        IdProblem::Province => err("id_number", Problem::IdProvince),
                        // The historical list is a secondary source: a warning, never a refusal.
                        IdProblem::RegionInBirthYear { code, year } => {
                            ("id_number", Problem::IdRegionHistory { code, year }, Severity::Warning)
                        }
                    });
                }
            }
        }
    } else if id.is_empty() || id.chars().count() > 32 || id.chars().any(char::is_control) {
        out.push(err("id_number", Problem::IdOtherFormat));
    }
}
