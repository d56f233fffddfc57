//! What leaves Rust for JS: results, receipts, canonical params, `revokeMany` items and error details.
//!
//! An output made only of JSON values (a result, a receipt, canonical params, GeWe's `data`) is written here as JSON
//! text and made by one `JSON.parse`: one crossing for the whole object instead of one per key and value, and every
//! property made as JSON makes it. The others hold JS values (an error, a `cause`) and are built key by key through
//! the cached keys. Neither goes through serde-wasm-bindgen, whose serializer weighed more of the .wasm than these
//! builders (measured in docs/boundary.md).

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use super::convert::{Constants, JS};
use crate::core::json::write_js_view;
use crate::core::receipt::Receipt;
use crate::core::response::Success;
use crate::core::{request, Error, Json, RevokeParams};

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` of a text written here: valid JSON, at most `json::MAX_DEPTH` deep, so it does not throw.
    #[wasm_bindgen(js_namespace = JSON, js_name = parse)]
    fn parse_json(text: &str) -> JsValue;
}

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
    parse_json(&s.js_text())
}

/// A send receipt: `{ toWxid, msgId, newMsgId, createTime, type? }`, ids as exact decimal strings.
pub fn receipt(r: &Receipt) -> JsValue {
    parse_json(&r.js_text())
}

/// Revoke params as a request carries them: `{ appId, toWxid, msgId, newMsgId, createTime }`, all strings, which is
/// the request's body read back.
pub fn params(p: &RevokeParams) -> JsValue {
    parse_json(&request::body(p))
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
        (|k| &k.data, e.data.as_ref().map(view)),
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
fn view(value: &Json) -> JsValue {
    let mut out = String::new();
    write_js_view(&mut out, value);
    parse_json(&out)
}
