//! GeWe message callbacks, read from their raw text: the envelope, each message with its ids exact, and recall
//! notices typed, so a notice joins the message it recalls.
//!
//! GeWe POSTs what the account receives to the URL set with `setCallback`. `NewMsgId` there is a bare JSON
//! number above 2^53: through `JSON.parse` it is rounded and the join from a recall notice (whose XML holds
//! the recalled message's `newmsgid` as exact text) to the message finds nothing. The format, its sources and
//! what is unverified: `GEWE-CALLBACKS.md` in the project's shared notes; the fixtures are in
//! `tests/fixtures/callbacks/`.

use super::id::parse_decimal;
use super::json::{self, Json};
use super::xml::{self, Element};
use super::{Code, Error};

/// The largest callback read, in bytes of text. Thumbnails and voice clips ride inline in `ImgBuf` (a few KB
/// in every sample); a text past this is refused before anything is built from it.
pub const MAX_CALLBACK_BYTES: usize = 1024 * 1024;

/// Every `field` a callback error can name: `rawText` for the text as a whole, else the member of GeWe's JSON at
/// fault. `pkg/index.d.ts` lists the same names (tests/node/surface.test.js holds it to this list).
pub const FIELDS: [&str; 13] = [
    "rawText",
    "TypeName",
    "Appid",
    "Wxid",
    "Data",
    "Data.MsgId",
    "Data.NewMsgId",
    "Data.MsgSeq",
    "Data.MsgType",
    "Data.CreateTime",
    "Data.FromUserName",
    "Data.ToUserName",
    "Data.Content",
];

/// `MsgType` of system messages written as XML (`<sysmsg type="…">`), recall notices among them.
pub const MSG_TYPE_SYSMSG: u32 = 10002;

/// The longest group-sender prefix (`wxid_…:\n`) split from a group message's content, in bytes.
const MAX_SENDER_BYTES: usize = 64;

/// One callback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Callback {
    /// The POST `setCallback` sends to check the URL (`{"testMsg": …, "token": …}`). The token it carries is
    /// the account's GeWe token and is not kept.
    Test,
    /// `AddMsg`: a message, or a system message such as a recall notice.
    Message {
        /// Who the callback is for.
        envelope: Envelope,
        /// The message (boxed: it is most of the callback's size).
        message: Box<Message>,
    },
    /// Any other `TypeName` (`ModContacts`, `DelContacts`, `Offline`, …): its `Data` is not read.
    Event(Envelope),
}

/// What every callback but the test says: what it is and for which account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// `TypeName` (`type_name` in the lower-case variant), e.g. `"AddMsg"`.
    pub type_name: String,
    /// `Appid` (`appid`): the GeWe device the account is logged in on.
    pub appid: String,
    /// `Wxid` (`wxid`): the account's own wxid. Not in every callback (`ModContacts` samples lack it).
    pub wxid: Option<String>,
}

/// An `AddMsg` message, ids exact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// `MsgId`.
    pub msg_id: u64,
    /// `NewMsgId`, the 64-bit id recall notices and `revokeMsg` name.
    pub new_msg_id: u64,
    /// `MsgSeq`, when given.
    pub msg_seq: Option<u64>,
    /// `MsgType`: 1 text, 3 image, 34 voice, 49 app message, 10000 plain system text, 10002 XML system
    /// message, …
    pub msg_type: u32,
    /// `CreateTime` in unix seconds, when given.
    pub create_time: Option<u64>,
    /// `FromUserName.string`.
    pub from: String,
    /// `ToUserName.string`.
    pub to: String,
    /// The conversation: the group (`…@chatroom`) for group messages, else the peer.
    pub chat: String,
    /// Whether `chat` is a group.
    pub group: bool,
    /// Who wrote it: the wxid split from a group message's `wxid:\n` prefix, else `from`. `None` for a group
    /// message without a member prefix (group system messages are prefixed with the group itself).
    pub sender: Option<String>,
    /// Whether the account wrote it (from its phone or another device; API sends make no callback): `sender`
    /// equals `Wxid`. Always false when the callback has no `Wxid`.
    pub own: bool,
    /// `Content.string`, the group-sender prefix removed: the text, or the XML of other kinds.
    pub text: String,
    /// `PushContent`, the notification line, when given as a string.
    pub push_content: Option<String>,
    /// `ImgBuf.buffer`, base64 (an image's thumbnail, a voice clip), when given as a string.
    pub image_buffer: Option<String>,
    /// For `MsgType` 10002, the system message it is.
    pub sysmsg: Option<SysMsg>,
}

/// A system message (`MsgType` 10002).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SysMsg {
    /// `<sysmsg type="revokemsg">`: someone recalled a message.
    Recall(Recall),
    /// Any other `<sysmsg type="…">` (`pat`, `sysmsgtemplate`, `mmchatroombarannouncememt`, …): never a
    /// recall.
    Other {
        /// The `type` attribute (empty when there is none).
        kind: String,
    },
}

/// A recall notice: which message was recalled, exact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recall {
    /// `<session>`: the conversation the recalled message is in (the notice's chat when it has none).
    pub chat: String,
    /// `<msgid>`: the recalled message's `MsgId`, when given.
    pub msg_id: Option<u64>,
    /// `<newmsgid>`: the recalled message's `NewMsgId`, to join on.
    pub new_msg_id: u64,
    /// `<replacemsg>`: what WeChat shows in its place, e.g. `"朝夕。" 撤回了一条消息`.
    pub text: String,
    /// Who recalled it, where the notice says: the member prefix of a group notice. `None` in a private
    /// chat, where the notice comes from the peer whoever recalled (the account's own recalls: unverified).
    pub by: Option<String>,
}

/// Reads one callback from the body GeWe POSTed. Fails with `BAD_RESPONSE` naming the member that is wrong.
pub fn parse_callback(raw: &str) -> Result<Callback, Error> {
    if raw.len() > MAX_CALLBACK_BYTES {
        return Err(bad(
            format!("The callback is larger than {MAX_CALLBACK_BYTES} bytes, the most parseCallback reads."),
            "rawText",
        ));
    }
    let root = json::parse(raw).map_err(|_| bad("The callback is not JSON.", "rawText"))?;
    if !matches!(root, Json::Object(_)) {
        return Err(bad("The callback is not a JSON object.", "rawText"));
    }
    let Some(type_name) = either(&root, "TypeName", "type_name") else {
        if root.get("testMsg").and_then(Json::as_str).is_some() {
            return Ok(Callback::Test);
        }
        return Err(bad(
            "The callback has no TypeName, nor the testMsg of setCallback's test POST.",
            "TypeName",
        ));
    };
    let envelope = Envelope {
        type_name: name(Some(type_name), "TypeName")?.ok_or_else(|| missing("TypeName"))?,
        appid: name(either(&root, "Appid", "appid"), "Appid")?.ok_or_else(|| missing("Appid"))?,
        wxid: name(either(&root, "Wxid", "wxid"), "Wxid")?,
    };
    if envelope.type_name != "AddMsg" {
        return Ok(Callback::Event(envelope));
    }
    let data = match either(&root, "Data", "data") {
        Some(data @ Json::Object(_)) => data,
        Some(_) => return Err(bad("The callback's Data is not an object.", "Data")),
        None => return Err(missing("Data")),
    };
    let message = Box::new(message(data, envelope.wxid.as_deref())?);
    Ok(Callback::Message { envelope, message })
}

/// Reads `Data`, its members checked in this order: `MsgId`, `NewMsgId`, `MsgSeq`, `MsgType`, `CreateTime`,
/// `FromUserName`, `ToUserName`, `Content`, then a system message's XML.
fn message(data: &Json, wxid: Option<&str>) -> Result<Message, Error> {
    let msg_id = integer(data, "MsgId", "Data.MsgId")?.ok_or_else(|| missing("Data.MsgId"))?;
    let new_msg_id = integer(data, "NewMsgId", "Data.NewMsgId")?.ok_or_else(|| missing("Data.NewMsgId"))?;
    let msg_seq = integer(data, "MsgSeq", "Data.MsgSeq")?;
    let msg_type = integer(data, "MsgType", "Data.MsgType")?
        .ok_or_else(|| missing("Data.MsgType"))
        .and_then(|n| {
            u32::try_from(n).map_err(|_| bad("The callback's Data.MsgType is out of range.", "Data.MsgType"))
        })?;
    let create_time = integer(data, "CreateTime", "Data.CreateTime")?;
    let from = wrapped(data, "FromUserName", "Data.FromUserName")?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing("Data.FromUserName"))?;
    let to = wrapped(data, "ToUserName", "Data.ToUserName")?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing("Data.ToUserName"))?;
    let content = wrapped(data, "Content", "Data.Content")?.unwrap_or_default();

    let (chat, group) = if is_chatroom(&from) {
        (from.clone(), true)
    } else if is_chatroom(&to) {
        (to.clone(), true)
    } else if wxid == Some(from.as_str()) {
        (to.clone(), false)
    } else {
        (from.clone(), false)
    };
    let (sender, text) = if is_chatroom(&from) {
        match split_sender(&content) {
            Some((who, body)) => ((!is_chatroom(who)).then(|| who.to_owned()), body.to_owned()),
            None => (None, content),
        }
    } else {
        (Some(from.clone()), content)
    };
    let own = wxid.is_some_and(|w| sender.as_deref() == Some(w));
    let sysmsg = if msg_type == MSG_TYPE_SYSMSG {
        let by = if group { sender.clone() } else { None };
        Some(sysmsg(&text, &chat, by)?)
    } else {
        None
    };
    Ok(Message {
        msg_id,
        new_msg_id,
        msg_seq,
        msg_type,
        create_time,
        push_content: data.get("PushContent").and_then(Json::as_str).map(str::to_owned),
        image_buffer: data
            .get("ImgBuf")
            .and_then(|b| b.get("buffer"))
            .and_then(Json::as_str)
            .map(str::to_owned),
        from,
        to,
        chat,
        group,
        sender,
        own,
        text,
        sysmsg,
    })
}

/// Reads the `<sysmsg>` of a `MsgType` 10002 message; `by` is the group member who sent it, if any.
fn sysmsg(text: &str, chat: &str, by: Option<String>) -> Result<SysMsg, Error> {
    const FIELD: &str = "Data.Content";
    let root = xml::parse(text).map_err(|e| {
        bad(
            format!(
                "The callback's Data.Content is a system message (MsgType 10002) but not XML (byte {}).",
                e.at
            ),
            FIELD,
        )
    })?;
    if root.name != "sysmsg" {
        return Err(bad(
            "The callback's Data.Content is a system message (MsgType 10002) but not a <sysmsg>.",
            FIELD,
        ));
    }
    let kind = root.attribute("type").unwrap_or_default();
    if kind != "revokemsg" {
        return Ok(SysMsg::Other {
            kind: kind.to_owned(),
        });
    }
    let notice = root
        .child("revokemsg")
        .ok_or_else(|| bad("The recall notice in Data.Content has no <revokemsg>.", FIELD))?;
    let id = |tag: &str| -> Result<Option<u64>, Error> {
        match notice.child(tag).map(Element::text) {
            None => Ok(None),
            Some(t) => parse_decimal(t.trim()).map(Some).map_err(|_| {
                bad(
                    format!("The recall notice's <{tag}> is not an integer from 0 to 2^64-1."),
                    FIELD,
                )
            }),
        }
    };
    let msg_id = id("msgid")?;
    let new_msg_id =
        id("newmsgid")?.ok_or_else(|| bad("The recall notice in Data.Content has no <newmsgid>.", FIELD))?;
    let own_text = |tag: &str| notice.child(tag).map(|e| e.text().trim().to_owned());
    Ok(SysMsg::Recall(Recall {
        chat: own_text("session")
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| chat.to_owned()),
        msg_id,
        new_msg_id,
        text: own_text("replacemsg").unwrap_or_default(),
        by,
    }))
}

/// The member `upper`, else the lower-case variant one Gewechat release sent (`data` for `Data`, …).
fn either<'a>(object: &'a Json, upper: &str, lower: &str) -> Option<&'a Json> {
    object.get(upper).or_else(|| object.get(lower))
}

/// A string member of the envelope: `None` when absent, null or blank; an error when not a string.
fn name(value: Option<&Json>, field: &'static str) -> Result<Option<String>, Error> {
    match value {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad(format!("The callback's {field} is not a string."), field)),
    }
}

/// A `{"string": "…"}` wrapper's text: `None` when the member, or the wrapper's `string`, is absent or null
/// (an empty wrapper is written `{}`); an error when either has another type.
fn wrapped(data: &Json, key: &str, field: &'static str) -> Result<Option<String>, Error> {
    let inner = match data.get(key) {
        None | Some(Json::Null) => return Ok(None),
        Some(wrapper @ Json::Object(_)) => wrapper.get("string"),
        Some(_) => {
            let message = format!("The callback's {field} is not a {{\"string\": …}} object.");
            return Err(bad(message, field));
        }
    };
    match inner {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad(
            format!("The callback's {field}.string is not a string."),
            field,
        )),
    }
}

/// An integer member written as a JSON integer or a decimal string: `None` when absent or null.
fn integer(data: &Json, key: &str, field: &'static str) -> Result<Option<u64>, Error> {
    let text = match data.get(key) {
        None | Some(Json::Null) => return Ok(None),
        Some(Json::Number(n)) => n.as_str(),
        Some(Json::String(s)) => s.trim(),
        Some(_) => return Err(bad(format!("The callback's {field} is not a number."), field)),
    };
    parse_decimal(text).map(Some).map_err(|_| {
        bad(
            format!("The callback's {field} is not an integer from 0 to 2^64-1."),
            field,
        )
    })
}

fn is_chatroom(id: &str) -> bool {
    id.ends_with("@chatroom")
}

/// Splits a group message's `sender:\n` prefix from its body, at the first `:\n`, when what precedes it is
/// shaped like a wxid or a group id (ASCII letters, digits, `_ - . @`).
fn split_sender(content: &str) -> Option<(&str, &str)> {
    let (who, body) = content.split_once(":\n")?;
    let shaped = !who.is_empty()
        && who.len() <= MAX_SENDER_BYTES
        && who
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'@'));
    shaped.then_some((who, body))
}

/// A `BAD_RESPONSE` blaming `field`, which must be one of [`FIELDS`] (checked in every test and fuzz run, where
/// debug assertions are on, so a new name cannot ship without `index.d.ts` learning it).
fn bad(message: impl Into<String>, field: &'static str) -> Error {
    debug_assert!(FIELDS.contains(&field), "{field} is not in FIELDS");
    Error::new(Code::BadResponse, message).at(field)
}

fn missing(field: &'static str) -> Error {
    bad(format!("The callback has no {field}."), field)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    macro_rules! fixture {
        ($name:literal) => {
            include_str!(concat!("../../tests/fixtures/callbacks/", $name, ".json"))
        };
    }

    fn message(raw: &str) -> (Envelope, Message) {
        match parse_callback(raw) {
            Ok(Callback::Message { envelope, message }) => (envelope, *message),
            other => panic!("not a message: {other:?}"),
        }
    }

    fn recall(raw: &str) -> Recall {
        match message(raw).1.sysmsg {
            Some(SysMsg::Recall(r)) => r,
            other => panic!("not a recall: {other:?}"),
        }
    }

    fn fails(raw: &str) -> (Code, Option<&'static str>, String) {
        let e = parse_callback(raw).unwrap_err();
        (e.code, e.field, e.message)
    }

    /// F1 with `Data` members replaced (`None` removes one); `members` is JSON text of `"Key": value` pairs.
    fn f1_with(remove: &[&str], members: &str) -> String {
        let mut root = json::parse(fixture!("f1-private-text")).unwrap();
        let Json::Object(top) = &mut root else { panic!() };
        let Some((_, Json::Object(data))) = top.iter_mut().find(|(k, _)| k == "Data") else {
            panic!()
        };
        data.retain(|(k, _)| !remove.contains(&k.as_str()));
        let mut out = String::from(
            "{\"TypeName\":\"AddMsg\",\"Appid\":\"wx_a\",\"Wxid\":\"wxid_upf0exaush5322\",\"Data\":{",
        );
        for (k, v) in data.iter() {
            json::write_str(&mut out, k);
            out.push(':');
            out.push_str(&to_text(v));
            out.push(',');
        }
        out.push_str(members);
        if members.is_empty() {
            out.pop();
        }
        out.push_str("}}");
        out
    }

    fn to_text(v: &Json) -> String {
        match v {
            Json::Null => "null".into(),
            Json::Bool(b) => b.to_string(),
            Json::Number(n) => n.clone(),
            Json::String(s) => {
                let mut out = String::new();
                json::write_str(&mut out, s);
                out
            }
            Json::Array(items) => format!("[{}]", items.iter().map(to_text).collect::<Vec<_>>().join(",")),
            Json::Object(m) => {
                let parts: Vec<String> = m
                    .iter()
                    .map(|(k, v)| to_text(&Json::String(k.clone())) + ":" + &to_text(v))
                    .collect();
                format!("{{{}}}", parts.join(","))
            }
        }
    }

    /// A 10002 message in a private chat (or a group when `group`) with `content` as its XML.
    fn sysmsg_with(content: &str, group: bool) -> String {
        let mut c = String::new();
        json::write_str(&mut c, content);
        let from = if group { "1@chatroom" } else { "wxid_peer" };
        format!(
            r#"{{"TypeName":"AddMsg","Appid":"wx_a","Wxid":"wxid_me","Data":{{"MsgId":1,"NewMsgId":2,"MsgType":10002,"FromUserName":{{"string":"{from}"}},"ToUserName":{{"string":"wxid_me"}},"Content":{{"string":{c}}}}}}}"#
        )
    }

    #[test]
    fn f1_private_text_keeps_ids_exact() {
        let (envelope, m) = message(fixture!("f1-private-text"));
        assert_eq!(
            envelope,
            Envelope {
                type_name: "AddMsg".into(),
                appid: "wx_anAIaxXZGeuwhKeiGan_n".into(),
                wxid: Some("wxid_upf0exaush5322".into()),
            }
        );
        assert_eq!(
            m,
            Message {
                msg_id: 1_646_391_156,
                new_msg_id: 346_853_901_463_423_953,
                msg_seq: Some(852_214_713),
                msg_type: 1,
                create_time: Some(1_740_026_948),
                from: "wxid_14up8o14zvhv22".into(),
                to: "wxid_upf0exaush5322".into(),
                chat: "wxid_14up8o14zvhv22".into(),
                group: false,
                sender: Some("wxid_14up8o14zvhv22".into()),
                own: false,
                text: "test私信消息".into(),
                push_content: Some("A ME : test私信消息".into()),
                image_buffer: None,
                sysmsg: None,
            }
        );
        // What JSON.parse would have made of it: a different id, so the join would fail.
        assert_ne!(346_853_901_463_423_953_f64 as u64, m.new_msg_id);
    }

    #[test]
    fn f2_private_image_keeps_the_xml_and_the_thumbnail() {
        let (envelope, m) = message(fixture!("f2-private-image"));
        assert_eq!(envelope.wxid.as_deref(), Some("wxid_phyyedw9xap22"));
        assert_eq!((m.msg_type, m.new_msg_id), (3, 6_906_713_067_183_447_582));
        assert!(m.text.starts_with("<?xml version=\"1.0\"?>\n<msg>"), "{}", m.text);
        assert_eq!(
            m.image_buffer.as_deref(),
            Some("/9j/4AAQSkZJRgABAQAASABIAAD/4QBM...")
        );
        // The doc's Wxid is the sender (an editing error, GEWE-CALLBACKS.md §1): read as the doc says, own.
        assert!(m.own);
        assert_eq!(m.chat, "wxid_0xsqb3o0tsvz22");
        assert_eq!(m.sysmsg, None);
    }

    #[test]
    fn f3_group_text_splits_the_sender() {
        let (_, m) = message(fixture!("f3-group-text-at"));
        assert_eq!((m.chat.as_str(), m.group), ("xxx@chatroom", true));
        assert_eq!(m.sender.as_deref(), Some("wxid_xxx"));
        assert_eq!(m.text, "@name msg_content");
        assert!(!m.own);
        assert_eq!(m.new_msg_id, 8_449_132_831_264_840_264);
        assert_eq!(m.push_content.as_deref(), Some("xxx在群聊中@了你"));
    }

    #[test]
    fn f4_private_recall_names_the_recalled_message() {
        let (_, m) = message(fixture!("f4-private-recall"));
        assert_eq!(
            (m.msg_type, m.new_msg_id, m.push_content),
            (10002, 1_968_256_046, None)
        );
        assert_eq!(
            m.sysmsg,
            Some(SysMsg::Recall(Recall {
                chat: "wxid_phyyedw9xap22".into(),
                msg_id: Some(1_040_356_115),
                new_msg_id: 5_576_224_237_104_747_184,
                text: "\"朝夕。\" 撤回了一条消息".into(),
                by: None,
            }))
        );
    }

    #[test]
    fn f5_pat_is_not_a_recall() {
        let (_, m) = message(fixture!("f5-private-pat"));
        assert_eq!(m.sysmsg, Some(SysMsg::Other { kind: "pat".into() }));
    }

    #[test]
    fn f6_setcallback_test_post_keeps_no_token() {
        assert_eq!(
            parse_callback(fixture!("f6-setcallback-test")),
            Ok(Callback::Test)
        );
        assert!(!format!("{:?}", parse_callback(fixture!("f6-setcallback-test"))).contains("2ba011b9"));
    }

    #[test]
    fn reads_the_lower_case_envelope() {
        let (envelope, m) = message(fixture!("e1-lowercase-envelope"));
        assert_eq!(
            (envelope.type_name.as_str(), envelope.appid.as_str()),
            ("AddMsg", "wx_anAIaxXZGeuwhKeiGan_n")
        );
        assert_eq!(m.new_msg_id, i64::MAX as u64);
        let lower = r#"{"type_name":"Offline","appid":"wx_a","wxid":"wxid_b"}"#;
        assert_eq!(
            parse_callback(lower),
            Ok(Callback::Event(Envelope {
                type_name: "Offline".into(),
                appid: "wx_a".into(),
                wxid: Some("wxid_b".into()),
            }))
        );
        // PascalCase wins when both are there.
        let both = r#"{"TypeName":"Offline","type_name":"AddMsg","Appid":"wx_a","appid":"wx_b"}"#;
        assert!(matches!(parse_callback(both), Ok(Callback::Event(e)) if e.appid == "wx_a"));
    }

    #[test]
    fn reads_a_pretty_printed_group_recall_with_entities() {
        let (_, m) = message(fixture!("e2-group-recall-pretty"));
        assert_eq!(m.new_msg_id, u64::MAX);
        assert_eq!(m.sender.as_deref(), Some("lylezhuifeng"));
        assert_eq!(
            recall(fixture!("e2-group-recall-pretty")),
            Recall {
                chat: "18295482296@chatroom".into(),
                msg_id: Some(1_672_045_621),
                new_msg_id: 6_800_642_263_058_603_981,
                text: "\"高原ོ\" 撤回了一条消息".into(),
                by: Some("lylezhuifeng".into()),
            }
        );
    }

    #[test]
    fn group_system_messages_have_no_member_sender() {
        let (_, m) = message(fixture!("e3-group-sysmsgtemplate"));
        assert_eq!((m.sender, m.group), (None, true));
        assert!(m.text.starts_with("<sysmsg"), "{}", m.text);
        assert_eq!(
            m.sysmsg,
            Some(SysMsg::Other {
                kind: "sysmsgtemplate".into()
            })
        );
    }

    #[test]
    fn other_type_names_are_events() {
        assert_eq!(
            parse_callback(fixture!("e4-offline")),
            Ok(Callback::Event(Envelope {
                type_name: "Offline".into(),
                appid: "wx_wR_U4zPj2M_OTS3BCyoE4".into(),
                wxid: Some("wxid_phyyedw9xap22".into()),
            }))
        );
        // ModContacts: no Wxid, a number above 2^64 and protobuf bytes in Data, none of it read.
        let mod_contacts = r#"{"TypeName":"ModContacts","Appid":"wx_a","Data":{"SnsBgobjectId":14216284872728580667,"x":1e999,"Description":"\b\u0004\ufffd"}}"#;
        assert!(matches!(
            parse_callback(mod_contacts),
            Ok(Callback::Event(Envelope { wxid: None, .. }))
        ));
    }

    #[test]
    fn a_text_shaped_like_a_recall_is_only_text() {
        let (_, m) = message(fixture!("e5-text-shaped-like-a-recall"));
        assert_eq!((m.msg_type, m.sysmsg), (1, None));
        assert!(m.text.starts_with("<sysmsg type=\"revokemsg\">"));
    }

    #[test]
    fn own_group_messages_from_the_phone() {
        let (_, m) = message(fixture!("e6-own-group-message"));
        assert_eq!(m.new_msg_id, 9_007_199_254_740_993);
        assert_eq!(
            (m.chat.as_str(), m.group, m.own),
            ("34757816141@chatroom", true, true)
        );
        assert_eq!(m.sender.as_deref(), Some("wxid_0xsqb3o0tsvz22"));
        // No prefix is split from a message that did not come from the group.
        assert_eq!(m.text, "sent from the phone:\nsecond line");
    }

    #[test]
    fn own_private_messages_are_in_the_peers_chat() {
        let raw = f1_with(
            &["FromUserName", "ToUserName"],
            r#""FromUserName":{"string":"wxid_upf0exaush5322"},"ToUserName":{"string":"wxid_peer"}"#,
        );
        let (_, m) = message(&raw);
        assert_eq!((m.own, m.chat.as_str()), (true, "wxid_peer"));
    }

    #[test]
    fn group_prefixes_split_at_the_first_line_end_only_when_shaped_like_an_id() {
        for (content, sender, text) in [
            ("wxid_a-b.c:\nx:\ny", Some("wxid_a-b.c"), "x:\ny"),
            ("no prefix", None, "no prefix"),
            ("two words:\nbody", None, "two words:\nbody"),
            (":\nbody", None, ":\nbody"),
            ("1@chatroom:\nbody", None, "body"),
        ] {
            let mut c = String::new();
            json::write_str(&mut c, content);
            let raw = f1_with(
                &["FromUserName", "Content"],
                &format!(r#""FromUserName":{{"string":"1@chatroom"}},"Content":{{"string":{c}}}"#),
            );
            let (_, m) = message(&raw);
            assert_eq!(
                (m.sender.as_deref(), m.text.as_str()),
                (sender, text),
                "{content:?}"
            );
        }
        let long = format!("{}:\nbody", "a".repeat(MAX_SENDER_BYTES + 1));
        assert_eq!(split_sender(&long), None);
        assert!(split_sender(&format!("{}:\nbody", "a".repeat(MAX_SENDER_BYTES))).is_some());
    }

    #[test]
    fn ids_may_be_decimal_strings_and_optional_ones_absent() {
        let raw = f1_with(
            &["MsgId", "NewMsgId", "MsgSeq", "CreateTime"],
            r#""MsgId":" 7 ","NewMsgId":"18446744073709551615","MsgSeq":null"#,
        );
        let (_, m) = message(&raw);
        assert_eq!(
            (m.msg_id, m.new_msg_id, m.msg_seq, m.create_time),
            (7, u64::MAX, None, None)
        );
    }

    #[test]
    fn tolerates_empty_wrappers_and_odd_display_fields() {
        let raw = f1_with(
            &["Content", "PushContent", "ImgBuf"],
            r#""Content":{},"PushContent":5,"ImgBuf":{"iLen":0,"buffer":null}"#,
        );
        let (_, m) = message(&raw);
        assert_eq!(
            (m.text.as_str(), m.push_content, m.image_buffer),
            ("", None, None)
        );
        let (_, m) = message(&f1_with(&["Content"], r#""Content":{"string":null}"#));
        assert_eq!(m.text, "");
        let (_, m) = message(&f1_with(&["Content"], ""));
        assert_eq!(m.text, "");
        let blank_wxid = r#"{"TypeName":"Offline","Appid":"wx_a","Wxid":" "}"#;
        assert!(matches!(
            parse_callback(blank_wxid),
            Ok(Callback::Event(Envelope { wxid: None, .. }))
        ));
    }

    #[test]
    fn malformed_callbacks_name_what_is_wrong() {
        let big = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_CALLBACK_BYTES));
        let cases: Vec<(String, &str)> = vec![
            (big, "rawText"),
            ("".into(), "rawText"),
            ("not json".into(), "rawText"),
            ("[1]".into(), "rawText"),
            (format!("{}{}", "[".repeat(65), "]".repeat(65)), "rawText"),
            ("{}".into(), "TypeName"),
            (r#"{"testMsg":1}"#.into(), "TypeName"),
            (r#"{"TypeName":1,"Appid":"a"}"#.into(), "TypeName"),
            (r#"{"TypeName":"","Appid":"a"}"#.into(), "TypeName"),
            (r#"{"TypeName":null,"Appid":"a"}"#.into(), "TypeName"),
            (r#"{"TypeName":"Offline"}"#.into(), "Appid"),
            (r#"{"TypeName":"Offline","Appid":" "}"#.into(), "Appid"),
            (r#"{"TypeName":"Offline","Appid":["a"]}"#.into(), "Appid"),
            (r#"{"TypeName":"Offline","Appid":"a","Wxid":7}"#.into(), "Wxid"),
            (r#"{"TypeName":"AddMsg","Appid":"a"}"#.into(), "Data"),
            (r#"{"TypeName":"AddMsg","Appid":"a","Data":[]}"#.into(), "Data"),
            (f1_with(&["MsgId"], ""), "Data.MsgId"),
            (f1_with(&["MsgId"], r#""MsgId":-1"#), "Data.MsgId"),
            (f1_with(&["NewMsgId"], ""), "Data.NewMsgId"),
            (f1_with(&["NewMsgId"], r#""NewMsgId":3.4685390146342395e17"#), "Data.NewMsgId"),
            (f1_with(&["NewMsgId"], r#""NewMsgId":18446744073709551616"#), "Data.NewMsgId"),
            (f1_with(&["NewMsgId"], r#""NewMsgId":"12a""#), "Data.NewMsgId"),
            (f1_with(&["NewMsgId"], r#""NewMsgId":true"#), "Data.NewMsgId"),
            (f1_with(&["MsgSeq"], r#""MsgSeq":{}"#), "Data.MsgSeq"),
            (f1_with(&["CreateTime"], r#""CreateTime":"soon""#), "Data.CreateTime"),
            (f1_with(&["MsgType"], ""), "Data.MsgType"),
            (f1_with(&["MsgType"], r#""MsgType":4294967296"#), "Data.MsgType"),
            (f1_with(&["FromUserName"], ""), "Data.FromUserName"),
            (f1_with(&["FromUserName"], r#""FromUserName":{}"#), "Data.FromUserName"),
            (f1_with(&["FromUserName"], r#""FromUserName":{"string":""}"#), "Data.FromUserName"),
            (f1_with(&["FromUserName"], r#""FromUserName":"wxid_a""#), "Data.FromUserName"),
            (f1_with(&["ToUserName"], r#""ToUserName":{"string":1}"#), "Data.ToUserName"),
            (f1_with(&["ToUserName"], ""), "Data.ToUserName"),
            (f1_with(&["Content"], r#""Content":"text""#), "Data.Content"),
            (sysmsg_with("not xml", false), "Data.Content"),
            (sysmsg_with("<msg/>", false), "Data.Content"),
            (sysmsg_with("<sysmsg type=\"revokemsg\"><x/></sysmsg>", false), "Data.Content"),
            (sysmsg_with("<sysmsg type=\"revokemsg\"><revokemsg><msgid>1</msgid></revokemsg></sysmsg>", false), "Data.Content"),
            (sysmsg_with("<sysmsg type=\"revokemsg\"><revokemsg><newmsgid>x</newmsgid></revokemsg></sysmsg>", false), "Data.Content"),
            (sysmsg_with("<sysmsg type=\"revokemsg\"><revokemsg><newmsgid>1</newmsgid><msgid>-1</msgid></revokemsg></sysmsg>", false), "Data.Content"),
        ];
        // FIELDS is exactly what these cases blame: each name is reached, and no case blames one outside it.
        let blamed: std::collections::BTreeSet<&str> = cases.iter().map(|(_, field)| *field).collect();
        assert_eq!(blamed, FIELDS.into_iter().collect());
        for (raw, field) in cases {
            let (code, got, message) = fails(&raw);
            assert_eq!(
                (code, got),
                (Code::BadResponse, Some(field)),
                "{}: {message}",
                raw.get(..200).unwrap_or(&raw)
            );
            assert!(message.starts_with("The ") && message.ends_with('.'), "{message}");
            assert!(
                message.contains(field)
                    || field == "rawText"
                    || field == "Data.Content" && message.contains("recall notice"),
                "{message}"
            );
        }
    }

    #[test]
    fn the_bound_is_inclusive() {
        let at_limit = |n: usize| format!("{{\"testMsg\":\"{}\"}}", "x".repeat(n - 14));
        assert_eq!(at_limit(MAX_CALLBACK_BYTES).len(), MAX_CALLBACK_BYTES);
        assert_eq!(parse_callback(&at_limit(MAX_CALLBACK_BYTES)), Ok(Callback::Test));
        assert_eq!(fails(&at_limit(MAX_CALLBACK_BYTES + 1)).1, Some("rawText"));
    }

    #[test]
    fn recall_notices_in_every_shape() {
        let notice = "<revokemsg><session>wxid_peer</session><msgid>1</msgid><newmsgid>18446744073709551615</newmsgid><replacemsg><![CDATA[你撤回了一条消息]]></replacemsg></revokemsg>";
        for content in [
            format!("<sysmsg type=\"revokemsg\">{notice}</sysmsg>"),
            format!("<?xml version=\"1.0\"?>\n<sysmsg type='revokemsg'>\n\t{notice}\n</sysmsg>\n"),
            format!("<!-- x --><sysmsg type=\"revokemsg\" other=\"&amp;\">{notice}<extra/></sysmsg>"),
        ] {
            let r = recall(&sysmsg_with(&content, false));
            assert_eq!(
                (r.new_msg_id, r.msg_id, r.by),
                (u64::MAX, Some(1), None),
                "{content}"
            );
            assert_eq!(
                (r.chat.as_str(), r.text.as_str()),
                ("wxid_peer", "你撤回了一条消息")
            );
        }
        // No session: the notice's own chat; no msgid or replacemsg: absent and empty.
        let bare = "<sysmsg type=\"revokemsg\"><revokemsg><newmsgid> 42 </newmsgid></revokemsg></sysmsg>";
        let r = recall(&sysmsg_with(bare, true));
        assert_eq!(
            (r.chat.as_str(), r.msg_id, r.new_msg_id, r.text.as_str(), r.by),
            ("1@chatroom", None, 42, "", None)
        );
        let r = recall(&sysmsg_with(&format!("wxid_m:\n{bare}"), true));
        assert_eq!(r.by.as_deref(), Some("wxid_m"));
    }

    #[test]
    fn other_sysmsg_kinds_are_never_recalls() {
        for (content, kind) in [
            ("<sysmsg type=\"pat\"><pat/></sysmsg>", "pat"),
            (
                "<sysmsg type=\"mmchatroombarannouncememt\"/>",
                "mmchatroombarannouncememt",
            ),
            (
                "<sysmsg type=\"roomtoolstips\"><revokemsg><newmsgid>1</newmsgid></revokemsg></sysmsg>",
                "roomtoolstips",
            ),
            ("<sysmsg type=\"REVOKEMSG\"/>", "REVOKEMSG"),
            (
                "<sysmsg><revokemsg><newmsgid>1</newmsgid></revokemsg></sysmsg>",
                "",
            ),
        ] {
            let (_, m) = message(&sysmsg_with(content, false));
            assert_eq!(m.sysmsg, Some(SysMsg::Other { kind: kind.into() }), "{content}");
        }
    }

    #[test]
    fn errors_never_quote_the_callback() {
        let raw = r#"{"testMsg":2,"token":"2ba011b96a48477687692c059c247bf5"}"#;
        let e = parse_callback(raw).unwrap_err();
        assert!(!format!("{e:?}").contains("2ba011b9"), "{e:?}");
    }

    proptest! {
        #[test]
        fn any_u64_ids_survive_as_numbers_or_strings(m in any::<u64>(), n in any::<u64>(), r in any::<u64>(), quoted in any::<bool>()) {
            let q = if quoted { "\"" } else { "" };
            let content = format!("<sysmsg type=\"revokemsg\"><revokemsg><newmsgid>{r}</newmsgid></revokemsg></sysmsg>");
            let mut c = String::new();
            json::write_str(&mut c, &content);
            let raw = format!(r#"{{"TypeName":"AddMsg","Appid":"a","Data":{{"MsgId":{q}{m}{q},"NewMsgId":{q}{n}{q},"MsgType":10002,"FromUserName":{{"string":"f"}},"ToUserName":{{"string":"t"}},"Content":{{"string":{c}}}}}}}"#);
            let (_, msg) = message(&raw);
            prop_assert_eq!((msg.msg_id, msg.new_msg_id), (m, n));
            let recalled = match msg.sysmsg {
                Some(SysMsg::Recall(notice)) => Some(notice.new_msg_id),
                _ => None,
            };
            prop_assert_eq!(recalled, Some(r));
        }

        #[test]
        fn never_panics_on_arbitrary_text(s in ".{0,64}") {
            let _ = parse_callback(&s);
        }

        #[test]
        fn never_panics_on_arbitrary_sysmsg_content(s in "[<>/=\"a-z0-9:\n&;#\\[\\]!-]{0,64}", group in any::<bool>()) {
            let _ = parse_callback(&sysmsg_with(&s, group));
        }
    }
}
