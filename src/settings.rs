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
