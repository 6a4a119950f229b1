//! Settings from environment variables, read the same way by every layer that has them (file
//! limits, sign-in back-off, the server's queues): a default where a variable is unset, and an
//! error naming the variable when its value is not a whole number above zero.

/// The value of `key` from `get` (the environment, or a test's map), else `default`.
pub fn whole(get: &dyn Fn(&str) -> Option<String>, key: &str, default: u64) -> Result<u64, String> {
    match get(key) {
        None => Ok(default),
        Some(v) => match v.trim().parse::<u64>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("{key}={v:?}: 应为正整数 / must be a whole number above 0")),
        },
    }
}

/// `VETIS_PUBLIC_URL`: the address the public reaches this installation at (credentials name
/// their revocation list under it); None when unset. It must be an http(s) address.
pub fn public_url(get: &dyn Fn(&str) -> Option<String>) -> Result<Option<String>, String> {
    match get("VETIS_PUBLIC_URL").map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if (v.starts_with("https://") || v.starts_with("http://")) && !v.contains(char::is_whitespace) => {
            Ok(Some(v.trim_end_matches('/').to_string()))
        }
        Some(v) => Err(format!(
            "VETIS_PUBLIC_URL={v:?}: 应为 https:// 开头的网址 / must be an address such as https://vetis.example.gov.cn"
        )),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_missing_value_takes_the_default_and_a_bad_one_names_its_variable() {
        let get = |k: &str| (k == "X").then(|| " 7 ".to_string());
        assert_eq!(super::whole(&get, "X", 1), Ok(7));
        assert_eq!(super::whole(&get, "Y", 3), Ok(3));
        let zero = |_: &str| Some("0".to_string());
        assert!(super::whole(&zero, "Z", 3).unwrap_err().starts_with("Z=\"0\""));
    }

    #[test]
    fn the_public_address_is_an_http_address_without_its_trailing_slash() {
        let get = |v: &'static str| move |_: &str| Some(v.to_string());
        assert_eq!(super::public_url(&get("https://vetis.gz.gov.cn/")), Ok(Some("https://vetis.gz.gov.cn".into())));
        assert_eq!(super::public_url(&|_: &str| None), Ok(None));
        assert!(super::public_url(&get("vetis.gz.gov.cn")).unwrap_err().starts_with("VETIS_PUBLIC_URL="));
    }
}

/// How an SMTP server is reached: plaintext to a relay in the same network, STARTTLS required,
/// or TLS from the first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    Plain,
    StartTls,
    Tls,
}

/// Where notices are mailed from (`VETIS_SMTP`, password in `VETIS_SMTP_PASSWORD`); none unless
/// set: the bell needs no mail server.
#[derive(Clone, PartialEq, Eq)]
pub struct Smtp {
    pub security: SmtpSecurity,
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    /// A secret: never printed, never in a message (see the `Debug` below).
    pub password: Option<String>,
    pub from: String,
    /// A PEM file of the certificate authority that signs the server's certificate (an intranet's
    /// own), trusted besides the system's.
    pub ca_file: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Smtp({})", self.describe())
    }
}

impl Smtp {
    /// The server as people may see it: the password left out.
    pub fn describe(&self) -> String {
        let scheme = match self.security {
            SmtpSecurity::Plain => "smtp",
            SmtpSecurity::StartTls => "smtp+starttls",
            SmtpSecurity::Tls => "smtps",
        };
        let user = self.user.as_ref().map(|u| format!("{u}@")).unwrap_or_default();
        format!("{scheme}://{user}{}:{} (from {})", self.host, self.port, self.from)
    }
}

/// `%xx` escapes decoded (a user name or password may hold `@` or `:`).
fn percent_decoded(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
            out.push(hex.ok_or("a % must be followed by two hexadecimal digits")?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "the escapes do not make UTF-8 text".to_string())
}

/// `VETIS_SMTP=scheme://[user[:password]@]host[:port]?from=ADDRESS[&ca=FILE]`, scheme `smtp`
/// (a relay in the same network, port 25, no password), `smtp+starttls` (587) or `smtps` (465);
/// the password better in `VETIS_SMTP_PASSWORD`. None when unset; an error naming what is wrong.
pub fn smtp(get: &dyn Fn(&str) -> Option<String>) -> Result<Option<Smtp>, String> {
    let Some(raw) = get("VETIS_SMTP").map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    // The value may hold a password: errors name the part that is wrong, never echo the value.
    let bad = |what: &str| {
        format!(
            "VETIS_SMTP: {what} / 应为 smtp+starttls://用户名@邮件服务器:587?from=发件地址 这样的地址（smtp:// 只用于同一内网的中继，不带密码；smtps:// 为 465 端口）"
        )
    };
    let (scheme, rest) =
        raw.split_once("://").ok_or_else(|| bad("no scheme (smtp://, smtp+starttls:// or smtps://)"))?;
    let (security, default_port) = match scheme {
        "smtp" => (SmtpSecurity::Plain, 25),
        "smtp+starttls" => (SmtpSecurity::StartTls, 587),
        "smtps" => (SmtpSecurity::Tls, 465),
        _ => return Err(bad("the scheme is not smtp, smtp+starttls or smtps")),
    };
    let (authority, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().map_err(|_| bad("the port is not a number from 1 to 65535"))?),
        None => (hostport, default_port),
    };
    let host = host.trim_matches(['[', ']']).to_string();
    if host.is_empty() || host.contains(['/', ' ']) || port == 0 {
        return Err(bad("no server name, or a port of 0"));
    }
    let (user, mut password) = match userinfo {
        None => (None, None),
        Some(u) => match u.split_once(':') {
            Some((n, p)) => {
                (Some(percent_decoded(n).map_err(|e| bad(&e))?), Some(percent_decoded(p).map_err(|e| bad(&e))?))
            }
            None => (Some(percent_decoded(u).map_err(|e| bad(&e))?), None),
        },
    };
    if let Some(p) = get("VETIS_SMTP_PASSWORD").filter(|p| !p.is_empty()) {
        password = Some(p);
    }
    if security == SmtpSecurity::Plain && (user.is_some() || password.is_some()) {
        return Err(bad("a user name and password are sent only over TLS: use smtp+starttls:// or smtps://"));
    }
    if password.is_some() && user.is_none() {
        return Err(bad("a password without a user name"));
    }
    let mut from = None;
    let mut ca_file = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = percent_decoded(v).map_err(|e| bad(&e))?;
        match k {
            "from" => from = Some(v),
            "ca" => ca_file = Some(std::path::PathBuf::from(v)),
            _ => return Err(bad(&format!("unknown setting '{k}' (from, ca)"))),
        }
    }
    let from = from.ok_or_else(|| bad("no sender: add ?from=vetis@example.gov.cn"))?;
    let looks_like_address = from.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
        && !from.contains(char::is_whitespace);
    if !looks_like_address {
        return Err(bad(&format!("from={from:?} is not an e-mail address")));
    }
    if let Some(ca) = &ca_file
        && !ca.is_file()
    {
        return Err(bad(&format!("ca={}: no such file", ca.display())));
    }
    Ok(Some(Smtp { security, host, port, user, password, from, ca_file }))
}

#[cfg(test)]
mod smtp_tests {
    use super::*;

    fn parse(v: &str, password: Option<&str>) -> Result<Option<Smtp>, String> {
        let (v, p) = (v.to_string(), password.map(str::to_string));
        smtp(&move |k: &str| match k {
            "VETIS_SMTP" => Some(v.clone()),
            "VETIS_SMTP_PASSWORD" => p.clone(),
            _ => None,
        })
    }

    #[test]
    fn an_smtp_address_gives_its_server_sender_and_security_and_never_shows_its_password() {
        let s = parse("smtp+starttls://vetis%40edu:s3cret@mail.edu.gz.gov.cn?from=vetis@edu.gz.gov.cn", None)
            .unwrap()
            .unwrap();
        assert_eq!((s.security, s.host.as_str(), s.port), (SmtpSecurity::StartTls, "mail.edu.gz.gov.cn", 587));
        assert_eq!((s.user.as_deref(), s.password.as_deref()), (Some("vetis@edu"), Some("s3cret")));
        assert!(!format!("{s:?}").contains("s3cret") && !s.describe().contains("s3cret"));
        let relay = parse("smtp://10.0.0.5?from=vetis@edu.gz.gov.cn", None).unwrap().unwrap();
        assert_eq!((relay.security, relay.port), (SmtpSecurity::Plain, 25));
        let env = parse("smtps://u@h.example:2465?from=a@b.cn", Some("pw")).unwrap().unwrap();
        assert_eq!((env.port, env.password.as_deref()), (2465, Some("pw")));
        assert_eq!(smtp(&|_| None), Ok(None));
    }

    #[test]
    fn a_wrong_smtp_address_names_what_is_wrong_without_echoing_a_password() {
        let e = parse("smtp://u:hunter2@relay?from=a@b.cn", None).unwrap_err();
        assert!(e.contains("only over TLS") && !e.contains("hunter2"), "{e}");
        assert!(parse("smtp+starttls://h?x=1&from=a@b.cn", None).unwrap_err().contains("unknown setting 'x'"));
        assert!(parse("smtp+starttls://h", None).unwrap_err().contains("no sender"));
        assert!(parse("smtp+starttls://h?from=nobody", None).unwrap_err().contains("not an e-mail address"));
        assert!(parse("imap://h?from=a@b.cn", None).unwrap_err().contains("scheme"));
        assert!(parse("smtp://h:99999?from=a@b.cn", None).unwrap_err().contains("port"));
    }
}
