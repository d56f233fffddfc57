//! What leaves Rust for JS: results, receipts, canonical params, `revokeMany` items and error details, built as
//! plain objects through the cached keys, with JSON's view of GeWe's `data`.
//!
//! Written by hand rather than through serde-wasm-bindgen: the objects are few and flat, and the serializer with its
//! key cache weighed more of the .wasm than these builders (measured in docs/boundary.md).

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::convert::{Constants, JS};
use crate::core::id::MAX_SAFE_INTEGER;
use crate::core::receipt::Receipt;
use crate::core::response::Success;
use crate::core::{Error, Json, RevokeParams};

/// A property of an object being built: its cached key, and its value unless it is left out.
type Field = (fn(&Constants) -> &JsValue, Option<JsValue>);

/// An object with `fields` set in order; a field whose value is `None` is left out.
fn object<const N: usize>(fields: [Field; N]) -> Object {
    let out = Object::new();
    JS.with(|k| {
        for (key, value) in fields {
            if let Some(value) = value {
                let _ = Reflect::set(&out, key(k), &value);
            }
        }
    });
    out
}

fn text(s: &str) -> Option<JsValue> {
    Some(JsValue::from_str(s))
}

/// A successful revoke: `{ ret: 200, msg, data? }`.
pub fn success(s: &Success) -> JsValue {
    object([
        (|k| &k.ret, Some(JsValue::from_f64(200.0))),
        (|k| &k.msg, text(&s.msg)),
        (|k| &k.data, s.data.as_ref().map(data)),
    ])
    .into()
}

/// A send receipt: `{ toWxid, msgId, newMsgId, createTime, type? }`, ids as exact decimal strings.
pub fn receipt(r: &Receipt) -> JsValue {
    object([
        (|k| &k.to_wxid, text(&r.to_wxid)),
        (|k| &k.msg_id, text(&r.msg_id.to_string())),
        (|k| &k.new_msg_id, text(&r.new_msg_id.to_string())),
        (|k| &k.create_time, text(&r.create_time.to_string())),
        (|k| &k.kind, r.kind.map(|t| JsValue::from_f64(t as f64))),
    ])
    .into()
}

/// Revoke params as a request carries them: `{ appId, toWxid, msgId, newMsgId, createTime }`, all strings.
pub fn params(p: &RevokeParams) -> JsValue {
    object([
        (|k| &k.app_id, text(&p.app_id)),
        (|k| &k.to_wxid, text(&p.to_wxid)),
        (|k| &k.msg_id, text(&p.msg_id.to_string())),
        (|k| &k.new_msg_id, text(&p.new_msg_id.to_string())),
        (|k| &k.create_time, text(&p.create_time.to_string())),
    ])
    .into()
}

/// One `revokeMany` outcome: `{ ok: true, result }` or `{ ok: false, error }`.
pub fn item(outcome: &Result<Success, JsValue>) -> JsValue {
    match outcome {
        Ok(done) => object([
            (|k| &k.ok, Some(JsValue::TRUE)),
            (|k| &k.result, Some(success(done))),
        ]),
        Err(error) => object([
            (|k| &k.ok, Some(JsValue::FALSE)),
            (|k| &k.error, Some(error.clone())),
        ]),
    }
    .into()
}

/// The details object a `GeweError` is constructed with, `cause` included when there is one.
pub fn details(e: &Error, cause: Option<JsValue>) -> Object {
    object([
        (|k| &k.field, e.field.and_then(text)),
        (|k| &k.status, e.status.map(|s| JsValue::from_f64(f64::from(s)))),
        (|k| &k.ret, e.ret.map(|r| JsValue::from_f64(r as f64))),
        (|k| &k.api_msg, e.api_msg.as_deref().and_then(text)),
        (|k| &k.data, e.data.as_ref().map(data)),
        (|k| &k.body, e.body.as_deref().and_then(text)),
        (|k| &k.location, e.location.as_deref().and_then(text)),
        (
            |k| &k.maybe_delivered,
            Some(JsValue::from_bool(e.maybe_delivered)),
        ),
        (|k| &k.cause, cause),
    ])
}

/// GeWe's `data` as `JSON.parse` would give it, except that integers beyond 2^53 become exact decimal strings.
fn data(value: &Json) -> JsValue {
    match value {
        Json::Null => JsValue::NULL,
        Json::Bool(b) => JsValue::from_bool(*b),
        Json::String(s) => JsValue::from_str(s),
        Json::Number(n) => match value.as_i64() {
            // `-0` stays negative zero, as JSON.parse reads it.
            Some(0) if n.starts_with('-') => JsValue::from_f64(-0.0),
            Some(i) if (i.unsigned_abs() as f64) <= MAX_SAFE_INTEGER => JsValue::from_f64(i as f64),
            _ if n.bytes().all(|b| b == b'-' || b.is_ascii_digit()) => JsValue::from_str(n),
            // JS parses the float: Rust's float parser would cost more wasm than this whole module.
            _ => JsValue::from_f64(js_sys::parse_float(n)),
        },
        Json::Array(items) => items.iter().map(data).collect::<Array>().into(),
        Json::Object(members) => {
            let out = Object::new();
            for (key, value) in members {
                let key = JsValue::from_str(key);
                let value = data(value);
                if key == "__proto__" {
                    // Assigning `__proto__` would set the object's prototype: JSON.parse makes it an own property.
                    define(&out, &key, &value);
                } else {
                    let _ = Reflect::set(&out, &key, &value);
                }
            }
            out.into()
        }
    }
}

/// Defines `key` on `target` as an ordinary own data property, as `JSON.parse` creates it.
fn define(target: &Object, key: &JsValue, value: &JsValue) {
    let descriptor = Object::new();
    let _ = Reflect::set(&descriptor, &JsValue::from_str("value"), value);
    for flag in ["writable", "enumerable", "configurable"] {
        let _ = Reflect::set(&descriptor, &JsValue::from_str(flag), &JsValue::TRUE);
    }
    let _ = Reflect::define_property(target, key, &descriptor);
}
