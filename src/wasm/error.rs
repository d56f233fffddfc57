//! Core errors become real JS `Error`s: instances of the package's own `GeweError` class (`pkg/error.js`).

use wasm_bindgen::prelude::*;

use super::convert::any_property;
use super::output::details;
use crate::core::redact::{contains, redact};
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
    GeweError::new(e.code.as_str(), &e.message, &details(e, cause)).into()
}

/// A core error as a `GeweError` without a cause, so `?` turns one into the other.
impl From<Error> for JsValue {
    #[inline(never)]
    fn from(e: Error) -> JsValue {
        to_js(&e, None)
    }
}

/// What a thrown JS value says about itself, read without trusting it.
#[derive(Default)]
pub struct Thrown {
    /// Its `message` (or the value itself when it is a string), with its cause's `code` or `message`: Node's fetch
    /// says only "fetch failed"; `ECONNREFUSED` and friends live in the cause.
    pub detail: String,
    /// The runtime's error code: the cause's `code` (Node) or the error's own (Bun).
    pub code: Option<String>,
    /// The cause's `message`, when it has a cause (Node's `bad port`).
    pub cause_message: Option<String>,
}

impl Thrown {
    /// Reads `thrown`; every property read is caught.
    pub fn read(thrown: &JsValue) -> Thrown {
        let text = |v: &JsValue, key| any_property(v, key).and_then(|v| v.as_string());
        let message = text(thrown, "message")
            .or_else(|| thrown.as_string())
            .unwrap_or_else(|| "unknown error".into());
        let cause = any_property(thrown, "cause").filter(JsValue::is_object);
        let code = cause
            .as_ref()
            .and_then(|c| text(c, "code"))
            .or_else(|| text(thrown, "code"));
        let cause_message = cause.as_ref().and_then(|c| text(c, "message"));
        let extra = code.clone().or_else(|| cause_message.clone());
        Thrown {
            detail: match extra {
                Some(extra) => format!("{message} ({extra})"),
                None => message,
            },
            code,
            cause_message,
        }
    }
}

/// `thrown` as the `cause` of an error, unless any text in it (message, stack, code, nested causes) spells the
/// token: then a plain `Error` of the same name with the redacted message stands in for it.
pub fn safe_cause(thrown: &JsValue, token: &str) -> JsValue {
    let mut texts = Vec::new();
    let mut at = Some(thrown.clone());
    for _ in 0..4 {
        let Some(v) = at.take() else { break };
        texts.extend(v.as_string());
        for key in ["message", "stack", "code", "name"] {
            texts.extend(any_property(&v, key).and_then(|t| t.as_string()));
        }
        at = any_property(&v, "cause").filter(|c| !c.is_undefined() && !c.is_null());
    }
    if !texts.iter().any(|t| contains(t, token)) {
        return thrown.clone();
    }
    let Thrown { detail, .. } = Thrown::read(thrown);
    let stand_in = js_sys::Error::new(&redact(&detail, token));
    if let Some(name) = any_property(thrown, "name").and_then(|n| n.as_string()) {
        stand_in.set_name(&redact(&name, token));
    }
    stand_in.into()
}
