//! Synthetic data-standard files of any size (schools, offerings, students), for benchmarks and
//! tests that need volume rather than realism. Deterministic, and streamed so that a million rows
//! take no memory to write. The realistic demo city is another matter (`vetis demo`).

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::domain::ids::id_check_char;

/// Secondary programs of the 2021 catalogue used by the synthetic schools.
const PROGRAMS: [&str; 4] = ["700206", "710201", "730701", "740201"];
const DISTRICTS: [&str; 11] =
    ["440103", "440104", "440105", "440106", "440111", "440112", "440113", "440114", "440115", "440117", "440118"];

pub struct Spec {
    pub schools: usize,
    pub first_year: i32,
    pub last_year: i32,
    pub students: usize,
}

pub fn school_code(i: usize) -> String {
    format!("44019{i:05}")
}

/// A valid ID number, unique for `n` below 36 500 000 (a birth date per 1 000 numbers).
pub fn id_number(n: usize, birth_year: i32) -> String {
    let day = n / 1000;
    let date = chrono::NaiveDate::from_ymd_opt(birth_year, 1, 1).unwrap() + chrono::Duration::days((day % 3650) as i64);
    let seq = n % 1000;
    let body = format!("440106{}{seq:03}", date.format("%Y%m%d"));
    format!("{body}{}", id_check_char(body.as_bytes()))
}

/// Writes school.csv, offering.csv and student.csv into `dir`; returns their paths.
pub fn write_city(dir: &Path, spec: &Spec) -> std::io::Result<Vec<PathBuf>> {
    let years: Vec<i32> = (spec.first_year..=spec.last_year).collect();
    let school_path = dir.join("school.csv");
    let mut w = BufWriter::new(std::fs::File::create(&school_path)?);
    writeln!(w, "school_code,name,level,sponsor,district_code,founded")?;
    for i in 0..spec.schools {
        let sponsor = ["市属", "区属", "民办"][i % 3];
        writeln!(w, "{},合成职业学校{i},中职,{sponsor},{},1990", school_code(i), DISTRICTS[i % DISTRICTS.len()])?;
    }
    w.flush()?;
    let offering_path = dir.join("offering.csv");
    let mut w = BufWriter::new(std::fs::File::create(&offering_path)?);
    writeln!(w, "school_code,year,program_code")?;
    for i in 0..spec.schools {
        for y in &years {
            for p in PROGRAMS {
                writeln!(w, "{},{y},{p}", school_code(i))?;
            }
        }
    }
    w.flush()?;
    let student_path = dir.join("student.csv");
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(&student_path)?);
    writeln!(
        w,
        "student_no,id_type,id_number,name,gender,school_code,year,program_code,study_mode,entry_year,pathway,status,prior_school_code,origin_code,poverty,disability,ethnicity"
    )?;
    let per_year = spec.students.div_ceil(years.len());
    for (yi, y) in years.iter().enumerate() {
        let count = per_year.min(spec.students - yi * per_year);
        for k in 0..count {
            // Each year's students are different people: one enrolment per person and year.
            let n = yi * per_year + k;
            let school = school_code(k % spec.schools);
            let id = id_number(n, 2004);
            let male = (id.as_bytes()[16] - b'0') % 2 == 1;
            let gender = if male { "男" } else { "女" };
            let program = PROGRAMS[k % PROGRAMS.len()];
            let mode = if k % 20 == 0 { "非全日制" } else { "全日制" };
            let pathway = ["普通", "三二分段", "五年一贯制", "普通"][k % 4];
            writeln!(
                w,
                "S{n:08},,{id},学生{n},{gender},{school},{y},{program},{mode},{},{pathway},在籍,,440106,否,否,汉族",
                y - (k % 3) as i32
            )?;
        }
    }
    w.flush()?;
    Ok(vec![school_path, offering_path, student_path])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_ids_are_valid_and_distinct() {
        let a = id_number(0, 2004);
        let b = id_number(999, 2004);
        let c = id_number(1000, 2004);
        for id in [&a, &b, &c] {
            assert!(crate::domain::ids::IdNumber::parse(id, None).is_ok(), "{id}");
        }
        assert_ne!(a, b);
        assert_ne!(b, c);
    }
}
