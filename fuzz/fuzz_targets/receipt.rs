//! `receipt::parse` never panics and agrees with a reference built on serde_json's `Value` (last duplicate
//! key wins, as in the reader): it succeeds exactly when the reference does, with ids equal to the exact
//! decimal digits in the text (JSON integers as serde_json's u64, strings trimmed and read digit by digit),
//! and fails with the same code otherwise.
#![no_main]

use gewe_revoke::core::json::MAX_DEPTH;
use gewe_revoke::core::receipt::{self, Receipt};
use gewe_revoke::core::Code;
use gewe_revoke_fuzz::{expected, Expected};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// What the text says: the receipt's fields and its raw `type`, or the failure's code and `msg`.
type Reference = Result<((String, u64, u64, u64), Option<Value>), (Code, Option<String>)>;

const BAD: (Code, Option<String>) = (Code::BadResponse, None);

/// An id as the text holds it: a JSON integer serde_json reads as u64, or a string of ASCII digits
/// (surrounding whitespace trimmed) whose value fits u64.
fn id(data: &Value, field: &str, optional: bool) -> Result<u64, (Code, Option<String>)> {
    match data.get(field) {
        None | Some(Value::Null) if optional => Ok(0),
        Some(Value::Number(n)) => n.as_u64().ok_or(BAD),
        Some(Value::String(s)) => {
            let digits = s.trim();
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                digits.parse::<u64>().map_err(|_| BAD)
            } else {
                Err(BAD)
            }
        }
        _ => Err(BAD),
    }
}

fn reference(text: &str) -> Reference {
    // Texts nested deeper than MAX_DEPTH are not JSON to the reader (its documented cap).
    let root = match expected(text) {
        Expected::Accept { value, depth, .. } if depth <= MAX_DEPTH => value,
        _ => return Err(BAD),
    };
    let data = match root.get("ret") {
        None => &root,
        Some(ret) if ret.as_i64() == Some(200) => root.get("data").ok_or(BAD)?,
        Some(_) => {
            let msg = root.get("msg").and_then(Value::as_str).unwrap_or_default();
            return Err((Code::ApiError, Some(msg.to_owned())));
        }
    };
    if !data.is_object() {
        return Err(BAD);
    }
    let to_wxid = match data.get("toWxid").and_then(Value::as_str).map(str::trim) {
        Some(w) if !w.is_empty() => w.to_owned(),
        _ => return Err(BAD),
    };
    let ids = (
        to_wxid,
        id(data, "msgId", false)?,
        id(data, "newMsgId", false)?,
        id(data, "createTime", true)?,
    );
    Ok((ids, data.get("type").cloned()))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let ours = receipt::parse(&text);
    match (&ours, reference(&text)) {
        (Ok(r), Ok(((to_wxid, msg_id, new_msg_id, create_time), kind))) => {
            let Receipt {
                to_wxid: w,
                msg_id: m,
                new_msg_id: n,
                create_time: t,
                kind: k,
            } = r;
            assert_eq!(
                (w, *m, *n, *t),
                (&to_wxid, msg_id, new_msg_id, create_time),
                "fields differ from the text's: {text:?}"
            );
            // `type` is read when it is an integer that fits i64 (serde_json reads the integer `-0` as -0.0).
            let theirs = kind.as_ref().and_then(Value::as_i64);
            let negative_zero = kind
                .as_ref()
                .and_then(Value::as_f64)
                .is_some_and(|f| f.to_bits() == (-0.0f64).to_bits());
            assert!(
                *k == theirs || (*k == Some(0) && negative_zero),
                "type {k:?} vs {kind:?}: {text:?}"
            );
        }
        (Err(e), Err((code, api_msg))) => {
            assert_eq!(e.code, code, "{e:?} for {text:?}");
            if code == Code::ApiError {
                assert_eq!(e.api_msg, api_msg, "{text:?}");
            }
        }
        (ours, theirs) => panic!("receipt::parse gave {ours:?}, the text says {theirs:?}: {text:?}"),
    }
});
