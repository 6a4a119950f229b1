//! The data standard v1.6 (§4) as data: tables, columns, Chinese labels, requirement and type.
//!
//! The importer, the exports, the templates and the storage all read this one description, so a
//! column is defined once. Per-table rules that go beyond one cell live in `ingest::rules`.

mod codes;
mod specs;

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
    /// A district of the installation's list (Guangzhou's 4401xx unless `vetis districts` replaced it).
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
        &specs::SPECS[self as usize]
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
