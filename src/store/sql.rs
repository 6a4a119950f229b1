//! SQL text with its bound parameters, and a plan filter written as a condition: shared by the
//! figures' queries and the building blocks, so that a formula means the same rows in both.

use crate::domain::plan::{Filter, FilterValue};
use crate::store::records::SqlValue;

/// Schools named in one statement when a change touches many (a city's file): few statements
/// instead of one per school, well under either backend's limit on parameters.
pub const SCHOOLS_PER_STATEMENT: usize = 1_000;

/// Submissions named in one statement by their key (school, year, id: three parameters each), so
/// that a statement binds as many parameters as one naming `SCHOOLS_PER_STATEMENT` schools.
pub const SUBMISSIONS_PER_STATEMENT: usize = SCHOOLS_PER_STATEMENT / 3;

/// A statement being written: its text and the values its `$n` placeholders stand for.
pub struct Sql {
    pub text: String,
    pub params: Vec<SqlValue>,
}

impl Sql {
    /// The statement with its parameters bound, to run on a connection or the pool: the one
    /// place a built statement meets its values.
    pub fn bound(self) -> crate::store::records::Query<'static> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(self.text));
        for p in self.params {
            q = crate::store::records::bind(q, p);
        }
        q
    }

    pub fn new() -> Sql {
        Sql { text: String::new(), params: Vec::new() }
    }

    pub fn param(&mut self, v: SqlValue) -> String {
        self.params.push(v);
        format!("${}", self.params.len())
    }
    pub fn in_list(&mut self, vs: Vec<SqlValue>) -> String {
        let ps: Vec<String> = vs.into_iter().map(|v| self.param(v)).collect();
        ps.join(", ")
    }

    /// ` AND {column} IN (…)` for some schools, nothing for all.
    pub fn only_schools(&mut self, column: &str, schools: Option<&[String]>) -> String {
        schools.map_or(String::new(), |list| {
            let l = self.in_list(list.iter().map(|s| SqlValue::text(s)).collect());
            format!(" AND {column} IN ({l})")
        })
    }

    /// ` AND …` keeping the rows of an area (districts on the registry row `k`, the school on
    /// `school_column`, so that one school's rows are found through their own key), nothing for all.
    pub fn area(&mut self, area: Area<'_>, school_column: &str) -> String {
        match area {
            Area::All => String::new(),
            // Division codes nest by prefix (44 → 4401 → 440106), so a region is a LIKE on the
            // district's code, which every backend (and a distributed one) evaluates the same way.
            Area::Region(prefix) => {
                format!(" AND k.district_code LIKE {}", self.param(SqlValue::Text(format!("{prefix}%"))))
            }
            Area::District(d) => format!(" AND k.district_code = {}", self.param(SqlValue::text(d))),
            Area::School(s) => format!(" AND {school_column} = {}", self.param(SqlValue::text(s))),
        }
    }
}

/// Whose rows a figure sums: every school, the schools of a region (a province or a city: the
/// leading digits of its districts' codes), of one district, or one school.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area<'a> {
    All,
    Region(&'a str),
    District(&'a str),
    School(&'a str),
}

impl<'a> Area<'a> {
    /// The one school, when the area is a school.
    pub fn school(self) -> Option<&'a str> {
        match self {
            Area::School(s) => Some(s),
            _ => None,
        }
    }
}

impl Default for Sql {
    fn default() -> Self {
        Sql::new()
    }
}

fn filter_value(v: &FilterValue) -> SqlValue {
    match v {
        FilterValue::Bool(b) => SqlValue::Int(i64::from(*b)),
        FilterValue::Text(t) => SqlValue::Text(t.clone()),
    }
}

/// `t.a IN (…) AND t.b IN (…)`, or `1 = 1` for an empty filter.
pub fn condition(sql: &mut Sql, filter: &Filter) -> String {
    if filter.is_empty() {
        return "1 = 1".into();
    }
    let parts: Vec<String> = filter
        .iter()
        .map(|(col, values)| {
            let list = sql.in_list(values.iter().map(filter_value).collect());
            format!("t.{col} IN ({list})")
        })
        .collect();
    parts.join(" AND ")
}
