//! Core errors become real JS `Error`s: instances of the package's own `GeweError` class (`pkg/error.js`).

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use super::convert::{json, object};
use crate::core::Error;

// `raw_module` imports the hand-written file itself (the bindings live in pkg/wasm/), so the class users import
// from the package and the class wasm instantiates are one and the same: `instanceof` holds.
#[wasm_bindgen(raw_module = "../error.js")]
extern "C" {
    type GeweError;
    #[wasm_bindgen(constructor, js_class = "GeweError")]
    fn new(code: &str, message: &str, details: &js_sys::Object) -> GeweError;
}

/// The JS `GeweError` for a core error, with `cause` when there is one.
pub fn to_js(e: &Error, cause: Option<JsValue>) -> JsValue {
    let details = object([
        ("field", e.field.map(JsValue::from_str)),
        ("status", e.status.map(|s| JsValue::from_f64(f64::from(s)))),
        ("ret", e.ret.map(|r| JsValue::from_f64(r as f64))),
        ("apiMsg", e.api_msg.as_deref().map(JsValue::from_str)),
        ("data", e.data.as_ref().map(json)),
        ("body", e.body.as_deref().map(JsValue::from_str)),
        ("cause", cause),
    ]);
    GeweError::new(e.code.as_str(), &e.message, &details).into()
}

/// `to_js` without a cause, for `map_err`.
pub fn js(e: Error) -> JsValue {
    to_js(&e, None)
}

/// A short description of a thrown JS value for a message: its `message`, plus its cause's `code` or `message`
/// (Node's fetch says only "fetch failed"; `ECONNREFUSED` and friends live in the cause).
pub fn describe(thrown: &JsValue) -> String {
    let text = |v: &JsValue, key: &str| {
        Reflect::get(v, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_string())
    };
    let message = text(thrown, "message")
        .or_else(|| thrown.as_string())
        .unwrap_or_else(|| "unknown error".into());
    let code = Reflect::get(thrown, &JsValue::from_str("cause"))
        .ok()
        .filter(JsValue::is_object)
        .and_then(|c| text(&c, "code").or_else(|| text(&c, "message")));
    match code {
        Some(code) => format!("{message} ({code})"),
        None => message,
    }
}
