//! SQL text with its bound parameters, and a plan filter written as a condition: shared by the
//! figures' queries and the building blocks, so that a formula means the same rows in both.

use crate::domain::plan::{Filter, FilterValue};
use crate::store::records::SqlValue;

/// Schools named in one statement when a change touches many (a city's file): few statements
/// instead of one per school, well under either backend's limit on parameters.
pub const SCHOOLS_PER_STATEMENT: usize = 1_000;

/// A statement being written: its text and the values its `$n` placeholders stand for.
pub struct Sql {
    pub text: String,
    pub params: Vec<SqlValue>,
}

impl Sql {
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
