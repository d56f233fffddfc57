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
/// Default cap on an answer's body: GeWe's answers are tens of bytes; a gateway page a few KB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u32 = 1 << 20;
/// The largest `maxResponseBytes` accepted.
pub const MAX_RESPONSE_BYTES: u32 = 64 << 20;

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
    /// `maxResponseBytes`
    pub max_response_bytes: Input,
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
    /// The most bytes of an answer's body that are read.
    pub max_response_bytes: u32,
}

impl Options {
    /// Validates every option and returns the first problem, token first.
    pub fn validate(raw: &RawOptions) -> Result<Self, Error> {
        Ok(Options {
            token: token(&raw.token)?,
            endpoint: endpoint(&raw.base_url)?,
            timeout_ms: timeout_ms(&raw.timeout_ms)?.unwrap_or(DEFAULT_TIMEOUT_MS),
            retries: whole_number("retries", &raw.retries, u64::from(MAX_RETRIES))?
                .map_or(DEFAULT_RETRIES, |n| n as u32),
            revoke_window_sec: match raw.revoke_window_sec {
                Input::Null => None,
                ref input => Some(
                    whole_number("revokeWindowSec", input, u64::from(u32::MAX))?
                        .unwrap_or(DEFAULT_REVOKE_WINDOW_SEC),
                ),
            },
            app_id: match raw.app_id {
                Input::Undefined => None,
                ref input => Some(text::name("appId", input, Code::InvalidOptions)?),
            },
            max_response_bytes: max_response_bytes(&raw.max_response_bytes)?,
        })
    }
}

/// Validates `maxResponseBytes`: a whole number from 1 to 64 MiB.
fn max_response_bytes(input: &Input) -> Result<u32, Error> {
    match whole_number("maxResponseBytes", input, u64::from(MAX_RESPONSE_BYTES))? {
        None => Ok(DEFAULT_MAX_RESPONSE_BYTES),
        Some(0) => Err(Error::invalid_options(
            "maxResponseBytes",
            "maxResponseBytes must be at least 1.",
        )),
        Some(n) => Ok(n as u32),
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

/// Validates `baseUrl` and returns the revokeMsg endpoint under it: an absolute URL, or a path starting with one
/// `/` (see [`is_path`]) that the shell resolves against the page, as a page behind a proxy uses.
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
    // A path stays on the page's origin unless it starts `//host` or holds a backslash, which the URL parser reads
    // as `/` (so `/\\host` names another host).
    let authority = if url.starts_with('/') && !url.starts_with("//") && !url.contains('\\') {
        None
    } else {
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
                "baseUrl must be an http:// or https:// URL or a path such as /gewe/v2/api, got {}.",
                quote(url)
            ));
        };
        Some(rest.split('/').next().unwrap_or_default())
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        fail("baseUrl holds whitespace or a control character.".into())
    } else if url.contains(['?', '#']) {
        fail("baseUrl must not have a query or a fragment.".into())
    } else if authority == Some("") {
        fail(format!("baseUrl has no host: {}.", quote(url)))
    } else if authority.is_some_and(|a| a.contains('@')) {
        fail("baseUrl must not hold credentials; the token goes in the token option.".into())
    } else if let Some(authority) = authority.filter(|a| !valid_authority(a)) {
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

/// The port an absolute endpoint names, when it names one (`http://host:2531/...`); `None` for the scheme's
/// default and for a path. Read after [`endpoint`] validated it, so the authority is well formed.
pub fn port(endpoint: &str) -> Option<u16> {
    // `scheme://authority/...`: the authority is the third `/`-separated part (char patterns only: a `&str`
    // pattern brings std's two-way searcher into the .wasm).
    let authority = endpoint.split('/').nth(2).filter(|_| !is_path(endpoint))?;
    let digits = authority
        .get(authority.rfind(':')? + 1..)
        .filter(|d| !d.is_empty())?;
    // After a bracketed IPv6 address's last `:` come hex digits and `]`, which fail here.
    digits.bytes().try_fold(0u16, |port, b| {
        let digit = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        port.checked_mul(10)?.checked_add(u16::from(digit))
    })
}

/// Whether an endpoint is a path on the page's own origin rather than an absolute URL.
pub fn is_path(endpoint: &str) -> bool {
    endpoint.starts_with('/')
}

/// The refusal of a path `baseUrl` where there is no page to resolve it against (Node, Deno, Workers).
#[cold]
pub fn no_page_for_path() -> Error {
    Error::invalid_options(
        "baseUrl",
        "baseUrl is a path, and there is no page here to resolve it against: give an absolute URL.",
    )
}

/// Whether `host[:port]` is one the WHATWG URL parser accepts: a name (letters, digits, `-._~`, or non-ASCII
/// characters, left to the platform's IDNA), a dotted-quad IPv4 address, or a bracketed IPv6 address; a port of at
/// most 65535. Stricter than the parser where it is quirky (`0x7f.1`, `010.0.0.1`); the shell asks the platform's
/// parser too, which has the last word.
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
            (ipv6(addr), port)
        }
        None => {
            let (host, port) = match authority.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            };
            (valid_name(host), port)
        }
    };
    // Digits only first: u16's parser would also take a leading '+'.
    host_ok && port.is_none_or(|p| p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok())
}

/// An IPv6 address as the URL parser reads it: up to eight groups of 1 to 4 hex digits, at most one `::`, and an
/// optional dotted quad in place of the last two groups.
fn ipv6(addr: &str) -> bool {
    let (head, tail, compressed) = match text::find(addr, "::") {
        Some(at) => (
            addr.get(..at).unwrap_or_default(),
            addr.get(at + 2..).unwrap_or_default(),
            true,
        ),
        None => (addr, "", false),
    };
    // Groups in `part`; a dotted quad counts two and may only end the address.
    let groups = |part: &str, last: bool| -> Option<usize> {
        if part.is_empty() {
            return Some(0);
        }
        let mut pieces = part.split(':').peekable();
        let mut count = 0;
        while let Some(p) = pieces.next() {
            count += if last && pieces.peek().is_none() && p.contains('.') {
                dotted_quad(p).then_some(2)?
            } else {
                (!p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_hexdigit())).then_some(1)?
            };
        }
        Some(count)
    };
    let (Some(before), Some(after)) = (groups(head, !compressed), groups(tail, compressed)) else {
        return false;
    };
    if compressed {
        text::find(tail, "::").is_none() && before + after <= 7
    } else {
        before == 8
    }
}

/// A host name or IPv4 address. The URL parser reads a host whose last label is a number as IPv4, so such a host
/// must be a canonical dotted quad.
fn valid_name(host: &str) -> bool {
    let chars_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~') || !c.is_ascii());
    let last = host
        .strip_suffix('.')
        .unwrap_or(host)
        .rsplit('.')
        .next()
        .unwrap_or_default();
    let numeric = !last.is_empty()
        && (last.bytes().all(|b| b.is_ascii_digit())
            || last.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("0x"))
                && last.bytes().skip(2).all(|b| b.is_ascii_hexdigit()));
    chars_ok && (!numeric || dotted_quad(host))
}

/// `a.b.c.d`, each 0..=255 in plain decimal without leading zeros.
fn dotted_quad(host: &str) -> bool {
    let mut parts = 0;
    host.split('.').all(|p| {
        parts += 1;
        !p.is_empty()
            && p.len() <= 3
            && p.bytes().all(|b| b.is_ascii_digit())
            && (p.len() == 1 || !p.starts_with('0'))
            && p.parse::<u8>().is_ok()
    }) && parts == 4
}

/// Validates `timeoutMs`: a whole number 0..=2^31-1 (0 disables the deadline); `None` when absent.
pub fn timeout_ms(input: &Input) -> Result<Option<u32>, Error> {
    Ok(whole_number("timeoutMs", input, u64::from(MAX_TIMEOUT_MS))?.map(|n| n as u32))
}

/// Validates a whole-number option in `0..=max`; `None` when absent (`undefined`).
pub fn whole_number(field: &'static str, input: &Input, max: u64) -> Result<Option<u64>, Error> {
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

    #[test]
    fn the_port_an_endpoint_names() {
        assert_eq!(port("http://127.0.0.1:2531/v2/api/message/revokeMsg"), Some(2531));
        assert_eq!(port("https://[::1]:6000/x"), Some(6000));
        assert_eq!(port("http://[::1]/x"), None);
        assert_eq!(port("http://host:/x"), None);
        assert_eq!(port("http://api.geweapi.com/gewe/v2/api/message/revokeMsg"), None);
        assert_eq!(port("/gewe/v2/api/message/revokeMsg"), None);
    }

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
            max_response_bytes: Input::Undefined,
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
                max_response_bytes: 1 << 20,
            })
        );
    }

    #[test]
    fn max_response_bytes_is_a_whole_number_from_1_to_64_mib() {
        let with = |n| RawOptions {
            max_response_bytes: n,
            ..raw()
        };
        assert_eq!(
            Options::validate(&with(Input::Num(1.0)))
                .unwrap()
                .max_response_bytes,
            1
        );
        assert_eq!(
            Options::validate(&with(Input::Num(67_108_864.0)))
                .unwrap()
                .max_response_bytes,
            64 << 20
        );
        for bad in [
            Input::Num(0.0),
            Input::Num(67_108_865.0),
            Input::Num(1.5),
            Input::Null,
            s("1"),
        ] {
            let e = fails(with(bad.clone()));
            assert_eq!(
                (e.code, e.field),
                (Code::InvalidOptions, Some("maxResponseBytes")),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn hosts_the_url_parser_would_refuse_or_reread_are_refused() {
        for good in [
            "http://127.0.0.1:2531/v2/api",
            "http://0.0.0.0/x",
            "http://255.255.255.255/x",
            "http://[::1]:2531/v2/api",
            "http://[::ffff:1.2.3.4]/x",
            "http://[2001:db8::8a2e:370:7334]/x",
            "http://[1:2:3:4:5:6:7:8]/x",
            "http://[::]/x",
            "http://[1::]/x",
            "http://[1:2:3:4:5:6:1.2.3.4]/x",
            "http://api.geweapi.com./x",
            "http://host-1.example_x.cn/x",
            "http://1host.example/x",
            "http://例子.测试/x",
        ] {
            assert!(endpoint(&s(good)).is_ok(), "{good}");
        }
        for bad in [
            "http://999.1.1.1/x",
            "http://256.0.0.1/x",
            "http://1.2.3/x",
            "http://1.2.3.4.5/x",
            "http://010.0.0.1/x",
            "http://0x7f.1/x",
            "http://example.0x/x",
            "http://example.123/x",
            "http://[1:2]/x",
            "http://[::1%25eth0]/x",
            "http://[:::1]/x",
            "http://[]/x",
            "http://[1:2:3:4:5:6:7:8:9]/x",
            "http://[1:2:3:4:5:6:7]/x",
            "http://[1::2::3]/x",
            "http://[12345::]/x",
            "http://[:1::]/x",
            "http://[::1.2.3]/x",
            "http://[::01.2.3.4]/x",
            "http://[1.2.3.4::]/x",
            "http://[::1]x/x",
            "http://a%40b/x",
            "http://a\\b/x",
        ] {
            let e = endpoint(&s(bad)).unwrap_err();
            assert_eq!(
                (e.code, e.field),
                (Code::InvalidOptions, Some("baseUrl")),
                "{bad}"
            );
        }
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
            max_response_bytes: Input::Num(4096.0),
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
        for (path, want) in [
            ("/gewe/v2/api", "/gewe/v2/api/message/revokeMsg"),
            (" /gewe/v2/api/ ", "/gewe/v2/api/message/revokeMsg"),
            ("/", "/message/revokeMsg"),
        ] {
            let got = endpoint(&s(path)).unwrap();
            assert_eq!(got, want);
            assert!(is_path(&got));
        }
        assert!(!is_path(&endpoint(&s("https://example.com")).unwrap()));
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
        for path in [
            "//evil.example/v2/api",
            "/\\evil.example/v2/api",
            "/gewe/v2\\api",
            "/gewe v2",
            "/gewe?x",
            "/gewe#x",
            "/gewe/message/revokeMsg/",
        ] {
            let e = fails(RawOptions {
                base_url: s(path),
                ..raw()
            });
            assert_eq!(
                (e.code, e.field),
                (Code::InvalidOptions, Some("baseUrl")),
                "{path}"
            );
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
