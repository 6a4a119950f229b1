//! Aligned text tables for the terminal, measuring CJK characters as two columns.

use unicode_width::UnicodeWidthStr;

/// Renders rows under a header, each column padded to its widest cell (ANSI colour codes in a
/// cell do not count towards its width).
pub fn render(header: &[String], rows: &[Vec<String>], right_align_from: usize) -> String {
    let width = |s: &str| strip_ansi(s).width();
    let n = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(n) {
            widths[i] = widths[i].max(width(c));
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            let pad = " ".repeat(widths[i].saturating_sub(width(c)));
            if i >= right_align_from {
                s.push_str(&pad);
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&pad);
            }
            if i + 1 < cells.len() {
                s.push_str("  ");
            }
        }
        s.trim_end().to_string()
    };
    let mut out = line(header);
    out.push('\n');
    out.push_str(&"─".repeat(widths.iter().sum::<usize>() + 2 * (n.saturating_sub(1))));
    out.push('\n');
    for r in rows {
        out.push_str(&line(r));
        out.push('\n');
    }
    out
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_cells_align_by_display_width() {
        let t = render(
            &["指标".into(), "值".into()],
            &[vec!["在校生".into(), "9.74".into()], vec!["x".into(), "33.5".into()]],
            1,
        );
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[2], "在校生  9.74");
        assert_eq!(lines[3], "x       33.5");
    }
}
