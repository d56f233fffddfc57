//! `parseCallback`: a GeWe callback read by the core, handed to JS as a plain object with every id an exact
//! decimal string. The module is the whole of `gewe-revoke/callbacks` (src/callbacks/mod.rs).

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::error::js_error;
use crate::core::callback::{self, Callback, Envelope, Message, Recall, SysMsg};
use crate::core::Error;

/// Plain objects, `null` for `None`: what `JSON.parse` gives.
const TO_JS: serde_wasm_bindgen::Serializer = serde_wasm_bindgen::Serializer::json_compatible();

/// Reads one callback from the body GeWe POSTed: `{ kind: "test" }`, `{ kind: "message", envelope, message }`
/// or `{ kind: "event", envelope }`; throws `GeweError` (`BAD_RESPONSE`) naming what is wrong.
#[wasm_bindgen(js_name = parseCallback)]
pub fn parse_callback(text: JsValue) -> Result<JsValue, JsValue> {
    let Some(text) = text.as_string() else {
        return Err(js_error(Error::invalid_params(
            "rawText",
            "parseCallback takes the callback's raw body text (await request.text()), not a parsed object: \
             JSON.parse has already rounded NewMsgId.",
        )));
    };
    let parsed = callback::parse_callback(&text).map_err(js_error)?;
    Ok(Out::from(&parsed).serialize(&TO_JS).unwrap_or(JsValue::UNDEFINED))
}

/// The callback as JS sees it, tagged by `kind`.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Out<'a> {
    Test,
    Message {
        envelope: EnvelopeOut<'a>,
        message: MessageOut<'a>,
    },
    Event {
        envelope: EnvelopeOut<'a>,
    },
}

impl<'a> From<&'a Callback> for Out<'a> {
    fn from(c: &'a Callback) -> Self {
        match c {
            Callback::Test => Out::Test,
            Callback::Message { envelope, message } => Out::Message {
                envelope: envelope.into(),
                message: message.as_ref().into(),
            },
            Callback::Event(envelope) => Out::Event {
                envelope: envelope.into(),
            },
        }
    }
}

/// `{ typeName, appid, wxid }`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EnvelopeOut<'a> {
    type_name: &'a str,
    appid: &'a str,
    wxid: Option<&'a str>,
}

impl<'a> From<&'a Envelope> for EnvelopeOut<'a> {
    fn from(e: &'a Envelope) -> Self {
        EnvelopeOut {
            type_name: &e.type_name,
            appid: &e.appid,
            wxid: e.wxid.as_deref(),
        }
    }
}

/// An AddMsg message, ids as exact decimal strings.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MessageOut<'a> {
    msg_id: String,
    new_msg_id: String,
    msg_seq: Option<String>,
    msg_type: u32,
    create_time: Option<String>,
    from: &'a str,
    to: &'a str,
    chat: &'a str,
    group: bool,
    sender: Option<&'a str>,
    own: bool,
    text: &'a str,
    push_content: Option<&'a str>,
    image_buffer: Option<&'a str>,
    sysmsg: Option<SysMsgOut<'a>>,
}

impl<'a> From<&'a Message> for MessageOut<'a> {
    fn from(m: &'a Message) -> Self {
        MessageOut {
            msg_id: m.msg_id.to_string(),
            new_msg_id: m.new_msg_id.to_string(),
            msg_seq: m.msg_seq.map(|n| n.to_string()),
            msg_type: m.msg_type,
            create_time: m.create_time.map(|n| n.to_string()),
            from: &m.from,
            to: &m.to,
            chat: &m.chat,
            group: m.group,
            sender: m.sender.as_deref(),
            own: m.own,
            text: &m.text,
            push_content: m.push_content.as_deref(),
            image_buffer: m.image_buffer.as_deref(),
            sysmsg: m.sysmsg.as_ref().map(SysMsgOut::from),
        }
    }
}

/// `{ kind: "recall", … }` or `{ kind: "other", type }`.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum SysMsgOut<'a> {
    Recall(RecallOut<'a>),
    Other {
        #[serde(rename = "type")]
        kind: &'a str,
    },
}

impl<'a> From<&'a SysMsg> for SysMsgOut<'a> {
    fn from(s: &'a SysMsg) -> Self {
        match s {
            SysMsg::Recall(r) => SysMsgOut::Recall(r.into()),
            SysMsg::Other { kind } => SysMsgOut::Other { kind },
        }
    }
}

/// A recall notice, ids as exact decimal strings.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RecallOut<'a> {
    chat: &'a str,
    msg_id: Option<String>,
    new_msg_id: String,
    text: &'a str,
    by: Option<&'a str>,
}

impl<'a> From<&'a Recall> for RecallOut<'a> {
    fn from(r: &'a Recall) -> Self {
        RecallOut {
            chat: &r.chat,
            msg_id: r.msg_id.map(|n| n.to_string()),
            new_msg_id: r.new_msg_id.to_string(),
            text: &r.text,
            by: r.by.as_deref(),
        }
    }
}
