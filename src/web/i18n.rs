//! The web's two languages: which one a request wants (`?lang=`, else the `vetis_lang` cookie,
//! else Chinese) and every page text in it, from `i18n.toml`.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use axum::http::request::Parts;

use super::auth::cookie;
use crate::messages::Lang;

pub const LANG_COOKIE: &str = "vetis_lang";

static TEXTS: LazyLock<BTreeMap<String, [String; 2]>> =
    LazyLock::new(|| toml::from_str(include_str!("i18n.toml")).expect("i18n.toml is a table of [zh, en] pairs"));

pub fn lang_of(parts: &Parts) -> Lang {
    let query = parts.uri.query().unwrap_or("");
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("lang=").and_then(Lang::parse))
        .or_else(|| cookie(parts, LANG_COOKIE).as_deref().and_then(Lang::parse))
        .unwrap_or(Lang::Zh)
}

pub fn code(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "zh-CN",
        Lang::En => "en",
    }
}

/// One text; the key itself if it is missing (a test makes sure none is).
pub fn text(lang: Lang, key: &str) -> String {
    TEXTS.get(key).map_or_else(|| key.to_string(), |p| p[usize::from(lang == Lang::En)].clone())
}

/// Every text in one language, for a template's `t`.
pub fn texts(lang: Lang) -> serde_json::Value {
    let i = usize::from(lang == Lang::En);
    serde_json::Value::Object(TEXTS.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v[i].clone()))).collect())
}

pub fn keys() -> Vec<String> {
    TEXTS.keys().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_has_chinese_and_english() {
        for (k, [zh, en]) in TEXTS.iter() {
            assert!(!zh.trim().is_empty() && !en.trim().is_empty(), "{k} lacks a language");
            assert_ne!(zh, en, "{k} is not translated");
        }
    }
}
