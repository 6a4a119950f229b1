//! The scope a page shows: what its query asks for (the city or nation, a region, a district, a
//! school), checked against the viewer's rights, named, and written back into links; and what the
//! installation's district list spans, which decides the level below the whole.

use std::collections::HashMap;

use serde::Deserialize;

use super::{OrPage, PageError, Viewer};
use crate::domain::access::{Role, Target};
use crate::domain::extent::Extent;
use crate::figures::Scope;
use crate::web::AppState;
use crate::web::error::WebError;

#[derive(Deserialize, Default)]
pub struct ScopeQuery {
    pub year: Option<i32>,
    pub district: Option<String>,
    pub school: Option<String>,
    /// A province (2 digits) or a city (4 digits) of a provincial or national installation.
    pub region: Option<String>,
    /// The scope picker's single value: `city`, `r:CODE`, `d:CODE` or `s:CODE`.
    pub scope: Option<String>,
}

/// The scope a page's query asks for, before it is checked.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Picked {
    pub region: Option<String>,
    pub district: Option<String>,
    pub school: Option<String>,
}

impl ScopeQuery {
    pub fn picked(&self) -> Picked {
        let one = |s: &str| Some(s.to_string());
        match self.scope.as_deref() {
            Some(s) if s.starts_with("r:") => Picked { region: one(&s[2..]), ..Picked::default() },
            Some(s) if s.starts_with("d:") => Picked { district: one(&s[2..]), ..Picked::default() },
            Some(s) if s.starts_with("s:") => Picked { school: one(&s[2..]), ..Picked::default() },
            Some("city") => Picked::default(),
            _ => {
                let given = |o: &Option<String>| o.clone().filter(|x| !x.is_empty());
                Picked { region: given(&self.region), district: given(&self.district), school: given(&self.school) }
            }
        }
    }
}

/// What every scoped page starts from: the scope asked for (checked), its name, the plan and
/// the year (the latest with data when none is asked for).
pub struct PageScope {
    pub scope: Scope,
    pub label: String,
    pub plan: std::sync::Arc<crate::domain::plan::Plan>,
    pub latest: i32,
    pub year: i32,
}

impl ScopeQuery {
    pub async fn resolve(&self, state: &AppState, v: &Viewer) -> Result<PageScope, PageError> {
        let (scope, label) = resolve(state, v, self.picked()).await?;
        let plan = state.cache.plan(&state.db).await.page(v)?;
        let latest = state.cache.latest_year(&state.db).await.page(v)?;
        let year = self.year.unwrap_or(latest).clamp(plan.baseline_year, plan.target_year.max(latest));
        Ok(PageScope { scope, label, plan, latest, year })
    }
}

/// A school's name and district, or 404.
pub async fn school_info(state: &AppState, code: &str) -> Result<(String, String), WebError> {
    let school = crate::store::registry::school(&state.db, code).await?;
    school.map(|s| (s.name, s.district)).ok_or(WebError::NotFound)
}

pub async fn district_names(state: &AppState) -> Result<HashMap<String, String>, WebError> {
    Ok((*state.cache.district_names(&state.db).await?).clone())
}

/// Whether the installation's districts span more than one province (a national installation):
/// then the level below the whole is the province, not the district.
pub async fn spans_provinces(state: &AppState) -> Result<bool, WebError> {
    Ok(state.cache.extent(&state.db).await? == Extent::Nation)
}

/// What the whole installation is called: the city (全市), a province (全省) or the nation (全国).
pub async fn whole(state: &AppState, v: &Viewer) -> Result<String, PageError> {
    Ok(v.t(match state.cache.extent(&state.db).await.page(v)? {
        Extent::Nation => "nation",
        Extent::Province => "province_whole",
        Extent::City => "city",
    }))
}

/// The province a district is in, when the installation spans provinces: the level above it.
pub async fn region_above(state: &AppState, district: &str) -> Result<Option<String>, WebError> {
    Ok(state.cache.extent(&state.db).await?.province_of(district))
}

/// The scope a viewer asked for, checked; with no request, the viewer's own scope.
pub async fn resolve(state: &AppState, v: &Viewer, picked: Picked) -> Result<(Scope, String), PageError> {
    let Picked { region, district, school } = picked;
    let (district, school) = match (district, school, v.who.role) {
        (None, None, Role::School) => (None, v.who.school.clone()),
        (None, None, Role::District) => (v.who.district.clone(), None),
        (d, s, _) => (d, s),
    };
    if let (Some(r), None, None) = (&region, &district, &school) {
        // A region is a part of the whole: whoever may read the whole may read it.
        if !v.who.may_read_figures(&Target::City) {
            return Err(PageError::Web(WebError::Forbidden, v.lang, None));
        }
        let name = state.cache.region(&state.db, r).await.page(v)?.0.clone();
        return Ok((Scope::Region(r.clone()), name));
    }
    let names = state.cache.district_names(&state.db).await.page(v)?;
    let city = whole(state, v).await?;
    match (school, district) {
        (Some(s), _) => {
            let (name, d) = school_info(state, &s).await.page(v)?;
            if !v.who.may_read_figures(&Target::School { code: &s, district: &d }) {
                return Err(PageError::Web(WebError::Forbidden, v.lang, None));
            }
            Ok((Scope::School(s.clone()), format!("{name}（{s}）")))
        }
        (None, Some(d)) => {
            let name = names.get(&d).cloned().ok_or(PageError::Web(WebError::NotFound, v.lang, None))?;
            if !v.who.may_read_figures(&Target::District(&d)) {
                return Err(PageError::Web(WebError::Forbidden, v.lang, None));
            }
            Ok((Scope::District(d), name))
        }
        (None, None) => Ok((Scope::City, city)),
    }
}

/// The scopes a viewer may pick: the city, every district, and the schools they may read. A
/// national installation offers the whole and its provinces (and the scope shown): its districts
/// and schools, thousands, are reached through the comparison below.
pub(super) async fn scope_options(
    state: &AppState,
    v: &Viewer,
    shown: (&Scope, &str),
) -> Result<Vec<(String, String)>, PageError> {
    let mut out = vec![("city".to_string(), whole(state, v).await?)];
    if spans_provinces(state).await.page(v)? {
        let provinces = state.cache.provinces(&state.db).await.page(v)?;
        out.extend(provinces.iter().map(|(code, name)| (format!("r:{code}"), name.clone())));
        let value = scope_value(shown.0);
        if !out.iter().any(|(k, _)| *k == value) {
            out.push((value, shown.1.to_string()));
        }
        return Ok(out);
    }
    let names = district_names(state).await.page(v)?;
    let mut districts: Vec<(&String, &String)> = names.iter().collect();
    districts.sort();
    for (code, name) in districts {
        if v.who.may_read_figures(&Target::District(code)) {
            out.push((format!("d:{code}"), name.clone()));
        }
    }
    let schools = state.cache.schools(&state.db).await.map_err(|e| PageError::Web(e.into(), v.lang, None))?;
    for s in schools.iter() {
        if v.who.may_read_figures(&Target::School { code: &s.code, district: &s.district }) {
            out.push((format!("s:{}", s.code), format!("{}（{}）", s.name, s.code)));
        }
    }
    Ok(out)
}

pub fn scope_value(scope: &Scope) -> String {
    match scope {
        Scope::City => "city".into(),
        Scope::Region(r) => format!("r:{r}"),
        Scope::District(d) => format!("d:{d}"),
        Scope::School(s) => format!("s:{s}"),
    }
}

pub fn scope_query(scope: &Scope) -> String {
    match scope {
        Scope::City => String::new(),
        Scope::Region(r) => format!("&region={r}"),
        Scope::District(d) => format!("&district={d}"),
        Scope::School(s) => format!("&school={s}"),
    }
}
