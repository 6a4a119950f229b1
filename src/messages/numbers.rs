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

/// The plan's section numbers in Arabic figures for English pages: `二(三), 三(四)` → `2(3), 3(4)`.
pub fn section_en(s: &str) -> String {
    const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    // The key indicators' section: 主要指标 3 → key indicator 3.
    let s = s.replace("主要指标", "key indicator");
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let Some(d) = DIGITS.iter().position(|x| *x == c) {
            // 十一 → 11, 二十 → 20: a ten after a digit multiplies it.
            let mut n = d;
            if chars.get(i + 1) == Some(&'十') {
                n *= 10;
                i += 1;
                if let Some(u) = chars.get(i + 1).and_then(|x| DIGITS.iter().position(|y| y == x)) {
                    n += u;
                    i += 1;
                }
            }
            out.push_str(&n.to_string());
        } else if c == '十' {
            let unit = chars.get(i + 1).and_then(|x| DIGITS.iter().position(|y| y == x));
            out.push_str(&(10 + unit.unwrap_or(0)).to_string());
            if unit.is_some() {
                i += 1;
            }
        } else {
            out.push(match c {
                '（' => '(',
                '）' => ')',
                '、' | '，' => ',',
                other => other,
            });
        }
        i += 1;
    }
    out
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
        assert_eq!(section_en("二(三), 三(四), 十二（十一）"), "2(3), 3(4), 12(11)");
    }
}
