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

/// Declares [`Constants`] and its one instance [`JS`]: each value named and made once, here.
macro_rules! constants {
    ($($(#[$doc:meta])* $name:ident = $value:expr;)*) => {
        /// The JS values the library uses on every call, made once per instance instead of decoded from UTF-8 each
        /// time: property and header names, and a few fixed values.
        pub struct Constants {
            $($(#[$doc])* pub $name: JsValue,)*
        }

        thread_local! {
            /// The one set (wasm is single-threaded; `thread_local` is just the safe static).
            pub static JS: Constants = Constants { $($name: JsValue::from($value),)* };
        }
    };
}

constants! {
    /// What a call's stop promise resolves to: an object nothing else can produce.
    stopped = Object::new();
    /// `{ stream: true }` for `TextDecoder.decode`.
    stream = {
        let options = Object::new();
        let _ = Reflect::set(&options, &"stream".into(), &JsValue::TRUE);
        options
    };
    /// `"POST"`
    post = "POST";
    /// `["Content-Type", "application/json"]`, frozen.
    json_header = Object::freeze(&js_sys::Array::of2(&"Content-Type".into(), &"application/json".into()));
    /// `"X-GEWE-TOKEN"`
    token_header = "X-GEWE-TOKEN";
    /// `"manual"`: redirects are never followed, so the token goes nowhere but GeWe.
    manual = "manual";
    /// Property names read off callers' objects.
    app_id = "appId";
    /// `toWxid`
    to_wxid = "toWxid";
    /// `msgId`
    msg_id = "msgId";
    /// `newMsgId`
    new_msg_id = "newMsgId";
    /// `createTime`
    create_time = "createTime";
    /// `token`
    token = "token";
    /// `baseUrl`
    base_url = "baseUrl";
    /// `timeoutMs`
    timeout_ms = "timeoutMs";
    /// `retries`
    retries = "retries";
    /// `revokeWindowSec`
    revoke_window_sec = "revokeWindowSec";
    /// `maxResponseBytes`
    max_response_bytes = "maxResponseBytes";
    /// `fetch`
    fetch = "fetch";
    /// `signal`
    signal = "signal";
    /// `concurrency`
    concurrency = "concurrency";
    /// `intervalMs`
    interval_ms = "intervalMs";
    /// `length`
    length = "length";
    /// Header names read off answers.
    content_length = "content-length";
    /// `content-encoding`
    content_encoding = "content-encoding";
    /// `retry-after`
    retry_after = "retry-after";
    /// `location`
    location = "location";
    /// `done` of a stream read's result.
    done = "done";
    /// `value` of a stream read's result.
    value = "value";
    /// Keys of the objects the library returns: results, receipts, `revokeMany` items, error details.
    ret = "ret";
    /// `msg`
    msg = "msg";
    /// `data`
    data = "data";
    /// `ok`
    ok = "ok";
    /// `result`
    result = "result";
    /// `error`
    error = "error";
    /// `field`
    field = "field";
    /// `status`
    status = "status";
    /// `apiMsg`
    api_msg = "apiMsg";
    /// `body`
    body = "body";
    /// `maybeDelivered`
    maybe_delivered = "maybeDelivered";
    /// `cause`
    cause = "cause";
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
