//! The five revoke parameters, validated.

use super::{id, text, Code, Error, Input};

/// The revoke parameters as read off a JS object, not yet validated.
#[derive(Clone, Debug, PartialEq)]
pub struct RawParams {
    /// `appId`
    pub app_id: Input,
    /// `toWxid`
    pub to_wxid: Input,
    /// `msgId`
    pub msg_id: Input,
    /// `newMsgId`
    pub new_msg_id: Input,
    /// `createTime`
    pub create_time: Input,
}

/// Valid revoke parameters: names trimmed, ids exact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevokeParams {
    /// The device id (`appId`).
    pub app_id: String,
    /// The friend or group the message went to.
    pub to_wxid: String,
    /// `msgId` from the send response (often 0 for text).
    pub msg_id: u64,
    /// `newMsgId` from the send response: the 64-bit id that must arrive exact.
    pub new_msg_id: u64,
    /// `createTime` from the send response, unix seconds (0 when GeWe gave none).
    pub create_time: u64,
}

impl RevokeParams {
    /// Validates in the spec's field order and returns the first problem; `default_app_id` fills a missing appId.
    pub fn validate(raw: &RawParams, default_app_id: Option<&str>) -> Result<Self, Error> {
        let app_id = match (&raw.app_id, default_app_id) {
            (Input::Undefined, Some(default)) => default.to_owned(),
            (input, _) => text::name("appId", input, Code::InvalidParams)?,
        };
        Ok(RevokeParams {
            app_id,
            to_wxid: text::name("toWxid", &raw.to_wxid, Code::InvalidParams)?,
            msg_id: id::parse("msgId", &raw.msg_id)?,
            new_msg_id: id::parse("newMsgId", &raw.new_msg_id)?,
            create_time: id::parse("createTime", &raw.create_time)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn raw() -> RawParams {
        RawParams {
            app_id: Input::Str("wx_app".into()),
            to_wxid: Input::Str("34757816141@chatroom".into()),
            msg_id: Input::Num(0.0),
            new_msg_id: Input::BigInt("5271007655758710001".into()),
            create_time: Input::Str("1704163145".into()),
        }
    }

    #[test]
    fn validates_all_five() {
        assert_eq!(
            RevokeParams::validate(&raw(), None),
            Ok(RevokeParams {
                app_id: "wx_app".into(),
                to_wxid: "34757816141@chatroom".into(),
                msg_id: 0,
                new_msg_id: 5_271_007_655_758_710_001,
                create_time: 1_704_163_145,
            })
        );
    }

    #[test]
    fn default_app_id_fills_only_a_missing_one() {
        let mut p = raw();
        p.app_id = Input::Undefined;
        assert_eq!(
            RevokeParams::validate(&p, Some("wx_default")).unwrap().app_id,
            "wx_default"
        );
        let e = RevokeParams::validate(&p, None).unwrap_err();
        assert_eq!((e.code, e.field), (Code::InvalidParams, Some("appId")));
        p.app_id = Input::Str("".into());
        assert_eq!(
            RevokeParams::validate(&p, Some("wx_default")).unwrap_err().field,
            Some("appId")
        );
    }

    #[test]
    fn reports_the_first_bad_field_in_spec_order() {
        let mut p = raw();
        p.new_msg_id = Input::Null;
        p.create_time = Input::Str("x".into());
        assert_eq!(
            RevokeParams::validate(&p, None).unwrap_err().field,
            Some("newMsgId")
        );
        p.to_wxid = Input::Undefined;
        assert_eq!(
            RevokeParams::validate(&p, None).unwrap_err().field,
            Some("toWxid")
        );
        let mut p = raw();
        p.msg_id = Input::Num(1.5);
        assert_eq!(RevokeParams::validate(&p, None).unwrap_err().field, Some("msgId"));
        let mut p = raw();
        p.create_time = Input::Num(1e17);
        assert_eq!(
            RevokeParams::validate(&p, None).unwrap_err().code,
            Code::UnsafeInteger
        );
    }
}
