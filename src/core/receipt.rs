//! Send receipts: the ids a GeWe send endpoint returns, read from the raw response text so none is rounded.

use super::id::parse_decimal;
use std::fmt::Write;

use super::json::{self, write_str, Json};
use super::request::write_ids;
use super::{Code, Error};

/// What a send response says about the message, ids exact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// The friend or group the message went to.
    pub to_wxid: String,
    /// `msgId` (often 0 for text).
    pub msg_id: u64,
    /// `newMsgId`, the 64-bit id.
    pub new_msg_id: u64,
    /// `createTime` in unix seconds; 0 when GeWe gave none (images, videos).
    pub create_time: u64,
    /// The message `type`, when given.
    pub kind: Option<i64>,
}

impl Receipt {
    /// The receipt as JSON text, `{ toWxid, msgId, newMsgId, createTime, type? }` with the ids as decimal strings:
    /// what the shell's one `JSON.parse` makes into the JS object.
    pub fn js_text(&self) -> String {
        let mut out = String::with_capacity(112 + self.to_wxid.len());
        out.push_str("{\"toWxid\":");
        write_str(&mut out, &self.to_wxid);
        write_ids(&mut out, self.msg_id, self.new_msg_id, self.create_time);
        if let Some(kind) = self.kind {
            // Writing to a String cannot fail.
            let _ = write!(out, ",\"type\":{kind}");
        }
        out.push('}');
        out
    }
}

/// Reads a receipt from the whole `{ret, msg, data}` envelope or from `data` alone.
pub fn parse(text: &str) -> Result<Receipt, Error> {
    let mut root = json::parse(text).map_err(|_| bad("The send response is not JSON.", None))?;
    let data = match root.get("ret") {
        None => &root,
        Some(ret) if ret.as_i64() == Some(200) => root
            .get("data")
            .ok_or_else(|| bad("The send response has ret 200 but no data.", None))?,
        Some(ret) => {
            let msg = root
                .get("msg")
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_owned();
            let mut e = Error::new(
                Code::ApiError,
                format!(
                    "The send failed ({}: {msg}), so there is no message to revoke.",
                    describe_ret(ret)
                ),
            );
            e.ret = ret.as_i64();
            e.api_msg = Some(msg);
            e.data = root.take("data");
            return Err(e);
        }
    };
    if !matches!(data, Json::Object(_)) {
        return Err(bad("The send response's data is not an object.", None));
    }
    let to_wxid = match data.get("toWxid").and_then(Json::as_str).map(str::trim) {
        Some(wxid) if !wxid.is_empty() => wxid.to_owned(),
        _ => return Err(bad("The send response has no toWxid.", Some("toWxid"))),
    };
    Ok(Receipt {
        to_wxid,
        msg_id: id(data, "msgId", false)?,
        new_msg_id: id(data, "newMsgId", false)?,
        create_time: id(data, "createTime", true)?,
        kind: data.get("type").and_then(Json::as_i64),
    })
}

fn describe_ret(ret: &Json) -> String {
    match ret {
        Json::Number(n) => format!("ret {n}"),
        _ => "no integer ret".into(),
    }
}

fn bad(message: &str, field: Option<&'static str>) -> Error {
    let mut e = Error::new(Code::BadResponse, message);
    e.field = field;
    e
}

/// An id written as a JSON integer or a decimal string; `optional` ones read as 0 when absent or null.
fn id(data: &Json, field: &'static str, optional: bool) -> Result<u64, Error> {
    let text = match data.get(field) {
        Some(Json::Number(n)) => n.as_str(),
        Some(Json::String(s)) => s.trim(),
        None | Some(Json::Null) if optional => return Ok(0),
        None | Some(Json::Null) => {
            return Err(bad(&format!("The send response has no {field}."), Some(field)))
        }
        Some(_) => {
            return Err(bad(
                &format!("The send response's {field} is not a number."),
                Some(field),
            ))
        }
    };
    parse_decimal(text).map_err(|_| {
        bad(
            &format!("The send response's {field} is not an integer from 0 to 2^64-1: {text}."),
            Some(field),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_text_is_the_receipt_as_json_ids_as_strings_type_only_when_given() {
        let mut r = Receipt {
            to_wxid: "wxid_\"a\"".into(),
            msg_id: 0,
            new_msg_id: u64::MAX,
            create_time: 1_703_841_160,
            kind: Some(-1),
        };
        assert_eq!(
            r.js_text(),
            r#"{"toWxid":"wxid_\"a\"","msgId":"0","newMsgId":"18446744073709551615","createTime":"1703841160","type":-1}"#
        );
        r.kind = None;
        assert!(json::parse(&r.js_text()).is_ok_and(|v| v.get("type").is_none()));
    }
    use proptest::prelude::*;

    const SENT: &str = r#"{"ret":200,"msg":"操作成功","data":{"toWxid":"34757816141@chatroom","createTime":1703841160,"msgId":0,"newMsgId":3768973957878705021,"type":1}}"#;

    #[test]
    fn reads_the_envelope_exactly() {
        assert_eq!(
            parse(SENT),
            Ok(Receipt {
                to_wxid: "34757816141@chatroom".into(),
                msg_id: 0,
                new_msg_id: 3_768_973_957_878_705_021,
                create_time: 1_703_841_160,
                kind: Some(1),
            })
        );
    }

    #[test]
    fn reads_data_alone_and_string_ids() {
        let r = parse(r#"{"toWxid":"wxid_a","msgId":"769533801","newMsgId":" 5271007655758710001 ","createTime":"1704163145"}"#)
            .unwrap();
        assert_eq!(
            (r.msg_id, r.new_msg_id, r.create_time, r.kind),
            (769_533_801, 5_271_007_655_758_710_001, 1_704_163_145, None)
        );
    }

    #[test]
    fn missing_create_time_reads_as_zero() {
        let r = parse(r#"{"toWxid":"w","msgId":1,"newMsgId":2}"#).unwrap();
        assert_eq!(r.create_time, 0);
        assert_eq!(
            parse(r#"{"toWxid":"w","msgId":1,"newMsgId":2,"createTime":null}"#)
                .unwrap()
                .create_time,
            0
        );
    }

    #[test]
    fn a_failed_send_is_an_api_error() {
        let e = parse(r#"{"ret":500,"msg":"发送失败","data":{"code":"-1","msg":"微信已离线"}}"#).unwrap_err();
        assert_eq!((e.code, e.ret), (Code::ApiError, Some(500)));
        assert_eq!(e.api_msg.as_deref(), Some("发送失败"));
        assert!(e.data.is_some());
        assert_eq!(parse(r#"{"ret":"x"}"#).unwrap_err().code, Code::ApiError);
    }

    #[test]
    fn malformed_receipts_are_bad_responses() {
        for (text, field) in [
            ("not json", None),
            (r#"{"ret":200,"msg":"ok"}"#, None),
            (r#"{"ret":200,"data":[1]}"#, None),
            (r#"{"msgId":1,"newMsgId":2}"#, Some("toWxid")),
            (r#"{"toWxid":" ","msgId":1,"newMsgId":2}"#, Some("toWxid")),
            (r#"{"toWxid":"w","newMsgId":2}"#, Some("msgId")),
            (r#"{"toWxid":"w","msgId":1}"#, Some("newMsgId")),
            (
                r#"{"toWxid":"w","msgId":1,"newMsgId":3.768973957878705e18}"#,
                Some("newMsgId"),
            ),
            (r#"{"toWxid":"w","msgId":1,"newMsgId":-2}"#, Some("newMsgId")),
            (
                r#"{"toWxid":"w","msgId":1,"newMsgId":18446744073709551616}"#,
                Some("newMsgId"),
            ),
            (r#"{"toWxid":"w","msgId":1,"newMsgId":"abc"}"#, Some("newMsgId")),
            (r#"{"toWxid":"w","msgId":true,"newMsgId":2}"#, Some("msgId")),
            (
                r#"{"toWxid":"w","msgId":1,"newMsgId":2,"createTime":"soon"}"#,
                Some("createTime"),
            ),
        ] {
            let e = parse(text).unwrap_err();
            assert_eq!((e.code, e.field), (Code::BadResponse, field), "{text}");
        }
    }

    proptest! {
        #[test]
        fn any_u64_ids_survive_as_numbers_or_strings(m in any::<u64>(), n in any::<u64>(), t in any::<u64>(), quoted in any::<bool>()) {
            let q = if quoted { "\"" } else { "" };
            let text = format!(r#"{{"ret":200,"data":{{"toWxid":"w","msgId":{q}{m}{q},"newMsgId":{q}{n}{q},"createTime":{q}{t}{q}}}}}"#);
            let r = parse(&text).unwrap();
            prop_assert_eq!((r.msg_id, r.new_msg_id, r.create_time), (m, n, t));
        }
    }
}
