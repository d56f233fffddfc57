//! Text fields (`appId`, `toWxid`) and the template-placeholder check that applies to every value.

use super::{Code, Error, Input};

/// The longest `appId` or `toWxid` accepted, in characters.
pub const MAX_NAME_CHARS: usize = 256;

/// Whether `s` still holds a template placeholder such as `{{appid}}`, pasted from GeWe's API console.
pub fn holds_placeholder(s: &str) -> bool {
    find(s, "{{").is_some_and(|at| s.get(at + 2..).is_some_and(|rest| find(rest, "}}").is_some()))
}

/// The byte offset of the first `needle` in `haystack`. A plain scan: the texts are short, and std's two-way
/// searcher brings its panic paths into the wasm (BENCHMARKS.md has the figure).
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    (0..=h.len().checked_sub(n.len())?).find(|&at| h.get(at..at + n.len()) == Some(n))
}

/// `PLACEHOLDER` for `field`; `shown` is the value to quote, `None` for secrets.
pub fn placeholder_error(field: &'static str, shown: Option<&str>) -> Error {
    let what = match shown {
        Some(value) => format!("{field} still holds a template placeholder ({})", quote(value)),
        None => format!("{field} still holds a template placeholder such as {{{{gewe-token}}}}"),
    };
    Error::new(
        Code::Placeholder,
        format!("{what}: replace it with the real value from the GeWe console."),
    )
    .at(field)
}

/// A value quoted for a message, cut to 40 characters so an error never becomes a dump.
pub fn quote(value: &str) -> String {
    format!("\"{}\"", cut(value, 40))
}

/// At most `max` characters of `value`, with `…` when something was cut.
pub fn cut(value: &str, max: usize) -> String {
    match value.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", value.get(..at).unwrap_or_default()),
        None => value.to_owned(),
    }
}

/// Validates an id-like name (`appId`, `toWxid`): a string, trimmed, 1..=256 characters, no control characters.
/// `invalid` is the code for malformed values (`INVALID_PARAMS` or `INVALID_OPTIONS`).
pub fn name(field: &'static str, input: &Input, invalid: Code) -> Result<String, Error> {
    let fail = |message: String| Err(Error::new(invalid, message).at(field));
    let raw = match input {
        Input::Str(s) => s,
        Input::Undefined | Input::Null => return fail(format!("{field} is required.")),
        other => return fail(format!("{field} must be a string, got {}.", other.type_name())),
    };
    if holds_placeholder(raw) {
        return Err(placeholder_error(field, Some(raw)));
    }
    let value = raw.trim();
    if value.is_empty() {
        fail(format!("{field} is empty."))
    } else if value.chars().count() > MAX_NAME_CHARS {
        fail(format!("{field} is longer than {MAX_NAME_CHARS} characters."))
    } else if value.chars().any(char::is_control) {
        fail(format!("{field} holds a control character."))
    } else {
        Ok(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Input {
        Input::Str(v.into())
    }

    #[test]
    fn detects_placeholders() {
        assert!(holds_placeholder("{{appid}}"));
        assert!(holds_placeholder("wx_{{ appid }}_x"));
        assert!(!holds_placeholder("{appid}"));
        assert!(!holds_placeholder("}}{{"));
        assert!(!holds_placeholder("{{"));
        assert!(!holds_placeholder("34757816141@chatroom"));
    }

    #[test]
    fn finds_substrings() {
        assert_eq!(find("abc{{x}}", "{{"), Some(3));
        assert_eq!(find("撤回时间到", "时间"), Some(6));
        assert_eq!(find("ab", "abc"), None);
        assert_eq!(find("", ""), Some(0));
        assert_eq!(find("aaa", ""), Some(0));
    }

    #[test]
    fn trims_and_accepts_names() {
        assert_eq!(
            name("toWxid", &s("  34757816141@chatroom\n"), Code::InvalidParams).unwrap(),
            "34757816141@chatroom"
        );
        assert_eq!(
            name("toWxid", &s(&"好".repeat(256)), Code::InvalidParams)
                .unwrap()
                .chars()
                .count(),
            256
        );
    }

    #[test]
    fn refuses_bad_names_with_the_field() {
        let cases = [
            (Input::Undefined, "toWxid is required."),
            (Input::Null, "toWxid is required."),
            (Input::Num(1.0), "toWxid must be a string, got a number."),
            (
                Input::Other("an object"),
                "toWxid must be a string, got an object.",
            ),
            (s("   "), "toWxid is empty."),
            (s(&"x".repeat(257)), "toWxid is longer than 256 characters."),
            (s("wx\u{0}id"), "toWxid holds a control character."),
            (s("wx\u{7f}id"), "toWxid holds a control character."),
        ];
        for (input, message) in cases {
            let err = name("toWxid", &input, Code::InvalidParams).unwrap_err();
            assert_eq!(
                (err.code, err.field, err.message.as_str()),
                (Code::InvalidParams, Some("toWxid"), message)
            );
        }
        let err = name("appId", &Input::Null, Code::InvalidOptions).unwrap_err();
        assert_eq!((err.code, err.field), (Code::InvalidOptions, Some("appId")));
    }

    #[test]
    fn refuses_placeholders_before_anything_else() {
        let err = name("appId", &s(" {{appid}} "), Code::InvalidParams).unwrap_err();
        assert_eq!(err.code, Code::Placeholder);
        assert_eq!(err.field, Some("appId"));
        assert!(err.message.contains("{{appid}}"), "{}", err.message);
    }

    #[test]
    fn quotes_are_cut() {
        assert_eq!(quote("abc"), "\"abc\"");
        assert_eq!(quote(&"x".repeat(41)), format!("\"{}…\"", "x".repeat(40)));
    }
}
