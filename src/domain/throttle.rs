//! Sign-in throttling: how long a source must wait after failed sign-ins. Exponential back-off,
//! never a hard lock that anyone who knows a user name could trigger. Three counters are kept:
//! per account *and* address (the guesser at one machine), per address (one machine trying many
//! names) and per account from everywhere (many machines on one name; gentle, so that a
//! distributed attacker can slow the real user down by at most `account_max_secs`).
//! Pure rules; the store keeps the counters.

/// Which counter a key belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    AccountAtAddress,
    Address,
    Account,
}

/// The back-off policy; defaults in `Default`, each changeable by an environment variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures from one address on one account before the first wait.
    pub free_tries: u32,
    /// Failures from one address (any names) before the first wait.
    pub address_free_tries: u32,
    /// Failures on one account from all addresses before the first wait.
    pub account_free_tries: u32,
    /// The first wait, doubled at each further failure.
    pub base_secs: u64,
    /// The longest wait for one address.
    pub max_secs: u64,
    /// The longest wait an account's own counter imposes (it hits the real user too).
    pub account_max_secs: u64,
    /// A counter whose last failure is older than this starts again from zero.
    pub window_secs: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            free_tries: 5,
            address_free_tries: 20,
            account_free_tries: 50,
            base_secs: 2,
            max_secs: 900,
            account_max_secs: 60,
            window_secs: 3600,
        }
    }
}

/// The environment variables, with what each sets (and its default), for messages and the README.
pub const VARIABLES: [(&str, &str); 6] = [
    ("VETIS_SIGNIN_FREE_TRIES", "failed sign-ins on one account from one address before waits begin (5)"),
    ("VETIS_SIGNIN_ADDRESS_FREE_TRIES", "failed sign-ins from one address, any names, before waits begin (20)"),
    ("VETIS_SIGNIN_ACCOUNT_FREE_TRIES", "failed sign-ins on one account from all addresses before waits begin (50)"),
    ("VETIS_SIGNIN_MAX_WAIT_SECS", "the longest wait imposed on an address, in seconds (900)"),
    ("VETIS_SIGNIN_ACCOUNT_MAX_WAIT_SECS", "the longest wait an account's own counter imposes, in seconds (60)"),
    ("VETIS_SIGNIN_WINDOW_SECS", "seconds after which failures are forgotten (3600)"),
];

/// One counter as stored: failures so far, when the last one was, and until when it must wait
/// (seconds since 1970).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counter {
    pub failures: u32,
    pub last_at: i64,
    pub blocked_until: i64,
}

impl Policy {
    /// A learner's own look-up of their account (by ID number and name): every look-up counts,
    /// found or not, so that nobody can walk through ID numbers. Ten an hour from one address and
    /// five an hour on one person are free; then waits from a minute, doubling, up to an hour.
    pub const fn lookups() -> Policy {
        Policy {
            free_tries: 5,
            address_free_tries: 10,
            account_free_tries: 5,
            base_secs: 60,
            max_secs: 3600,
            account_max_secs: 3600,
            window_secs: 3600,
        }
    }

    /// The policy from environment variables (defaults where unset); an error names the variable.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Policy, String> {
        let d = Policy::default();
        let read = |key: &str, default: u64| crate::settings::whole(&get, key, default);
        let small = |key: &str, default: u32| -> Result<u32, String> {
            u32::try_from(read(key, u64::from(default))?).map_err(|_| format!("{key}: too large"))
        };
        Ok(Policy {
            free_tries: small("VETIS_SIGNIN_FREE_TRIES", d.free_tries)?,
            address_free_tries: small("VETIS_SIGNIN_ADDRESS_FREE_TRIES", d.address_free_tries)?,
            account_free_tries: small("VETIS_SIGNIN_ACCOUNT_FREE_TRIES", d.account_free_tries)?,
            base_secs: d.base_secs,
            max_secs: read("VETIS_SIGNIN_MAX_WAIT_SECS", d.max_secs)?,
            account_max_secs: read("VETIS_SIGNIN_ACCOUNT_MAX_WAIT_SECS", d.account_max_secs)?,
            window_secs: read("VETIS_SIGNIN_WINDOW_SECS", d.window_secs)?,
        })
    }

    fn free(&self, scope: Scope) -> u32 {
        match scope {
            Scope::AccountAtAddress => self.free_tries,
            Scope::Address => self.address_free_tries,
            Scope::Account => self.account_free_tries,
        }
    }

    fn cap(&self, scope: Scope) -> u64 {
        match scope {
            Scope::Account => self.account_max_secs.min(self.max_secs),
            _ => self.max_secs,
        }
    }

    /// How long to wait after the `failures`-th failure: nothing while within the free tries,
    /// then `base`, `2·base`, `4·base`… up to the scope's cap.
    pub fn wait_after(&self, scope: Scope, failures: u32) -> u64 {
        let free = self.free(scope);
        if failures < free {
            return 0;
        }
        let doublings = (failures - free).min(30);
        self.base_secs.saturating_mul(1u64 << doublings).min(self.cap(scope))
    }

    /// Seconds this counter still makes a caller wait at `now` (0: may try).
    pub fn waiting(&self, c: &Counter, now: i64) -> u64 {
        u64::try_from(c.blocked_until - now).unwrap_or(0)
    }

    /// The counter after one more failure at `now`: an old counter starts again.
    pub fn fail(&self, scope: Scope, c: &Counter, now: i64) -> Counter {
        let window = i64::try_from(self.window_secs).unwrap_or(i64::MAX);
        let failures = if now.saturating_sub(c.last_at) > window { 1 } else { c.failures.saturating_add(1) };
        let wait = i64::try_from(self.wait_after(scope, failures)).unwrap_or(i64::MAX);
        Counter { failures, last_at: now, blocked_until: if wait > 0 { now.saturating_add(wait) } else { 0 } }
    }

    /// The counter after an attempt charged by `fail` turned out right: that charge is given back.
    pub fn refund(&self, scope: Scope, c: &Counter) -> Counter {
        let failures = c.failures.saturating_sub(1);
        let blocked_until = if failures < self.free(scope) { 0 } else { c.blocked_until };
        Counter { failures, last_at: c.last_at, blocked_until }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_after_the_free_tries_up_to_a_cap() {
        let p = Policy::default();
        let waits: Vec<u64> = (1..=12).map(|f| p.wait_after(Scope::AccountAtAddress, f)).collect();
        assert_eq!(waits, [0, 0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256]);
        assert_eq!(p.wait_after(Scope::AccountAtAddress, 40), 900);
        assert_eq!(p.wait_after(Scope::Account, 500), 60, "an account's own counter stays gentle");
        assert_eq!(p.wait_after(Scope::Address, 19), 0);
    }

    #[test]
    fn failures_are_forgotten_after_the_window_and_a_right_password_gives_its_charge_back() {
        let p = Policy::default();
        let mut c = Counter::default();
        for t in 0..5 {
            c = p.fail(Scope::AccountAtAddress, &c, 1_000 + t);
        }
        assert_eq!(c.failures, 5);
        assert_eq!(p.waiting(&c, 1_004), 2);
        assert_eq!(p.waiting(&c, 1_010), 0);
        let later = p.fail(Scope::AccountAtAddress, &c, 1_004 + 3_601);
        assert_eq!(later.failures, 1, "an hour later it starts again");
        let back = p.refund(Scope::AccountAtAddress, &c);
        assert_eq!((back.failures, back.blocked_until), (4, 0));
    }

    #[test]
    fn a_bad_setting_names_its_variable() {
        let e = Policy::from_lookup(|k| (k == "VETIS_SIGNIN_FREE_TRIES").then(|| "many".into())).unwrap_err();
        assert!(e.contains("VETIS_SIGNIN_FREE_TRIES"), "{e}");
        let p = Policy::from_lookup(|k| (k == "VETIS_SIGNIN_MAX_WAIT_SECS").then(|| "30".into())).unwrap();
        assert_eq!(p.max_secs, 30);
    }
}
