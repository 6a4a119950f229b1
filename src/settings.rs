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
}
