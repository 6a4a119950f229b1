//! Numbers as people read them: thousands separated (`12,345.6`), a fixed number of decimals, and
//! a change between two figures as a signed percentage.

/// A number with `decimals` decimals and its thousands separated by commas.
pub fn grouped(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let text = format!("{:.*}", decimals, v.abs());
    let (int, frac) = text.split_once('.').map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::with_capacity(text.len() + int.len() / 3 + 1);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    // -0.0 rounds to "0": no sign on a zero.
    if v < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0') { format!("-{out}") } else { out }
}

/// A whole number, grouped.
pub fn count(v: i64) -> String {
    grouped(v as f64, 0)
}

/// The change from `before` to `after` as a share of `before` (None when `before` is 0).
pub fn change(before: f64, after: f64) -> Option<f64> {
    (before != 0.0).then(|| (after - before) / before.abs())
}

/// A change as people read it: `+62.7%`, `−12.0%`.
pub fn change_text(c: f64) -> String {
    let pct = c * 100.0;
    if pct >= 0.0 { format!("+{}%", grouped(pct, 1)) } else { format!("−{}%", grouped(-pct, 1)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_their_thousands_separated_and_changes_their_sign() {
        assert_eq!(grouped(1234567.891, 1), "1,234,567.9");
        assert_eq!(grouped(195994.0, 0), "195,994");
        assert_eq!(grouped(999.0, 0), "999");
        assert_eq!(grouped(-1234.5, 1), "-1,234.5");
        assert_eq!(grouped(-0.01, 1), "0.0");
        assert_eq!(count(2300), "2,300");
        assert_eq!(change_text(change(1414.0, 2300.0).unwrap()), "+62.7%");
        assert_eq!(change_text(-0.12), "−12.0%");
        assert!(change(0.0, 5.0).is_none());
    }
}
