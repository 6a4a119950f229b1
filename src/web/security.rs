//! Security headers on every response (a CSP without inline scripts, no framing, no sniffing), and
//! the one rule for where a `next`/`back` parameter may send a browser.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// `hsts`: the site is served over HTTPS (`--secure-cookies`), so browsers are told to keep to it.
pub async fn headers(req: Request, next: Next, hsts: bool) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if hsts {
        h.insert("strict-transport-security", HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    h.insert("content-security-policy", HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"));
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert("cache-control", HeaderValue::from_static("no-store"));
    res
}

/// Whether `target` (as decoded from the query) is a path on this site that a redirect may send a
/// browser to. Browsers drop tabs and newlines and read `\` as `/`, so `/\t/evil.example` and
/// `/\evil.example` would leave the site: only a plain absolute path passes.
pub fn is_same_site_path(target: &str) -> bool {
    let mut chars = target.chars();
    chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !target.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace())
        && !target.contains("://")
        && target.len() <= 2_000
}

/// `target` if it is a same-site path, else `fallback`.
pub fn same_site_or(target: Option<&str>, fallback: &str) -> String {
    match target {
        Some(t) if is_same_site_path(t) => t.to_string(),
        _ => fallback.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_of_this_site_are_redirect_targets() {
        for ok in ["/", "/dashboard", "/records/student?school=4401000001&page=2", "/indicator/x#y"] {
            assert!(is_same_site_path(ok), "{ok}");
        }
        for bad in [
            "//evil.example",
            "/\\127.0.0.1:18432/x",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r//evil.example",
            "/ /evil.example",
            "\\\\evil.example",
            "https://evil.example",
            "/x?u=https://evil.example",
            "evil.example",
            "",
            "/\u{0}/x",
            "/\u{7f}/x",
            "/\u{2028}/x",
            "/\u{3000}/x",
        ] {
            assert!(!is_same_site_path(bad), "{bad:?}");
        }
    }
}
