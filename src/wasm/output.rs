//! What leaves Rust for JS: results, receipts, `revokeMany` items and error details, as serde types through one
//! `serde_wasm_bindgen` serializer, with JSON's view of GeWe's `data`.

use js_sys::{Object, Reflect};
use serde::ser::{Error as _, SerializeMap};
use serde::{Serialize, Serializer};
use serde_wasm_bindgen::preserve;
use wasm_bindgen::prelude::*;

use crate::core::id::MAX_SAFE_INTEGER;
use crate::core::receipt::Receipt;
use crate::core::response::Success;
use crate::core::{Error, Json};

/// Init objects for structs and maps, `null` for unit, numbers for numbers: what `JSON.parse` gives.
const TO_JS: serde_wasm_bindgen::Serializer = serde_wasm_bindgen::Serializer::json_compatible();

/// `value` as a JS value.
fn to_js(value: &impl Serialize) -> JsValue {
    value.serialize(&TO_JS).unwrap_or(JsValue::UNDEFINED)
}

/// A successful revoke: `{ ret: 200, msg, data? }`.
#[derive(Serialize)]
pub struct Revoked<'a> {
    ret: u16,
    msg: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<Data<'a>>,
}

impl<'a> From<&'a Success> for Revoked<'a> {
    fn from(s: &'a Success) -> Self {
        Revoked {
            ret: 200,
            msg: &s.msg,
            data: s.data.as_ref().map(Data),
        }
    }
}

/// `{ ret: 200, msg, data? }` as a JS object.
pub fn success(s: &Success) -> JsValue {
    to_js(&Revoked::from(s))
}

/// A send receipt: `{ toWxid, msgId, newMsgId, createTime, type? }`, ids as exact decimal strings.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SendReceipt<'a> {
    to_wxid: &'a str,
    msg_id: String,
    new_msg_id: String,
    create_time: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<f64>,
}

/// A send receipt as a JS object.
pub fn receipt(r: &Receipt) -> JsValue {
    to_js(&SendReceipt {
        to_wxid: &r.to_wxid,
        msg_id: r.msg_id.to_string(),
        new_msg_id: r.new_msg_id.to_string(),
        create_time: r.create_time.to_string(),
        kind: r.kind.map(|k| k as f64),
    })
}

/// One `revokeMany` outcome: `{ ok: true, result }` or `{ ok: false, error }`.
#[derive(Serialize)]
#[serde(untagged)]
pub enum Item<'a> {
    /// It was revoked.
    Done {
        /// `true`
        ok: bool,
        /// GeWe's answer.
        result: Revoked<'a>,
    },
    /// It failed.
    Failed {
        /// `false`
        ok: bool,
        /// The `GeweError`.
        #[serde(with = "preserve")]
        error: JsValue,
    },
}

impl Item<'_> {
    /// The item as a JS object.
    pub fn to_js(&self) -> JsValue {
        to_js(self)
    }
}

/// The details a `GeweError` is constructed with (`cause` is set apart: it is any JS value).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Details<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ret: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_msg: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<Data<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'a str>,
    maybe_delivered: bool,
}

/// The details object of a `GeweError` for `e`.
pub fn details(e: &Error, cause: Option<JsValue>) -> Object {
    let details = to_js(&Details {
        field: e.field,
        status: e.status,
        ret: e.ret.map(|r| r as f64),
        api_msg: e.api_msg.as_deref(),
        data: e.data.as_ref().map(Data),
        body: e.body.as_deref(),
        location: e.location.as_deref(),
        maybe_delivered: e.maybe_delivered,
    });
    if let Some(cause) = cause {
        let _ = Reflect::set(&details, &"cause".into(), &cause);
    }
    details.into()
}

/// GeWe's `data` as `JSON.parse` would give it, except that integers beyond 2^53 become exact decimal strings.
#[derive(Clone, Copy)]
pub struct Data<'a>(&'a Json);

impl Serialize for Data<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Json::Null => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::String(text) => s.serialize_str(text),
            Json::Number(n) => match self.0.as_i64() {
                // `-0` stays negative zero, as JSON.parse reads it.
                Some(0) if n.starts_with('-') => s.serialize_f64(-0.0),
                Some(i) if (i.unsigned_abs() as f64) <= MAX_SAFE_INTEGER => s.serialize_f64(i as f64),
                _ if n.bytes().all(|b| b == b'-' || b.is_ascii_digit()) => s.serialize_str(n),
                // JS parses the float: Rust's float parser would cost more wasm than this whole module.
                _ => preserve::serialize(&JsValue::from_f64(js_sys::parse_float(n)), s),
            },
            Json::Array(items) => s.collect_seq(items.iter().map(Data)),
            Json::Object(members) if members.iter().any(|(k, _)| k == "__proto__") => preserve::serialize(
                &with_proto_key(members).map_err(|_| S::Error::custom("__proto__"))?,
                s,
            ),
            Json::Object(members) => {
                let mut map = s.serialize_map(Some(members.len()))?;
                for (key, value) in members {
                    map.serialize_entry(key, &Data(value))?;
                }
                map.end()
            }
        }
    }
}

/// An object with a `__proto__` member, built as `JSON.parse` builds it: as an own property (assigning it would set
/// the object's prototype instead).
fn with_proto_key(members: &[(String, Json)]) -> Result<Object, JsValue> {
    let obj = Object::new();
    for (key, value) in members {
        let descriptor = Object::new();
        Reflect::set(&descriptor, &"value".into(), &to_js(&Data(value)))?;
        for flag in ["writable", "enumerable", "configurable"] {
            Reflect::set(&descriptor, &flag.into(), &JsValue::TRUE)?;
        }
        Reflect::define_property(&obj, &key.into(), &descriptor)?;
    }
    Ok(obj)
}
