//! JS values to core inputs and core values to JS. Inputs are read from own properties only, through cached key
//! strings, and every read is caught: a getter, a Proxy trap or a polluted prototype changes nothing.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::options::RawOptions;
use crate::core::params::RawParams;
use crate::core::Input;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Object, js_name = hasOwn, catch)]
    fn has_own(target: &JsValue, key: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(js_namespace = Reflect, js_name = get, catch)]
    fn reflect_get(target: &JsValue, key: &JsValue) -> Result<JsValue, JsValue>;
}

/// The JS values the library uses on every call, made once per instance instead of decoded from UTF-8 each time.
pub struct Constants {
    /// What a call's stop promise resolves to: an object nothing else can produce.
    pub stopped: JsValue,
    /// `{ stream: true }` for `TextDecoder.decode`.
    pub stream: JsValue,
    /// Swallows the rejection of a cancel nobody waits for, so it never reaches the host's unhandled handler.
    pub ignore: Closure<dyn FnMut(JsValue)>,
    /// `"POST"`
    pub post: JsValue,
    /// `["Content-Type", "application/json"]`, frozen.
    pub json_header: JsValue,
    /// `"X-GEWE-TOKEN"`
    pub token_header: JsValue,
    /// `"manual"`: redirects are never followed, so the token goes nowhere but GeWe.
    pub manual: JsValue,
    /// Property names read off callers' objects.
    pub app_id: JsValue,
    /// `toWxid`
    pub to_wxid: JsValue,
    /// `msgId`
    pub msg_id: JsValue,
    /// `newMsgId`
    pub new_msg_id: JsValue,
    /// `createTime`
    pub create_time: JsValue,
    /// `token`
    pub token: JsValue,
    /// `baseUrl`
    pub base_url: JsValue,
    /// `timeoutMs`
    pub timeout_ms: JsValue,
    /// `retries`
    pub retries: JsValue,
    /// `revokeWindowSec`
    pub revoke_window_sec: JsValue,
    /// `maxResponseBytes`
    pub max_response_bytes: JsValue,
    /// `fetch`
    pub fetch: JsValue,
    /// `signal`
    pub signal: JsValue,
    /// `concurrency`
    pub concurrency: JsValue,
    /// `intervalMs`
    pub interval_ms: JsValue,
    /// `length`
    pub length: JsValue,
    /// Header names read off answers.
    pub content_length: JsValue,
    /// `content-encoding`
    pub content_encoding: JsValue,
    /// `retry-after`
    pub retry_after: JsValue,
    /// `location`
    pub location: JsValue,
    /// `done` of a stream read's result.
    pub done: JsValue,
    /// `value` of a stream read's result.
    pub value: JsValue,
}

thread_local! {
    /// The one set (wasm is single-threaded; `thread_local` is just the safe static).
    pub static JS: Constants = Constants {
        stopped: Object::new().into(),
        stream: {
            let options = Object::new();
            let _ = Reflect::set(&options, &"stream".into(), &JsValue::TRUE);
            options.into()
        },
        ignore: Closure::new(|_| {}),
        post: "POST".into(),
        json_header: Object::freeze(&js_sys::Array::of2(&"Content-Type".into(), &"application/json".into())).into(),
        token_header: "X-GEWE-TOKEN".into(),
        manual: "manual".into(),
        app_id: "appId".into(),
        to_wxid: "toWxid".into(),
        msg_id: "msgId".into(),
        new_msg_id: "newMsgId".into(),
        create_time: "createTime".into(),
        token: "token".into(),
        base_url: "baseUrl".into(),
        timeout_ms: "timeoutMs".into(),
        retries: "retries".into(),
        revoke_window_sec: "revokeWindowSec".into(),
        max_response_bytes: "maxResponseBytes".into(),
        fetch: "fetch".into(),
        signal: "signal".into(),
        concurrency: "concurrency".into(),
        interval_ms: "intervalMs".into(),
        length: "length".into(),
        content_length: "content-length".into(),
        content_encoding: "content-encoding".into(),
        retry_after: "retry-after".into(),
        location: "location".into(),
        done: "done".into(),
        value: "value".into(),
    };
}

/// The own property `key` of `target`, `undefined` when it has none (whatever the prototype chain holds); `Err`
/// when its getter or a Proxy trap threw.
pub fn own(target: &JsValue, key: &JsValue) -> Result<JsValue, JsValue> {
    own_defined(target, key).map(|value| value.unwrap_or(JsValue::UNDEFINED))
}

/// The own property `key` of `target` unless it is absent or `undefined`. Reads first and asks about ownership only
/// for a value that is there, so an absent option costs two crossings (the read and its `undefined` check).
fn own_defined(target: &JsValue, key: &JsValue) -> Result<Option<JsValue>, JsValue> {
    match reflect_get(target, key) {
        Ok(value) if value.is_undefined() => Ok(None),
        Ok(value) => Ok(has_own(target, key)?.then_some(value)),
        Err(thrown) if has_own(target, key)? => Err(thrown),
        Err(_) => Ok(None),
    }
}

/// Any property of a thrown value (inherited ones too: `DOMException`'s `message` is a prototype getter), or `None`.
pub fn any_property(target: &JsValue, key: &str) -> Option<JsValue> {
    if target.is_object() {
        reflect_get(target, &JsValue::from_str(key)).ok()
    } else {
        None
    }
}

/// Reads the own property `key` as an `Input`; a throwing getter reads as an unreadable value.
pub fn read(target: &JsValue, key: &JsValue) -> Input {
    match own_defined(target, key) {
        Ok(Some(value)) => classify(&value),
        Ok(None) => Input::Undefined,
        Err(_) => Input::Other("an unreadable value"),
    }
}

/// Reduces a JS value other than `undefined` to what validation needs. Strings first: every parameter and most
/// options are strings, and each test is a crossing.
fn classify(v: &JsValue) -> Input {
    if let Some(s) = v.as_string() {
        Input::Str(s)
    } else if v.is_null() {
        Input::Null
    } else if let Some(n) = v.as_f64() {
        Input::Num(n)
    } else if v.is_bigint() {
        Input::BigInt(
            v.unchecked_ref::<js_sys::BigInt>()
                .to_string(10)
                .map(String::from)
                .unwrap_or_default(),
        )
    } else if v.as_bool().is_some() {
        Input::Other("a boolean")
    } else if v.is_function() {
        Input::Other("a function")
    } else if v.is_symbol() {
        Input::Other("a symbol")
    } else {
        Input::Other("an object")
    }
}

/// Whether `v` is an object (functions included), so its properties can be read.
pub fn is_object(v: &JsValue) -> bool {
    v.is_object() || v.is_function()
}

/// The five revoke parameters of `target`.
pub fn params(target: &JsValue) -> RawParams {
    JS.with(|k| RawParams {
        app_id: read(target, &k.app_id),
        to_wxid: read(target, &k.to_wxid),
        msg_id: read(target, &k.msg_id),
        new_msg_id: read(target, &k.new_msg_id),
        create_time: read(target, &k.create_time),
    })
}

/// The options of `target` that the core validates.
pub fn options(target: &JsValue) -> RawOptions {
    JS.with(|k| RawOptions {
        token: read(target, &k.token),
        base_url: read(target, &k.base_url),
        timeout_ms: read(target, &k.timeout_ms),
        retries: read(target, &k.retries),
        revoke_window_sec: read(target, &k.revoke_window_sec),
        app_id: read(target, &k.app_id),
        max_response_bytes: read(target, &k.max_response_bytes),
    })
}
