//! Call options: token, endpoint, deadline, retries, revoke window and a default appId.

use super::request::REVOKE_PATH;
use super::text::{self, holds_placeholder, placeholder_error, quote};
use super::{Code, Error, Input};

/// Hosted GeWe's API base.
pub const DEFAULT_BASE_URL: &str = "http://api.geweapi.com/gewe/v2/api";
/// Default deadline for a whole call, retries included.
pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;
/// The largest delay `setTimeout` honours; larger values fire at once, so they are refused.
pub const MAX_TIMEOUT_MS: u32 = 2_147_483_647;
/// Default extra attempts after a network failure or a 429/502/503.
pub const DEFAULT_RETRIES: u32 = 1;
/// More retries than this only hammers a service that warns about call frequency.
pub const MAX_RETRIES: u32 = 10;
/// WeChat lets a sender revoke a message for about two minutes.
pub const DEFAULT_REVOKE_WINDOW_SEC: u64 = 120;
/// Tokens longer than this are not tokens.
pub const MAX_TOKEN_CHARS: usize = 4096;

/// Options as read off a JS object, not yet validated (`fetch` and `signal` stay in the shell).
#[derive(Clone, Debug, PartialEq)]
pub struct RawOptions {
    /// `token`
    pub token: Input,
    /// `baseUrl`
    pub base_url: Input,
    /// `timeoutMs`
    pub timeout_ms: Input,
    /// `retries`
    pub retries: Input,
    /// `revokeWindowSec`
    pub revoke_window_sec: Input,
    /// `appId`
    pub app_id: Input,
}

/// Valid options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The `X-GEWE-TOKEN` header value.
    pub token: String,
    /// The full revokeMsg URL.
    pub endpoint: String,
    /// Deadline for the whole call in ms; 0 means none.
    pub timeout_ms: u32,
    /// Extra attempts allowed.
    pub retries: u32,
    /// Revoke window in seconds; `None` disables the check.
    pub revoke_window_sec: Option<u64>,
    /// appId used when params omit it.
    pub app_id: Option<String>,
}

impl Options {
    /// Validates every option and returns the first problem, token first.
    pub fn validate(raw: &RawOptions) -> Result<Self, Error> {
        Ok(Options {
            token: token(&raw.token)?,
            endpoint: endpoint(&raw.base_url)?,
            timeout_ms: timeout_ms(&raw.timeout_ms)?.unwrap_or(DEFAULT_TIMEOUT_MS),
            retries: whole("retries", &raw.retries, u64::from(MAX_RETRIES))?
                .map_or(DEFAULT_RETRIES, |n| n as u32),
            revoke_window_sec: match raw.revoke_window_sec {
                Input::Null => None,
                ref input => Some(
                    whole("revokeWindowSec", input, u64::from(u32::MAX))?
                        .unwrap_or(DEFAULT_REVOKE_WINDOW_SEC),
                ),
            },
            app_id: match raw.app_id {
                Input::Undefined => None,
                ref input => Some(text::name("appId", input, Code::InvalidOptions)?),
            },
        })
    }
}

/// Validates the token: required, no placeholder, trimmed, printable ASCII (a valid header value). Never echoed.
pub fn token(input: &Input) -> Result<String, Error> {
    let fail = |message: &str| Err(Error::invalid_options("token", message));
    let raw = match input {
        Input::Str(s) => s,
        Input::Undefined | Input::Null => {
            return fail("token is required: pass the X-GEWE-TOKEN value from the GeWe console.")
        }
        _ => return fail("token must be a string."),
    };
    if holds_placeholder(raw) {
        return Err(placeholder_error("token", None));
    }
    let value = raw.trim();
    if value.is_empty() {
        fail("token is empty.")
    } else if value.len() > MAX_TOKEN_CHARS {
        fail("token is longer than 4096 characters.")
    } else if !value.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) {
        fail("token is not a valid header value: it holds a control or non-ASCII character.")
    } else {
        Ok(value.to_owned())
    }
}

/// Validates `baseUrl` and returns the revokeMsg endpoint under it.
pub fn endpoint(input: &Input) -> Result<String, Error> {
    let fail = |message: String| Err(Error::invalid_options("baseUrl", message));
    let raw = match input {
        Input::Undefined => return Ok(format!("{DEFAULT_BASE_URL}{REVOKE_PATH}")),
        Input::Str(s) => s,
        other => return fail(format!("baseUrl must be a string, got {}.", other.type_name())),
    };
    if holds_placeholder(raw) {
        return Err(placeholder_error("baseUrl", Some(raw)));
    }
    let url = raw.trim();
    let rest = ["http://", "https://"]
        .iter()
        .find_map(|scheme| {
            url.get(..scheme.len())
                .filter(|s| s.eq_ignore_ascii_case(scheme))
                .map(|_| scheme)
        })
        .and_then(|scheme| url.get(scheme.len()..));
    let Some(rest) = rest else {
        return fail(format!(
            "baseUrl must be an http:// or https:// URL, got {}.",
            quote(url)
        ));
    };
    let authority = rest.split('/').next().unwrap_or_default();
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        fail("baseUrl holds whitespace or a control character.".into())
    } else if url.contains(['?', '#']) {
        fail("baseUrl must not have a query or a fragment.".into())
    } else if authority.is_empty() {
        fail(format!("baseUrl has no host: {}.", quote(url)))
    } else if authority.contains('@') {
        fail("baseUrl must not hold credentials; the token goes in the token option.".into())
    } else if !valid_authority(authority) {
        fail(format!(
            "baseUrl has an invalid host or port: {}.",
            quote(authority)
        ))
    } else {
        let base = url.trim_end_matches('/');
        if base.ends_with(REVOKE_PATH) {
            return fail(format!(
                "baseUrl is the API base such as {DEFAULT_BASE_URL}, not the revokeMsg endpoint itself."
            ));
        }
        Ok(format!("{base}{REVOKE_PATH}"))
    }
}

/// Whether `host[:port]` is one the URL parser accepts: a name (letters, digits, `-._~`, or non-ASCII
/// characters, left to IDNA), an IPv4 address, or a bracketed IPv6 address; a port of at most 65535.
fn valid_authority(authority: &str) -> bool {
    let (host_ok, port) = match authority.strip_prefix('[') {
        Some(bracketed) => {
            let Some((addr, rest)) = bracketed.split_once(']') else {
                return false;
            };
            let port = match rest {
                "" => None,
                _ => match rest.strip_prefix(':') {
                    Some(port) => Some(port),
                    None => return false,
                },
            };
            let v6 = !addr.is_empty()
                && addr
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
            (v6, port)
        }
        None => {
            let (host, port) = match authority.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            };
            let name = !host.is_empty()
                && host.chars().all(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~') || !c.is_ascii()
                });
            (name, port)
        }
    };
    // Digits only first: u16's parser would also take a leading '+'.
    host_ok && port.is_none_or(|p| p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok())
}

/// Validates `timeoutMs`: a whole number 0..=2^31-1 (0 disables the deadline); `None` when absent.
pub fn timeout_ms(input: &Input) -> Result<Option<u32>, Error> {
    Ok(whole("timeoutMs", input, u64::from(MAX_TIMEOUT_MS))?.map(|n| n as u32))
}

/// Validates a whole-number option in `0..=max`; `None` when absent (`undefined`).
pub fn whole(field: &'static str, input: &Input, max: u64) -> Result<Option<u64>, Error> {
    match input {
        Input::Undefined => Ok(None),
        Input::Num(n) if n.is_finite() && n.fract() == 0.0 && *n >= 0.0 && *n <= max as f64 => {
            Ok(Some(*n as u64))
        }
        Input::Num(_) => Err(Error::invalid_options(
            field,
            format!("{field} must be a whole number from 0 to {max}."),
        )),
        other => Err(Error::invalid_options(
            field,
            format!("{field} must be a number, got {}.", other.type_name()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Input {
        Input::Str(v.into())
    }

    pub(crate) fn raw() -> RawOptions {
        RawOptions {
            token: s("tok-123"),
            base_url: Input::Undefined,
            timeout_ms: Input::Undefined,
            retries: Input::Undefined,
            revoke_window_sec: Input::Undefined,
            app_id: Input::Undefined,
        }
    }

    fn fails(raw: RawOptions) -> Error {
        Options::validate(&raw).unwrap_err()
    }

    #[test]
    fn defaults() {
        assert_eq!(
            Options::validate(&raw()),
            Ok(Options {
                token: "tok-123".into(),
                endpoint: "http://api.geweapi.com/gewe/v2/api/message/revokeMsg".into(),
                timeout_ms: 10_000,
                retries: 1,
                revoke_window_sec: Some(120),
                app_id: None,
            })
        );
    }

    #[test]
    fn explicit_values() {
        let o = Options::validate(&RawOptions {
            token: s("  tok 123\n"),
            base_url: s("HTTP://10.0.0.2:2531/v2/api//"),
            timeout_ms: Input::Num(0.0),
            retries: Input::Num(10.0),
            revoke_window_sec: Input::Null,
            app_id: s(" wx_app "),
        })
        .unwrap();
        assert_eq!(o.token, "tok 123");
        assert_eq!(o.endpoint, "HTTP://10.0.0.2:2531/v2/api/message/revokeMsg");
        assert_eq!((o.timeout_ms, o.retries, o.revoke_window_sec), (0, 10, None));
        assert_eq!(o.app_id.as_deref(), Some("wx_app"));
        let o = Options::validate(&RawOptions {
            revoke_window_sec: Input::Num(0.0),
            ..raw()
        })
        .unwrap();
        assert_eq!(o.revoke_window_sec, Some(0));
        assert_eq!(
            endpoint(&s("https://example.com")).unwrap(),
            "https://example.com/message/revokeMsg"
        );
    }

    #[test]
    fn token_errors_never_echo_the_token() {
        let cases = [
            (Input::Undefined, Code::InvalidOptions, "token is required"),
            (Input::Null, Code::InvalidOptions, "token is required"),
            (Input::Num(5.0), Code::InvalidOptions, "token must be a string."),
            (s(" \t"), Code::InvalidOptions, "token is empty."),
            (s(&"k".repeat(4097)), Code::InvalidOptions, "longer than 4096"),
            (
                s("sekret\r\nX-Evil: 1"),
                Code::InvalidOptions,
                "not a valid header value",
            ),
            (s("sekret密"), Code::InvalidOptions, "not a valid header value"),
            (
                s("{{gewe-token}}sekret"),
                Code::Placeholder,
                "template placeholder such as {{gewe-token}}",
            ),
        ];
        for (input, code, needle) in cases {
            let e = fails(RawOptions {
                token: input.clone(),
                ..raw()
            });
            assert_eq!((e.code, e.field), (code, Some("token")), "{input:?}");
            assert!(e.message.contains(needle), "{}", e.message);
            assert!(!e.message.contains("sekret"), "{}", e.message);
        }
    }

    #[test]
    fn base_url_errors() {
        let cases = [
            (Input::Null, "must be a string, got null"),
            (
                s("api.geweapi.com/gewe/v2/api"),
                "must be an http:// or https:// URL",
            ),
            (s("ftp://x/y"), "must be an http:// or https:// URL"),
            (s("http://"), "has no host"),
            (s("http:///v2/api"), "has no host"),
            (s("http://a b/"), "whitespace"),
            (s("http://x/v2?x=1"), "query or a fragment"),
            (s("http://x/v2#top"), "query or a fragment"),
            (s("http://user:pw@x/v2"), "credentials"),
            (
                s("http://x/gewe/v2/api/message/revokeMsg"),
                "not the revokeMsg endpoint",
            ),
        ];
        for (input, needle) in cases {
            let e = fails(RawOptions {
                base_url: input.clone(),
                ..raw()
            });
            assert_eq!(
                (e.code, e.field),
                (Code::InvalidOptions, Some("baseUrl")),
                "{input:?}"
            );
            assert!(e.message.contains(needle), "{input:?}: {}", e.message);
        }
        let e = fails(RawOptions {
            base_url: s("http://{{host}}:2531/v2/api"),
            ..raw()
        });
        assert_eq!((e.code, e.field), (Code::Placeholder, Some("baseUrl")));
    }

    #[test]
    fn number_option_errors() {
        for (field, bad) in [
            ("timeoutMs", Input::Num(-1.0)),
            ("timeoutMs", Input::Num(2_147_483_648.0)),
            ("timeoutMs", Input::Num(1.5)),
            ("timeoutMs", Input::Num(f64::NAN)),
            ("timeoutMs", Input::Null),
            ("timeoutMs", s("100")),
            ("retries", Input::Num(11.0)),
            ("retries", Input::Num(-1.0)),
            ("revokeWindowSec", Input::Num(f64::INFINITY)),
            ("revokeWindowSec", Input::Other("a boolean")),
        ] {
            let mut r = raw();
            match field {
                "timeoutMs" => r.timeout_ms = bad.clone(),
                "retries" => r.retries = bad.clone(),
                _ => r.revoke_window_sec = bad.clone(),
            }
            let e = fails(r);
            assert_eq!((e.code, e.field), (Code::InvalidOptions, Some(field)), "{bad:?}");
        }
    }

    #[test]
    fn app_id_option_errors() {
        let e = fails(RawOptions {
            app_id: s(""),
            ..raw()
        });
        assert_eq!((e.code, e.field), (Code::InvalidOptions, Some("appId")));
        let e = fails(RawOptions {
            app_id: s("{{appid}}"),
            ..raw()
        });
        assert_eq!((e.code, e.field), (Code::Placeholder, Some("appId")));
    }
}
