//! Messages carried across a redirect (a refused form, then the page again) by a short random
//! key, never as text in the URL: a link cannot make a page say what its sender wrote. A message
//! is shown only to the account it was written for, for ten minutes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::messages::{Lang, Message};

const KEEP: Duration = Duration::from_secs(600);
/// At most this many messages are kept; the oldest go first.
const MAX: usize = 10_000;

#[derive(Default)]
pub struct Flash(Mutex<HashMap<String, (String, Message, Instant)>>);

impl Flash {
    /// Keeps `message` for `user`; the key to put in the redirect.
    pub fn put(&self, user: &str, message: Message) -> String {
        let key = crate::store::users::random_secret()[..16].to_string();
        let mut m = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        m.retain(|_, (_, _, at)| now.duration_since(*at) < KEEP);
        if m.len() >= MAX
            && let Some(oldest) = m.iter().min_by_key(|(_, (_, _, at))| *at).map(|(k, _)| k.clone())
        {
            m.remove(&oldest);
        }
        m.insert(key.clone(), (user.to_string(), message, now));
        key
    }

    /// The message under `key` if it was written for `user` and is still fresh.
    pub fn get(&self, user: &str, key: Option<&str>, lang: Lang) -> Option<String> {
        let key = key?;
        let m = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (owner, message, at) = m.get(key)?;
        (owner == user && at.elapsed() < KEEP).then(|| message.get(lang).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_shown_by_its_key_only_to_its_owner_and_unknown_keys_show_nothing() {
        let f = Flash::default();
        let k = f.put("school1", Message::new("年度已锁定", "the year is locked"));
        assert_eq!(f.get("school1", Some(&k), Lang::En).as_deref(), Some("the year is locked"));
        assert_eq!(f.get("school2", Some(&k), Lang::En), None);
        assert_eq!(f.get("school1", Some("Your account is suspended: call 555"), Lang::Zh), None);
    }
}
