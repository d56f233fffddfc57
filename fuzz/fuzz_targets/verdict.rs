//! `response::verdict` never panics, and no string in what it returns (the error's message, api_msg, body,
//! location and every string in data, keys included; on success msg and data) contains the token, literally
//! or in a spelling `core::redact` promises to catch (JSON escapes, percent-encoding), for any token that is
//! a valid header value (printable ASCII, not all spaces).
//!
//! Input: 2 bytes status, 2 bytes flags, 1 byte token length, the token (bytes mapped onto 0x20..=0x7E), then
//! the body, where `$T` is the token, `$E` the token as JSON-escaped string content, `$U` the token all
//! `\uXXXX` escapes, `$P` the token percent-encoded; flag bits also splice the token in at the start, the end
//! and the middle, raw or escaped, and pick the Retry-After and Location headers (some holding the token).
#![no_main]

use gewe_revoke::core::json::write_str;
use gewe_revoke::core::response::{verdict, Headers, Verdict};
use gewe_revoke::core::Error;
use gewe_revoke_fuzz::{spelled, strings};
use libfuzzer_sys::fuzz_target;

const STATUSES: [u16; 18] = [
    200, 200, 200, 200, 201, 204, 299, 0, 302, 400, 401, 404, 429, 500, 502, 503, 504, 200,
];

/// The token as the content of a JSON string literal (`write_str` without the quotes).
fn json_escaped(token: &str) -> String {
    let mut out = String::new();
    write_str(&mut out, token);
    out[1..out.len() - 1].replace('/', "\\/")
}

fn unicode_escaped(token: &str) -> String {
    token.chars().map(|c| format!("\\u{:04x}", c as u32)).collect()
}

fn percent_encoded(token: &str) -> String {
    token.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// Inserts `what` into `body` at the char boundary nearest `fraction` of its length.
fn insert(body: &mut String, fraction: usize, what: &str) {
    let mut at = body.len() * fraction / 4;
    while !body.is_char_boundary(at) {
        at += 1;
    }
    body.insert_str(at, what);
}

/// `input` describes the answer (status, headers, body) for the failure message.
fn check(token: &str, input: &dyn Fn() -> String, what: &str, strings: &[&str]) {
    for s in strings {
        assert!(
            !s.contains(token),
            "token {token:?} leaked into the {what}: {s:?}\n{}",
            input()
        );
        assert!(
            !spelled(s, token),
            "token {token:?} leaked, escaped, into the {what}: {s:?}\n{}",
            input()
        );
    }
}

fn check_error(token: &str, input: &dyn Fn() -> String, e: &Error) {
    let mut all: Vec<String> = vec![e.message.clone()];
    all.extend(e.api_msg.clone());
    all.extend(e.body.clone());
    all.extend(e.location.clone());
    if let Some(data) = &e.data {
        strings(data, &mut all);
    }
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    check(token, input, &format!("{} error", e.code.as_str()), &all);
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 5 {
        return;
    }
    let raw_status = u16::from_le_bytes([data[0], data[1]]);
    let status = if raw_status & 0x8000 == 0 {
        STATUSES[usize::from(raw_status) % STATUSES.len()]
    } else {
        raw_status & 0x7fff
    };
    let flags = u16::from_le_bytes([data[2], data[3]]);
    let len = usize::from(data[4] % 64).min(data.len() - 5);
    let token: String = data[5..5 + len]
        .iter()
        .map(|b| char::from(0x20 + b % 95))
        .collect();
    if token.is_empty() || token.bytes().all(|b| b == b' ') {
        return;
    }
    let raw = token.as_str();
    let (escaped, unicode, percent) = (json_escaped(raw), unicode_escaped(raw), percent_encoded(raw));
    let mut body = String::from_utf8_lossy(&data[5 + len..])
        .replace("$T", raw)
        .replace("$E", &escaped)
        .replace("$U", &unicode)
        .replace("$P", &percent);
    let flag = |bit: u16| flags & (1 << bit) != 0;
    if flag(0) {
        body.insert_str(0, raw);
    }
    if flag(1) {
        body.push_str(raw);
    }
    if flag(2) {
        insert(&mut body, 2, raw);
    }
    if flag(3) {
        insert(&mut body, 1, &escaped);
    }
    if flag(4) {
        insert(&mut body, 3, &unicode);
    }
    if flag(5) {
        insert(&mut body, 2, &percent);
    }
    let now_ms = if flag(6) { 1_704_163_145_000.0 } else { 0.0 };
    let retry_after = match (flags >> 8) & 3 {
        0 => None,
        1 => Some("2".to_owned()),
        2 => Some("Sun, 06 Nov 1994 08:49:37 GMT".to_owned()),
        _ => Some(token.clone()),
    };
    let location = match (flags >> 10) & 7 {
        0 | 1 => None,
        2 => Some(format!("http://gewe.example/login?token={raw}")),
        3 => Some(format!("http://gewe.example/login?token={percent}")),
        4 => Some(format!("/v2/api/{raw}/x")),
        5 => Some(body.chars().take(300).collect()),
        _ => Some(format!("http://gewe.example/{}", "x".repeat(190)) + raw),
    };
    let headers = Headers {
        retry_after: retry_after.as_deref(),
        location: location.as_deref(),
    };
    let input = || format!("answer: status {status}, {headers:?}, body {body:?}");
    match verdict(status, headers, &body, &token, now_ms) {
        Verdict::Done(Err(e)) | Verdict::Retry { error: e, .. } => check_error(&token, &input, &e),
        Verdict::Done(Ok(success)) => {
            let mut all = vec![success.msg.clone()];
            if let Some(data) = &success.data {
                strings(data, &mut all);
            }
            let all: Vec<&str> = all.iter().map(String::as_str).collect();
            check(&token, &input, "success", &all);
        }
    }
});
