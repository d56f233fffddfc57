//! Core errors become instances of the package's own `GeweError` (`pkg/error.js`), the very class the main entry
//! exports, so `instanceof GeweError` holds across `gewe-revoke` and `gewe-revoke/callbacks`.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::core::Error;

// `raw_module`: the bindings live in pkg/wasm/, the class one directory up, shared with the revoke module's glue.
#[wasm_bindgen(raw_module = "../error.js")]
extern "C" {
    type GeweError;
    #[wasm_bindgen(constructor, js_class = "GeweError")]
    fn new(code: &str, message: &str, details: &Object) -> GeweError;
}

/// The JS `GeweError` for a core error. A parse error carries a code, a sentence and the field at fault; the
/// revoke-only details (`status`, `ret`, `data`, …) never arise here.
pub fn js_error(e: Error) -> JsValue {
    let details = Object::new();
    if let Some(field) = e.field {
        let _ = Reflect::set(&details, &"field".into(), &field.into());
    }
    GeweError::new(e.code.as_str(), &e.message, &details).into()
}
