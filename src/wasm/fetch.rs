//! `fetch` and what it resolves to, trusting nothing: the global `fetch` (or the injected one, called with no
//! receiver), a `Response`'s status and headers, each member reached with its throws caught.

use js_sys::Function;
use wasm_bindgen::prelude::*;

use super::convert::{Constants, JS};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(url: &JsValue, init: &JsValue) -> Result<JsValue, JsValue>;

    /// What `fetch` resolved to, once `instanceof Response` holds.
    pub type Response;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn status(this: &Response) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn headers(this: &Response) -> Result<Headers, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch)]
    pub fn body(this: &Response) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, structural, catch)]
    pub fn text(this: &Response) -> Result<JsValue, JsValue>;

    /// A `Response`'s `headers`, whatever it turned out to be.
    pub type Headers;
    #[wasm_bindgen(method, structural, catch)]
    fn get(this: &Headers, name: &JsValue) -> Result<JsValue, JsValue>;
}

/// Calls `fetch(url, init)`: the injected one with no receiver (a stored `fetch` called as a method throws in
/// Workers), else the global one. `Err` is what it threw synchronously.
pub fn fetch(injected: Option<&Function>, url: &JsValue, init: &JsValue) -> Result<JsValue, JsValue> {
    match injected {
        Some(fetch) => fetch.call2(&JsValue::UNDEFINED, url, init),
        None => global_fetch(url, init),
    }
}

impl Response {
    /// The HTTP status (0 for a browser's opaque redirect), or `None` when it is not one.
    pub fn status_code(&self) -> Option<u16> {
        let status = self.status().ok()?.as_f64()?;
        (status.fract() == 0.0 && (0.0..=999.0).contains(&status)).then_some(status as u16)
    }

    /// Its headers, or `None` when they cannot be read.
    pub fn header_list(&self) -> Option<Headers> {
        self.headers().ok().filter(|h| h.is_object())
    }
}

impl Headers {
    /// The header `name`, `None` when absent; `Err(())` when the headers cannot be read.
    pub fn text(&self, name: fn(&Constants) -> &JsValue) -> Result<Option<String>, ()> {
        JS.with(|k| self.get(name(k)))
            .map(|v| v.as_string())
            .map_err(drop)
    }
}
