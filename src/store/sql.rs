//! SQL text with its bound parameters, and a plan filter written as a condition: shared by the
//! figures' queries and the building blocks, so that a formula means the same rows in both.

use crate::domain::plan::{Filter, FilterValue};
use crate::store::records::SqlValue;

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
