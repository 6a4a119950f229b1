//! What `vetis serve` is told at start-up about its place in the network and its limits: typed,
//! checked once, then shared by every request.

use std::net::IpAddr;

use crate::domain::throttle::Policy;

/// The web platform's settings.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Cookies get `Secure`, and responses HSTS, when the site is served over HTTPS (behind a TLS proxy).
    pub secure_cookies: bool,
    /// Proxies whose `X-Forwarded-For` is believed: behind one, every client would otherwise share
    /// the proxy's address, and one guesser would slow everybody's sign-in down.
    pub trusted_proxies: Vec<IpAddr>,
    /// Sign-in back-off.
    pub signin: Policy,
    /// Imports checked and written at once; the others wait their turn (and are told so).
    pub max_imports: usize,
    /// Reports built at once; the others wait.
    pub max_reports: usize,
    /// Reports one account may have waiting or being built.
    pub reports_per_user: usize,
    /// The address the public reaches this installation at (`VETIS_PUBLIC_URL`), if set.
    pub public_url: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            trusted_proxies: Vec::new(),
            signin: Policy::default(),
            max_imports: 2,
            max_reports: 1,
            reports_per_user: 1,
            public_url: None,
        }
    }
}

/// The environment variables for the limits above (besides sign-in, see `domain::throttle`).
pub const VARIABLES: [(&str, &str); 3] = [
    ("VETIS_MAX_IMPORTS", "imports checked and written at once; the others wait (2)"),
    ("VETIS_MAX_REPORTS", "reports built at once; the others wait (1)"),
    ("VETIS_REPORTS_PER_USER", "reports one account may have waiting or being built (1)"),
];

impl WebConfig {
    /// The settings from environment variables, defaults where unset; an error names the variable.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<WebConfig, String> {
        let d = WebConfig::default();
        let read = |key: &str, default: usize| -> Result<usize, String> {
            let n = crate::settings::whole(&get, key, default as u64)?;
            usize::try_from(n).map_err(|_| format!("{key}: too large"))
        };
        Ok(WebConfig {
            signin: Policy::from_lookup(&get)?,
            max_imports: read("VETIS_MAX_IMPORTS", d.max_imports)?,
            max_reports: read("VETIS_MAX_REPORTS", d.max_reports)?,
            reports_per_user: read("VETIS_REPORTS_PER_USER", d.reports_per_user)?,
            public_url: crate::settings::public_url(&get)?,
            ..d
        })
    }

    /// The settings from this process's environment.
    pub fn from_env() -> Result<WebConfig, String> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// The client's address as the throttle should know it: the peer, or, when the peer is a
    /// trusted proxy, the last address that proxy appended to `X-Forwarded-For`.
    pub fn client_address(&self, peer: Option<IpAddr>, forwarded_for: Option<&str>) -> String {
        let Some(peer) = peer else { return "unknown".into() };
        if self.trusted_proxies.contains(&peer)
            && let Some(last) = forwarded_for.and_then(|f| f.rsplit(',').next())
            && let Ok(ip) = last.trim().parse::<IpAddr>()
        {
            return ip.to_string();
        }
        peer.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_trusted_proxy_may_say_who_the_client_is() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let c = WebConfig { trusted_proxies: vec![proxy], ..WebConfig::default() };
        assert_eq!(c.client_address(Some(proxy), Some("1.2.3.4, 5.6.7.8")), "5.6.7.8");
        assert_eq!(c.client_address(Some(proxy), Some("junk")), "10.0.0.1");
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        assert_eq!(c.client_address(Some(other), Some("5.6.7.8")), "10.0.0.2", "anyone can write the header");
    }

    #[test]
    fn a_bad_limit_names_its_variable() {
        let e = WebConfig::from_lookup(|k| (k == "VETIS_MAX_IMPORTS").then(|| "0".into())).unwrap_err();
        assert!(e.contains("VETIS_MAX_IMPORTS"), "{e}");
    }
}
