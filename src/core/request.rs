//! The revokeMsg request: path and exact JSON body.

use std::fmt::Write;

use super::json::write_str;
use super::RevokeParams;

/// The revokeMsg path under the API base.
pub const REVOKE_PATH: &str = "/message/revokeMsg";

/// The JSON body: the five fields as strings, in the spec's order, ids as canonical decimals.
pub fn body(p: &RevokeParams) -> String {
    let mut out = String::with_capacity(96 + p.app_id.len() + p.to_wxid.len());
    out.push_str("{\"appId\":");
    write_str(&mut out, &p.app_id);
    out.push_str(",\"toWxid\":");
    write_str(&mut out, &p.to_wxid);
    write_ids(&mut out, p.msg_id, p.new_msg_id, p.create_time);
    out.push('}');
    out
}

/// Appends `,"msgId":"…","newMsgId":"…","createTime":"…"`: the three ids as decimal strings, as the request and
/// a receipt both carry them.
pub fn write_ids(out: &mut String, msg_id: u64, new_msg_id: u64, create_time: u64) {
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        ",\"msgId\":\"{msg_id}\",\"newMsgId\":\"{new_msg_id}\",\"createTime\":\"{create_time}\""
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_bytes_are_exact() {
        let p = RevokeParams {
            app_id: "wx_\"app\"".into(),
            to_wxid: "34757816141@chatroom".into(),
            msg_id: 769_533_801,
            new_msg_id: u64::MAX,
            create_time: 0,
        };
        assert_eq!(
            body(&p),
            r#"{"appId":"wx_\"app\"","toWxid":"34757816141@chatroom","msgId":"769533801","newMsgId":"18446744073709551615","createTime":"0"}"#
        );
    }
}
