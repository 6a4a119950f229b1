//! Who may see and do what: roles, their scope, and the password policy. Pure rules; the store
//! and the web ask them with the facts (a school's district) in hand.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Bureau administrator: everything, accounts included.
    Admin,
    /// Bureau analyst: reads everything.
    Analyst,
    /// District officer: its district's schools.
    District,
    /// School officer: its school.
    School,
}

impl Role {
    pub fn key(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::District => "district",
            Role::School => "school",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        [Role::Admin, Role::Analyst, Role::District, Role::School].into_iter().find(|r| r.key() == s)
    }
    pub fn zh(self) -> &'static str {
        match self {
            Role::Admin => "教育局管理员",
            Role::Analyst => "教育局分析员",
            Role::District => "区教育局",
            Role::School => "学校",
        }
    }
}

/// A signed-in user or API client, as the rules need it.
#[derive(Debug, Clone, Serialize)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub school: Option<String>,
    pub district: Option<String>,
}

/// What a reader asks to see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target<'a> {
    City,
    District(&'a str),
    /// A school, with the district it is in.
    School {
        code: &'a str,
        district: &'a str,
    },
}

impl Principal {
    /// Aggregates: the city for everyone signed in; a district for the bureau, its officer and its
    /// schools; a school for the bureau, its district's officer and itself.
    pub fn may_read_figures(&self, target: &Target) -> bool {
        match (self.role, target) {
            (Role::Admin | Role::Analyst, _) | (_, Target::City) => true,
            (Role::District, Target::District(d)) => self.district.as_deref() == Some(*d),
            (Role::District, Target::School { district, .. }) => self.district.as_deref() == Some(*district),
            (Role::School, Target::District(d)) => self.district.as_deref() == Some(*d),
            (Role::School, Target::School { code, .. }) => self.school.as_deref() == Some(*code),
        }
    }

    /// Records (rows about people): never the city or a district wholesale below the bureau; a
    /// school's rows for the bureau, its district officer and the school itself.
    /// Reading every school's records: the bureau's roles.
    pub fn may_read_every_school(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Analyst)
    }

    pub fn may_read_records(&self, school: &str, school_district: &str) -> bool {
        match self.role {
            Role::Admin | Role::Analyst => true,
            Role::District => self.district.as_deref() == Some(school_district),
            Role::School => self.school.as_deref() == Some(school),
        }
    }

    /// Submitting a school's data (data standard §2).
    pub fn may_submit_for(&self, school: &str, school_district: &str) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Analyst => false,
            Role::District => self.district.as_deref() == Some(school_district),
            Role::School => self.school.as_deref() == Some(school),
        }
    }

    /// Deciding a credit application's open step: the school's own officer decides its academic
    /// office's step; the bureau's administrator (the credit bank) decides the bank's, and may
    /// decide a school's step too.
    pub fn may_decide_credit(&self, school: &str, bank_step: bool) -> bool {
        match self.role {
            Role::Admin => true,
            Role::School => !bank_step && self.school.as_deref() == Some(school),
            Role::Analyst | Role::District => false,
        }
    }

    /// Applying for a learner's conversion, or appealing its rejection: the school's officer,
    /// or the bureau's administrator.
    pub fn may_apply_credit(&self, school: &str) -> bool {
        match self.role {
            Role::Admin => true,
            Role::School => self.school.as_deref() == Some(school),
            Role::Analyst | Role::District => false,
        }
    }

    pub fn may_review(&self, school_district: &str) -> bool {
        match self.role {
            Role::Admin => true,
            Role::District => self.district.as_deref() == Some(school_district),
            _ => false,
        }
    }

    pub fn may_manage_accounts(&self) -> bool {
        self.role == Role::Admin
    }
}

/// Password policy (等保三级 / ASVS 2.1): at least 12 characters, three kinds of character, not the
/// user name. Reuse of recent passwords is checked by the store, which has the history.
pub fn password_problems(username: &str, password: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    if password.chars().count() < 12 {
        out.push("密码至少 12 位 / at least 12 characters");
    }
    if password.chars().count() > 128 {
        out.push("密码最多 128 位 / at most 128 characters");
    }
    let kinds = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if kinds.iter().filter(|k| **k).count() < 3 {
        out.push("至少包含大写字母、小写字母、数字、符号中的三类 / three of: upper case, lower case, digits, symbols");
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        out.push("密码不得包含用户名 / must not contain the user name");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(role: Role, school: Option<&str>, district: Option<&str>) -> Principal {
        Principal {
            user_id: 1,
            username: "u".into(),
            role,
            school: school.map(Into::into),
            district: district.map(Into::into),
        }
    }

    #[test]
    fn a_school_officer_reads_its_school_its_district_and_the_city_only() {
        let s = p(Role::School, Some("4401000001"), Some("440106"));
        assert!(s.may_read_figures(&Target::City));
        assert!(s.may_read_figures(&Target::District("440106")));
        assert!(!s.may_read_figures(&Target::District("440113")));
        assert!(s.may_read_figures(&Target::School { code: "4401000001", district: "440106" }));
        assert!(!s.may_read_figures(&Target::School { code: "4401000002", district: "440106" }));
        assert!(!s.may_read_records("4401000002", "440106"));
    }

    #[test]
    fn a_district_officer_reads_its_districts_schools() {
        let d = p(Role::District, None, Some("440106"));
        assert!(d.may_read_records("4401000002", "440106"));
        assert!(!d.may_read_records("4401000003", "440113"));
        assert!(d.may_review("440106") && !d.may_review("440113"));
    }

    #[test]
    fn the_password_policy_names_every_problem() {
        assert_eq!(password_problems("zhang", "short").len(), 2);
        assert!(password_problems("zhang", "Zhang-2024-pass").iter().any(|p| p.contains("用户名")));
        assert!(password_problems("zhang", "Correct-Horse-42").is_empty());
    }
}
