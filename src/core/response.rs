//! What a GeWe answer means: success only for a 2xx JSON object with `ret: 200`.

use super::json::{self, write_js_view, write_str, Json, Member};
use super::redact::redact;
use super::text::{cut, find};
use super::{retry, Code, Error};

/// The longest body excerpt put into an error, in characters.
pub const EXCERPT_CHARS: usize = 200;
/// The longest `apiMsg` (and redirect target) put into an error, in characters.
pub const MESSAGE_CHARS: usize = 1000;

/// A successful revoke: `ret` was 200.
#[derive(Clone, Debug, PartialEq)]
pub struct Success {
    /// GeWe's `msg`, e.g. `操作成功`.
    pub msg: String,
    /// GeWe's `data`, when present and not too deep or large to pass on.
    pub data: Option<Json>,
}

impl Success {
    /// The result as JSON text, `{ ret: 200, msg, data? }` with `data` in the library's JS view
    /// ([`json::write_js_view`]): what the shell's one `JSON.parse` makes into the JS object.
    pub fn js_text(&self) -> String {
        let mut out = String::with_capacity(32 + self.msg.len());
        out.push_str("{\"ret\":200,\"msg\":");
        write_str(&mut out, &self.msg);
        if let Some(data) = &self.data {
            out.push_str(",\"data\":");
            write_js_view(&mut out, data);
        }
        out.push('}');
        out
    }
}

/// What to do once an answer has arrived.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// The call is over: success or a failure that another attempt would not change.
    Done(Result<Success, Error>),
    /// A 429/502/503: the gateway says it did not pass the request on, so another attempt is safe, after at
    /// least `retry_after_ms` when the server said so.
    Retry {
        /// The failure to report if no attempt is left.
        error: Error,
        /// The server's `Retry-After`, in ms from now.
        retry_after_ms: Option<f64>,
    },
}

/// The headers a verdict reads.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Headers<'a> {
    /// `Retry-After`
    pub retry_after: Option<&'a str>,
    /// `Location`
    pub location: Option<&'a str>,
}

/// Decides on an answer: retryable statuses ask for another attempt, everything else is final.
/// Any JSON answer is final, `ret: 500` included: the service has spoken. No string of the error holds the token.
pub fn verdict(status: u16, headers: Headers<'_>, body: &str, token: &str, now_ms: f64) -> Verdict {
    if retry::retryable_status(status) {
        Verdict::Retry {
            error: http_status(status, body, token).redacted(token),
            retry_after_ms: headers
                .retry_after
                .and_then(|v| retry::parse_retry_after(v, now_ms)),
        }
    } else if is_redirect(status) {
        Verdict::Done(Err(redirect(status, headers.location, token).redacted(token)))
    } else {
        Verdict::Done(interpret(status, body, token).map_err(|e| e.redacted(token)))
    }
}

/// Whether `status` is a redirect, which is never followed: a 3xx, or 0, which is how browsers show one under
/// `redirect: 'manual'`. Its body is not worth reading.
pub fn is_redirect(status: u16) -> bool {
    status == 0 || (300..400).contains(&status)
}

/// Interprets an answer. GeWe reports failures as HTTP 200 with `ret` other than 200, so 2xx alone proves nothing.
/// Every string from the answer that reaches the error has `token` redacted: GeWe echoes a bad token back.
pub fn interpret(status: u16, body: &str, token: &str) -> Result<Success, Error> {
    if !(200..300).contains(&status) {
        return Err(http_status(status, body, token));
    }
    let bad = |what: &str| {
        let excerpt = excerpt(body, token);
        let mut e = Error::new(
            Code::BadResponse,
            format!("GeWe answered HTTP {status} with {what}: {excerpt}"),
        )
        .maybe_delivered();
        e.status = Some(status);
        e.body = Some(excerpt);
        e
    };
    let answer = match json::envelope(body) {
        Ok(Some(answer)) => answer,
        Ok(None) => return Err(bad("JSON that is not an object")),
        Err(_) => return Err(bad("a body that is not JSON")),
    };
    let ret = match &answer.ret {
        Member::Kept(ret) => ret.as_i64(),
        _ => None,
    };
    let Some(ret) = ret else {
        return Err(bad("JSON without an integer ret"));
    };
    let msg = match &answer.msg {
        Member::Kept(Json::String(msg)) => cut(&redact(msg, token), MESSAGE_CHARS),
        _ => String::new(),
    };
    let data = match answer.data {
        Member::Kept(mut data) => {
            data.redact(token);
            Some(data)
        }
        Member::Absent | Member::Omitted => None,
    };
    if ret == 200 {
        return Ok(Success { msg, data });
    }
    let detail = data.as_ref().and_then(|d| d.get("msg")).and_then(Json::as_str);
    let mut e = Error::new(
        Code::ApiError,
        match detail {
            Some(detail) => format!(
                "GeWe refused the call with ret {ret}: {msg} ({}).",
                cut(detail, MESSAGE_CHARS)
            ),
            None => format!("GeWe refused the call with ret {ret}: {msg}."),
        },
    );
    e.field = blamed_field(&msg);
    e.status = Some(status);
    e.ret = Some(ret);
    e.api_msg = Some(msg);
    e.data = data;
    Err(e)
}

/// The option or parameter a GeWe failure message points at, where it is clear.
fn blamed_field(api_msg: &str) -> Option<&'static str> {
    if find(api_msg, "X-GEWE-TOKEN").is_some() {
        Some("token")
    } else if find(api_msg, "撤回时间").is_some() {
        Some("createTime")
    } else {
        None
    }
}

/// `HTTP_STATUS` for a non-2xx answer, with a short excerpt of its body. A 5xx other than 502/503 may come after
/// GeWe received the request.
pub fn http_status(status: u16, body: &str, token: &str) -> Error {
    let excerpt = excerpt(body, token);
    let message = if excerpt.is_empty() {
        format!("GeWe answered HTTP {status} with an empty body.")
    } else {
        format!("GeWe answered HTTP {status}: {excerpt}")
    };
    let mut e = Error::new(Code::HttpStatus, message);
    e.maybe_delivered = status >= 500 && !retry::retryable_status(status);
    e.status = Some(status);
    e.body = Some(excerpt);
    e
}

/// `HTTP_STATUS` for a redirect, which is never followed: the token goes to GeWe only. Status 0 is how browsers
/// show a redirect under `redirect: 'manual'` (they hide where it points).
fn redirect(status: u16, location: Option<&str>, token: &str) -> Error {
    let location = location.map(|l| cut(&redact(l, token), EXCERPT_CHARS));
    let what = match (&location, status) {
        (_, 0) => "a redirect".to_owned(),
        (Some(to), _) => format!("HTTP {status}, a redirect to {to}"),
        (None, _) => format!("HTTP {status}, a redirect"),
    };
    let message =
        format!("GeWe answered {what}, which is not followed: the token goes to GeWe only. Check baseUrl.");
    let mut e = Error::new(Code::HttpStatus, message);
    e.status = Some(status);
    e.location = location;
    e
}

/// A body cut for an error: the token redacted from the raw text first, then markup tags dropped, whitespace
/// folded (and redacted again, as folding can join a spelling), at most 200 characters.
pub fn excerpt(body: &str, token: &str) -> String {
    let raw = redact(body, token);
    let mut text = String::new();
    let mut in_tag = false;
    let mut pending_space = false;
    for c in raw.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                pending_space = true;
            }
            _ if in_tag => {}
            c if c.is_whitespace() || c.is_control() => pending_space = true,
            c => {
                if pending_space && !text.is_empty() {
                    text.push(' ');
                }
                pending_space = false;
                text.push(c);
            }
        }
    }
    cut(&redact(&text, token), EXCERPT_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_text_is_the_result_as_json_data_only_when_given() {
        let mut ok = Success {
            msg: "操作\"成功\"".into(),
            data: json::parse(r#"{"newMsgId":3768973957878705021,"n":1}"#).ok(),
        };
        assert_eq!(
            ok.js_text(),
            r#"{"ret":200,"msg":"操作\"成功\"","data":{"newMsgId":"3768973957878705021","n":1}}"#
        );
        ok.data = None;
        assert_eq!(ok.js_text(), r#"{"ret":200,"msg":"操作\"成功\""}"#);
    }
    use crate::core::redact::contains;
    use proptest::prelude::*;

    const TOKEN: &str = "tok-2c5f9e";

    /// Every string an error holds: message, apiMsg, body, location and every string of data, keys included.
    fn strings(e: &Error) -> Vec<String> {
        fn walk(j: &Json, out: &mut Vec<String>) {
            match j {
                Json::String(s) => out.push(s.clone()),
                Json::Array(items) => items.iter().for_each(|v| walk(v, out)),
                Json::Object(members) => members.iter().for_each(|(k, v)| {
                    out.push(k.clone());
                    walk(v, out);
                }),
                _ => {}
            }
        }
        let mut out: Vec<String> = [
            Some(&e.message),
            e.api_msg.as_ref(),
            e.body.as_ref(),
            e.location.as_ref(),
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
        if let Some(data) = &e.data {
            walk(data, &mut out);
        }
        out
    }

    fn token() -> impl Strategy<Value = String> {
        let c = prop_oneof![
            4 => prop::char::range('!', '~'),
            1 => prop::sample::select(vec!['<', '>', '[', ']', ' ', '"', '\\', '%', '&']),
            1 => prop::char::any(),
        ];
        prop::collection::vec(c, 1..16)
            .prop_map(|cs| cs.into_iter().collect::<String>())
            .prop_filter("not blank", |t| !t.trim().is_empty())
    }

    proptest! {
        // GeWe, a gateway or a redirect echoing the token raw, JSON-escaped or inside markup: no error string of the
        // verdict ever holds it, in any spelling.
        #[test]
        fn no_error_string_holds_the_token(
            token in token(),
            status in prop::sample::select(vec![200u16, 204, 302, 307, 401, 429, 500, 502, 503, 504]),
            before in ".{0,12}",
            after in ".{0,12}",
            shape in 0usize..4,
        ) {
            let mut escaped = String::new();
            json::write_str(&mut escaped, &token);
            let body = match shape {
                0 => format!("{before}{token}{after}"),
                1 => format!("<html><p>{before}</p>{token}  <b>{token}</b>{after}</html>"),
                2 => format!(r#"{{"ret":500,"msg":{escaped},"data":{{{escaped}:[{escaped}]}}}}"#),
                _ => format!(r#"{{"ret":500,"msg":"X-GEWE-TOKEN={}"#, escaped.trim_matches('"')),
            };
            let headers = Headers { retry_after: Some(&token), location: Some(&body) };
            let error = match verdict(status, headers, &body, &token, 0.0) {
                Verdict::Done(Ok(_)) => return Ok(()),
                Verdict::Done(Err(e)) | Verdict::Retry { error: e, .. } => e,
            };
            for text in strings(&error) {
                prop_assert!(!contains(&text, &token), "{:?} in {:?}", token, text);
            }
        }
    }

    fn after(retry_after: &str) -> Headers<'_> {
        Headers {
            retry_after: Some(retry_after),
            location: None,
        }
    }

    #[test]
    fn success() {
        assert_eq!(
            interpret(200, r#"{"ret":200,"msg":"操作成功"}"#, TOKEN),
            Ok(Success {
                msg: "操作成功".into(),
                data: None
            })
        );
        let ok = interpret(
            200,
            r#"{"ret":200,"msg":"执行成功","data":{"id":18446744073709551615}}"#,
            TOKEN,
        )
        .unwrap();
        assert_eq!(
            ok.data.unwrap().get("id"),
            Some(&Json::Number("18446744073709551615".into()))
        );
        assert_eq!(interpret(204, r#"{"ret":200}"#, TOKEN).unwrap().msg, "");
    }

    #[test]
    fn http_200_with_ret_500_is_a_failure() {
        let e = interpret(
            200,
            r#"{"ret":500,"msg":"撤回消息失败","data":{"code":"-1","msg":"微信已离线"}}"#,
            TOKEN,
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.ret, e.status, e.field),
            (Code::ApiError, Some(500), Some(200), None)
        );
        assert_eq!(e.api_msg.as_deref(), Some("撤回消息失败"));
        assert_eq!(
            e.message,
            "GeWe refused the call with ret 500: 撤回消息失败 (微信已离线)."
        );
        assert_eq!(e.data.unwrap().get("code").and_then(Json::as_str), Some("-1"));
    }

    #[test]
    fn bad_token_answer_is_redacted_and_blames_the_token() {
        let e = interpret(
            200,
            r#"{"ret":500,"msg":"HTTP HEADER: X-GEWE-TOKEN=sekret 不可用或已过期"}"#,
            "sekret",
        )
        .unwrap_err();
        assert_eq!(e.field, Some("token"));
        assert_eq!(
            e.api_msg.as_deref(),
            Some("HTTP HEADER: X-GEWE-TOKEN=[redacted] 不可用或已过期")
        );
        assert!(!format!("{e:?}").contains("sekret"));
        let late = interpret(200, r#"{"ret":500,"msg":"消息已超过可撤回时间"}"#, TOKEN).unwrap_err();
        assert_eq!(late.field, Some("createTime"));
    }

    #[test]
    fn non_json_or_shapeless_2xx_is_a_bad_response() {
        for (body, what) in [
            ("<html>oops</html>", "a body that is not JSON: oops"),
            (r#"{"ret":200,"msg":"#, "a body that is not JSON"),
            ("[1]", "JSON that is not an object"),
            (r#"{"msg":"x"}"#, "JSON without an integer ret"),
            (r#"{"ret":"200"}"#, "JSON without an integer ret"),
            (r#"{"ret":200.5}"#, "JSON without an integer ret"),
            ("", "a body that is not JSON"),
        ] {
            let e = interpret(200, body, TOKEN).unwrap_err();
            assert_eq!((e.code, e.status), (Code::BadResponse, Some(200)), "{body}");
            assert!(e.message.contains(what), "{body}: {}", e.message);
        }
    }

    #[test]
    fn non_2xx_is_an_http_status_with_an_excerpt() {
        let page = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body><center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx</center></body></html>";
        let e = interpret(502, page, TOKEN).unwrap_err();
        assert_eq!((e.code, e.status), (Code::HttpStatus, Some(502)));
        assert_eq!(e.body.as_deref(), Some("502 Bad Gateway 502 Bad Gateway nginx"));
        assert_eq!(
            e.message,
            "GeWe answered HTTP 502: 502 Bad Gateway 502 Bad Gateway nginx"
        );
        // JSON on a non-2xx is still an HTTP failure.
        assert_eq!(
            interpret(401, r#"{"ret":200}"#, TOKEN).unwrap_err().code,
            Code::HttpStatus
        );
        assert_eq!(
            interpret(503, "", TOKEN).unwrap_err().message,
            "GeWe answered HTTP 503 with an empty body."
        );
    }

    #[test]
    fn only_429_502_503_ask_for_another_attempt() {
        let v = verdict(503, after("2"), "busy", TOKEN, 0.0);
        match v {
            Verdict::Retry {
                error,
                retry_after_ms,
            } => {
                assert_eq!(
                    (error.code, error.status, retry_after_ms),
                    (Code::HttpStatus, Some(503), Some(2000.0))
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            verdict(429, Headers::default(), "", TOKEN, 0.0),
            Verdict::Retry {
                retry_after_ms: None,
                ..
            }
        ));
        assert!(matches!(
            verdict(502, after("soon"), "", TOKEN, 0.0),
            Verdict::Retry {
                retry_after_ms: None,
                ..
            }
        ));
        for (status, body) in [
            (504, "gateway timeout"),
            (500, "x"),
            (404, ""),
            (200, r#"{"ret":500,"msg":"x"}"#),
        ] {
            assert!(
                matches!(
                    verdict(status, Headers::default(), body, TOKEN, 0.0),
                    Verdict::Done(Err(_))
                ),
                "{status}"
            );
        }
        assert!(matches!(
            verdict(200, Headers::default(), r#"{"ret":200,"msg":"ok"}"#, TOKEN, 0.0),
            Verdict::Done(Ok(_))
        ));
    }

    #[test]
    fn redirects_are_final_and_say_where_they_pointed() {
        let to = Headers {
            retry_after: None,
            location: Some("http://evil.example/steal?t=tok-2c5f9e"),
        };
        for status in [301, 302, 303, 307, 308] {
            let Verdict::Done(Err(e)) = verdict(status, to, "", TOKEN, 0.0) else {
                panic!("{status}")
            };
            assert_eq!(
                (e.code, e.status, e.maybe_delivered),
                (Code::HttpStatus, Some(status), false)
            );
            assert_eq!(
                e.location.as_deref(),
                Some("http://evil.example/steal?t=[redacted]")
            );
            assert!(e.message.contains("not followed"), "{}", e.message);
        }
        let Verdict::Done(Err(opaque)) = verdict(0, Headers::default(), "", TOKEN, 0.0) else {
            panic!()
        };
        assert_eq!((opaque.status, opaque.location), (Some(0), None));
        let long = "x".repeat(500);
        let Verdict::Done(Err(e)) = verdict(
            302,
            Headers {
                retry_after: None,
                location: Some(&long),
            },
            "",
            TOKEN,
            0.0,
        ) else {
            panic!()
        };
        assert_eq!(e.location.unwrap().chars().count(), EXCERPT_CHARS + 1);
    }

    #[test]
    fn may_have_been_delivered_only_where_the_outcome_is_unknown() {
        let delivered = |status, body: &str| match verdict(status, Headers::default(), body, TOKEN, 0.0) {
            Verdict::Done(Err(e)) | Verdict::Retry { error: e, .. } => e.maybe_delivered,
            Verdict::Done(Ok(_)) => panic!("{status}"),
        };
        for (status, body, expected) in [
            (200, "<html>", true),
            (200, r#"{"ret":500,"msg":"x"}"#, false),
            (500, "", true),
            (504, "", true),
            (502, "", false),
            (503, "", false),
            (429, "", false),
            (404, "", false),
            (401, "", false),
        ] {
            assert_eq!(delivered(status, body), expected, "{status} {body}");
        }
    }

    #[test]
    fn a_success_with_unusual_data_is_still_a_success() {
        let deep = format!(
            r#"{{"ret":200,"msg":"ok","data":{}1{}}}"#,
            "[".repeat(100),
            "]".repeat(100)
        );
        assert_eq!(
            interpret(200, &deep, TOKEN),
            Ok(Success {
                msg: "ok".into(),
                data: None
            })
        );
        let large = format!(r#"{{"ret":200,"msg":"ok","data":"{}"}}"#, "d".repeat(100_000));
        assert_eq!(interpret(200, &large, TOKEN).unwrap().data, None);
        let long_msg = format!(r#"{{"ret":500,"msg":"{}"}}"#, "m".repeat(5000));
        let e = interpret(200, &long_msg, TOKEN).unwrap_err();
        assert_eq!(e.api_msg.unwrap().chars().count(), MESSAGE_CHARS + 1);
    }

    #[test]
    fn excerpts_redact_the_raw_text_before_folding_it() {
        for token in ["ab<cd>ef", "ab  cd", "abc[", "a\"b/c"] {
            let escaped = token.replace('"', "\\\"").replace('/', "\\/");
            for body in [
                format!("<html><body>X-GEWE-TOKEN={token} bad</body></html>"),
                format!("{{\"ret\":500,\"msg\":\"X-GEWE-TOKEN={escaped} bad\""),
                format!("<p>{token}</p>{token}"),
            ] {
                let e = http_status(502, &body, token);
                for text in [&e.message, e.body.as_ref().unwrap()] {
                    assert!(
                        !crate::core::redact::contains(text, token),
                        "{token:?} in {text:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn excerpts_are_cut_and_redacted() {
        let long = "a".repeat(500);
        assert_eq!(excerpt(&long, TOKEN).chars().count(), EXCERPT_CHARS + 1);
        assert_eq!(excerpt("token=sekret", "sekret"), "token=[redacted]");
    }
}
