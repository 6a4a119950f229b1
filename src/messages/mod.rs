//! Language and messages: the languages a person reads (zh-CN first, English second) and the
//! problems an import can find, each with its message in both. Belongs to no single layer: ingest
//! finds problems, the store refuses with them, and every view renders them.

mod finding;
pub mod notice;
pub mod numbers;
mod problem_text;
pub mod time;

pub use finding::{Finding, Lang, Problem, Severity};

/// A message for a person, in both languages: what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Message {
    pub zh: String,
    pub en: String,
}

impl Message {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Message {
        Message { zh: zh.into(), en: en.into() }
    }

    /// A message written as `中文 / English`; one without the separator reads the same in both.
    pub fn pair(text: impl Into<String>) -> Message {
        let text = text.into();
        match text.split_once(" / ") {
            Some((zh, en)) => Message::new(zh.trim(), en.trim()),
            None => Message::new(text.clone(), text),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.zh == self.en { f.write_str(&self.zh) } else { write!(f, "{} / {}", self.zh, self.en) }
    }
}
