//! Token redaction: every string that leaves the library passes through here first.
//!
//! GeWe echoes a bad token in its `msg`, gateways echo headers in error pages, and a body can hold the token
//! JSON-escaped (`\"`, `\u003c`) or percent-encoded (`%3C`). So a match is any spelling of the token in which each
//! character is written literally, as a JSON escape, or as percent-encoded UTF-8 bytes.

/// What a token becomes in messages.
pub const REDACTED: &str = "[redacted]";

/// `text` with every spelling of `secret` replaced, and the guarantee that no spelling is left afterwards.
///
/// A replacement can itself complete a spelling with its neighbours (`]abc` + `[redacted]` for the token `]abc[`);
/// then every match is replaced by a run of a character the token does not hold, which cannot take part in one.
pub fn redact(text: &str, secret: &str) -> String {
    if secret.is_empty() || find(text, secret).is_none() {
        return text.to_owned();
    }
    let out = replace(text, secret, REDACTED);
    if find(&out, secret).is_none() {
        return out;
    }
    let filler = filler_for(secret);
    replace(text, secret, &[filler; 3].iter().collect::<String>())
}

/// Whether `text` holds a spelling of `secret` (a non-empty one).
pub fn contains(text: &str, secret: &str) -> bool {
    !secret.is_empty() && find(text, secret).is_some()
}

/// The byte range of the first spelling of `secret` in `text`, longest at its start.
fn find(text: &str, secret: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    (0..bytes.len()).find_map(|at| spelled_at(bytes, at, secret).map(|end| (at, end)))
}

fn replace(text: &str, secret: &str, with: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        match spelled_at(bytes, at, secret) {
            Some(end) => {
                out.push_str(text.get(copied..at).unwrap_or_default());
                out.push_str(with);
                copied = end;
                at = end;
            }
            None => at += 1,
        }
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out
}

/// A character absent from `secret` and from every escape alphabet, so a run of it can never be part of a spelling.
fn filler_for(secret: &str) -> char {
    ['*', '#', '~', '!', '^']
        .into_iter()
        .chain('\u{E000}'..='\u{F8FF}')
        .find(|&c| !secret.chars().any(|s| s == c))
        .unwrap_or('*')
}

/// Where a spelling of `secret` that starts at `at` ends (the longest one), if there is one.
fn spelled_at(text: &[u8], at: usize, secret: &str) -> Option<usize> {
    let mut chars = secret.chars();
    let first = chars.next()?;
    // Most positions fail on the first character: decide that before allocating anything.
    let mut ends = spellings(text, at, first);
    for c in chars {
        if ends.is_empty() {
            return None;
        }
        let mut next = Vec::new();
        for &end in &ends {
            for e in spellings(text, end, c) {
                if !next.contains(&e) {
                    next.push(e);
                }
            }
        }
        ends = next;
    }
    ends.into_iter().max()
}

/// Where each spelling of the character `c` that starts at `at` ends.
fn spellings(text: &[u8], at: usize, c: char) -> Vec<usize> {
    let mut ends = Vec::new();
    if text.get(at) == Some(&b'\\') {
        if let Some(end) = json_escape(text, at, c) {
            ends.push(end);
        }
    }
    let mut utf8 = [0u8; 4];
    bytes_at(text, at, c.encode_utf8(&mut utf8).as_bytes(), &mut ends);
    ends
}

/// Pushes where `want` ends when each of its bytes is written literally or as `%XX` (a space also as `+`).
fn bytes_at(text: &[u8], at: usize, want: &[u8], ends: &mut Vec<usize>) {
    let Some((&b, rest)) = want.split_first() else {
        ends.push(at);
        return;
    };
    let literal = text.get(at) == Some(&b) || (b == b' ' && text.get(at) == Some(&b'+'));
    if literal {
        bytes_at(text, at + 1, rest, ends);
    }
    if text.get(at) == Some(&b'%') && hex(text, at + 1, 2) == Some(u32::from(b)) {
        bytes_at(text, at + 3, rest, ends);
    }
}

/// Where a JSON escape of `c` starting at `at` (a backslash) ends.
fn json_escape(text: &[u8], at: usize, c: char) -> Option<usize> {
    let short = match c {
        '"' => Some(b'"'),
        '\\' => Some(b'\\'),
        '/' => Some(b'/'),
        '\u{8}' => Some(b'b'),
        '\u{c}' => Some(b'f'),
        '\n' => Some(b'n'),
        '\r' => Some(b'r'),
        '\t' => Some(b't'),
        _ => None,
    };
    if short.is_some() && text.get(at + 1).copied() == short {
        return Some(at + 2);
    }
    let mut units = [0u16; 2];
    let mut end = at;
    for &unit in c.encode_utf16(&mut units).iter() {
        let escaped = text.get(end) == Some(&b'\\') && text.get(end + 1) == Some(&b'u');
        if !escaped || hex(text, end + 2, 4) != Some(u32::from(unit)) {
            return None;
        }
        end += 6;
    }
    Some(end)
}

/// The value of `len` hex digits at `at`.
fn hex(text: &[u8], at: usize, len: usize) -> Option<u32> {
    text.get(at..at + len)?
        .iter()
        .try_fold(0u32, |n, &b| Some(n * 16 + char::from(b).to_digit(16)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn replaces_literal_occurrences() {
        assert_eq!(redact("token=sekret;", "sekret"), "token=[redacted];");
        assert_eq!(redact("sekretsekret", "sekret"), "[redacted][redacted]");
        assert_eq!(redact("nothing here", "sekret"), "nothing here");
        assert_eq!(redact("撤回 sekret 失败", "sekret"), "撤回 [redacted] 失败");
        assert_eq!(redact("abc", ""), "abc");
    }

    #[test]
    fn replaces_json_escaped_and_percent_encoded_spellings() {
        let token = r#"a"b\c/d<e"#;
        for spelled in [
            r#"a\"b\\c\/d\u003ce"#,
            r#"a\u0022b\u005Cc/d<e"#,
            "a%22b%5Cc%2Fd%3Ce",
            "a%22b%5cc/d%3ce",
        ] {
            assert_eq!(
                redact(&format!("x={spelled}!"), token),
                "x=[redacted]!",
                "{spelled}"
            );
        }
        assert_eq!(redact("tok+en", "tok en"), "[redacted]");
        assert_eq!(redact(r#"\ud83d\ude00x"#, "😀x"), "[redacted]");
        assert_eq!(redact("%E6%92%A4", "撤"), "[redacted]");
    }

    #[test]
    fn a_replacement_never_completes_the_token() {
        // `]abc` + `[redacted]` would spell `]abc[` again.
        let out = redact("]abc]abc[", "]abc[");
        assert!(!contains(&out, "]abc["), "{out}");
        for token in ["[", "]", "ed", "[redacted]", "d]x[", "dact"] {
            let out = redact(&format!("x{token}y{token}{token}"), token);
            assert!(!contains(&out, token), "{token}: {out}");
        }
    }

    fn token() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                prop::char::range(' ', '~'),
                Just('<'),
                Just('>'),
                Just('['),
                Just(']'),
                Just('\\'),
                Just('"'),
                Just('%'),
                prop::char::any(),
            ],
            1..12,
        )
        .prop_map(|chars| chars.into_iter().collect())
    }

    fn escaped(token: &str) -> String {
        let mut out = String::new();
        crate::core::json::write_str(&mut out, token);
        out.trim_matches('"').to_owned()
    }

    proptest! {
        #[test]
        fn nothing_spells_the_token_afterwards(token in token(), parts in prop::collection::vec(".{0,8}", 0..6)) {
            let text = parts.join(&token) + &escaped(&token) + &parts.concat();
            let out = redact(&text, &token);
            prop_assert!(!contains(&out, &token), "{:?} in {:?}", token, out);
            prop_assert!(!out.contains(&token));
        }

        #[test]
        fn text_without_the_token_is_unchanged(token in token(), text in ".{0,40}") {
            prop_assume!(!contains(&text, &token));
            prop_assert_eq!(redact(&text, &token), text);
        }
    }
}
