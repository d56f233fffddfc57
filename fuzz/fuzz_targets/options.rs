//! `options::endpoint` never panics, and whenever it accepts a baseUrl whose host is ASCII, the WHATWG URL
//! parser (the `url` crate, what `fetch` uses) parses the endpoint it returns as http(s), without
//! credentials, query or fragment, with the path ending in /message/revokeMsg; and whenever it accepts a path,
//! that path resolved against a page stays on the page's origin.
#![no_main]

use gewe_revoke::core::options::{endpoint, is_path};
use gewe_revoke::core::Input;
use libfuzzer_sys::fuzz_target;

/// The authority of an http(s) URL (after the scheme, up to the first '/' or '\', which WHATWG treats alike).
fn authority(base: &str) -> Option<&str> {
    let base = base.trim();
    let rest = ["http://", "https://"].iter().find_map(|scheme| {
        base.get(..scheme.len())
            .filter(|s| s.eq_ignore_ascii_case(scheme))
            .and_then(|_| base.get(scheme.len()..))
    })?;
    rest.split(['/', '\\']).next()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let tail = String::from_utf8_lossy(rest);
    // Most inputs fuzz the host and port of an otherwise ordinary baseUrl; mode 0 fuzzes the whole string, mode 4
    // a path on the page's origin.
    let base = match mode % 5 {
        0 => tail.into_owned(),
        4 => format!("/{tail}"),
        1 => format!("http://{tail}/v2/api"),
        2 => format!("https://{tail}"),
        _ => format!("HTTP://{tail}:2531/gewe/v2/api/"),
    };
    let Ok(ep) = endpoint(&Input::Str(base.clone())) else {
        return;
    };
    if is_path(&ep) {
        let page = url::Url::parse("https://page.example:8443/app/index.html").unwrap();
        let url = match page.join(&ep) {
            Ok(url) => url,
            Err(e) => panic!("endpoint accepted the path {base:?} but the URL parser refuses {ep:?}: {e}"),
        };
        assert_eq!(
            url.origin(),
            page.origin(),
            "{base:?} -> {ep:?} left the page: {url}"
        );
        assert!(
            url.query().is_none() && url.fragment().is_none() && url.path().ends_with("/message/revokeMsg"),
            "{base:?} -> {ep:?}: {url}"
        );
        return;
    }
    let needs_idna = |a: &str| {
        !a.is_ascii()
            || a.split(['.', ':', '@', '[', ']'])
                .any(|label| label.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--")))
    };
    if authority(&base).is_none_or(needs_idna) {
        return;
    }
    let url = match url::Url::parse(&ep) {
        Ok(url) => url,
        Err(e) => panic!("endpoint accepted {base:?} but the URL parser refuses {ep:?}: {e}"),
    };
    assert!(
        matches!(url.scheme(), "http" | "https"),
        "{base:?} -> {ep:?}: scheme {}",
        url.scheme()
    );
    assert!(
        url.username().is_empty() && url.password().is_none(),
        "{base:?} -> {ep:?}: credentials in {url}"
    );
    assert!(
        url.query().is_none() && url.fragment().is_none(),
        "{base:?} -> {ep:?}: query/fragment in {url}"
    );
    assert!(
        url.path().ends_with("/message/revokeMsg"),
        "{base:?} -> {ep:?}: path {}",
        url.path()
    );
});
