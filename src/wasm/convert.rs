//! JS values to core inputs and core values to JS, with structural getters so no property name is copied.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::id::MAX_SAFE_INTEGER;
use crate::core::options::RawOptions;
use crate::core::params::RawParams;
use crate::core::receipt::Receipt;
use crate::core::response::Success;
use crate::core::{Input, Json};

#[wasm_bindgen]
extern "C" {
    /// Any object the caller hands in: params, options, per-call options. Read by structural getters.
    pub type Bag;
    #[wasm_bindgen(method, getter, structural, catch, js_name = appId)]
    fn app_id(this: &Bag) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch, js_name = toWxid)]
    fn to_wxid(this: &Bag) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch, js_name = msgId)]
    fn msg_id(this: &Bag) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch, js_name = newMsgId)]
    fn new_msg_id(this: &Bag) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch, js_name = createTime)]
    fn create_time(this: &Bag) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn token(this: &Bag) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch, js_name = baseUrl)]
    fn base_url(this: &Bag) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch, js_name = timeoutMs)]
    fn timeout_ms(this: &Bag) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn retries(this: &Bag) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch, js_name = revokeWindowSec)]
    fn revoke_window_sec(this: &Bag) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn fetch(this: &Bag) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn signal(this: &Bag) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn concurrency(this: &Bag) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch, js_name = intervalMs)]
    fn interval_ms(this: &Bag) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    /// A plain object written through structural setters: on the hot path no key crosses as a string and no
    /// write needs a try/catch.
    pub type Plain;
    #[wasm_bindgen(method, setter = ret, structural)]
    fn set_ret(this: &Plain, value: f64);
    #[wasm_bindgen(method, setter = msg, structural)]
    fn set_msg(this: &Plain, value: &str);
    #[wasm_bindgen(method, setter = data, structural)]
    fn set_data(this: &Plain, value: &JsValue);
    #[wasm_bindgen(method, setter = method, structural)]
    pub fn set_method(this: &Plain, value: &JsValue);
    #[wasm_bindgen(method, setter = headers, structural)]
    pub fn set_headers(this: &Plain, value: &JsValue);
    #[wasm_bindgen(method, setter = body, structural)]
    pub fn set_body(this: &Plain, value: &str);
    #[wasm_bindgen(method, setter = signal, structural)]
    pub fn set_signal(this: &Plain, value: &JsValue);
}

impl Plain {
    /// A new empty object.
    pub fn new() -> Plain {
        Object::new().unchecked_into()
    }
}

/// JS strings every request uses, created once per instance instead of decoded from UTF-8 on every call.
pub struct Strings {
    /// `"POST"`
    pub post: JsValue,
    /// `"Content-Type"`
    pub content_type: JsValue,
    /// `"application/json"`
    pub json: JsValue,
    /// `"X-GEWE-TOKEN"`
    pub token_header: JsValue,
}

thread_local! {
    /// The one set of constant strings (wasm is single-threaded; `thread_local` is just the safe static).
    pub static STRINGS: Strings = Strings {
        post: JsValue::from_str("POST"),
        content_type: JsValue::from_str("Content-Type"),
        json: JsValue::from_str("application/json"),
        token_header: JsValue::from_str("X-GEWE-TOKEN"),
    };
}

/// Reads an `Input` through a getter; a throwing getter reads as an unreadable value.
fn read(got: Result<JsValue, JsValue>) -> Input {
    got.map_or(Input::Other("an unreadable value"), |v| input(&v))
}

/// Reduces a JS value to what validation needs.
pub fn input(v: &JsValue) -> Input {
    if v.is_undefined() {
        Input::Undefined
    } else if v.is_null() {
        Input::Null
    } else if let Some(s) = v.as_string() {
        Input::Str(s)
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

/// `v` as a `Bag` when it is an object (functions included); `None` for primitives.
pub fn bag(v: &JsValue) -> Option<&Bag> {
    (v.is_object() || v.is_function()).then(|| v.unchecked_ref::<Bag>())
}

impl Bag {
    /// The five revoke parameters.
    pub fn params(&self) -> RawParams {
        RawParams {
            app_id: read(self.app_id()),
            to_wxid: read(self.to_wxid()),
            msg_id: read(self.msg_id()),
            new_msg_id: read(self.new_msg_id()),
            create_time: read(self.create_time()),
        }
    }

    /// The options the core validates.
    pub fn options(&self) -> RawOptions {
        RawOptions {
            token: read(self.token()),
            base_url: read(self.base_url()),
            timeout_ms: read(self.timeout_ms()),
            retries: read(self.retries()),
            revoke_window_sec: read(self.revoke_window_sec()),
            app_id: read(self.app_id()),
        }
    }

    /// `timeoutMs`, as an `Input`.
    pub fn timeout_input(&self) -> Input {
        read(self.timeout_ms())
    }

    /// `concurrency`, as an `Input`.
    pub fn concurrency_input(&self) -> Input {
        read(self.concurrency())
    }

    /// `intervalMs`, as an `Input`.
    pub fn interval_input(&self) -> Input {
        read(self.interval_ms())
    }

    /// `fetch`, raw.
    pub fn fetch_value(&self) -> JsValue {
        self.fetch().unwrap_or(JsValue::NULL)
    }

    /// `signal`, raw.
    pub fn signal_value(&self) -> JsValue {
        self.signal().unwrap_or(JsValue::NULL)
    }
}

/// Sets `obj[key] = value`, defining `__proto__` as an own property as `JSON.parse` does.
fn set(obj: &Object, key: &str, value: &JsValue) {
    if key == "__proto__" {
        let descriptor = Object::new();
        for (k, v) in [
            ("value", value),
            ("writable", &JsValue::TRUE),
            ("enumerable", &JsValue::TRUE),
            ("configurable", &JsValue::TRUE),
        ] {
            let _ = Reflect::set(&descriptor, &JsValue::from_str(k), v);
        }
        Object::define_property(obj, &JsValue::from_str(key), &descriptor);
    } else {
        let _ = Reflect::set(obj, &JsValue::from_str(key), value);
    }
}

/// Builds a plain object from key/value pairs, skipping `None`s.
pub fn object<'a>(pairs: impl IntoIterator<Item = (&'a str, Option<JsValue>)>) -> Object {
    let obj = Object::new();
    for (key, value) in pairs {
        if let Some(value) = value {
            set(&obj, key, &value);
        }
    }
    obj
}

/// A JSON value as `JSON.parse` would give it, except integers beyond 2^53 become exact decimal strings.
pub fn json(v: &Json) -> JsValue {
    match v {
        Json::Null => JsValue::NULL,
        Json::Bool(b) => JsValue::from_bool(*b),
        Json::String(s) => JsValue::from_str(s),
        Json::Number(n) => match v.as_i64() {
            Some(i) if (i.unsigned_abs() as f64) <= MAX_SAFE_INTEGER => JsValue::from_f64(i as f64),
            _ if n.bytes().all(|b| b == b'-' || b.is_ascii_digit()) => JsValue::from_str(n),
            _ => JsValue::from_f64(js_sys::parse_float(n)),
        },
        Json::Array(items) => items.iter().map(json).collect::<Array>().into(),
        Json::Object(members) => {
            let obj = Object::new();
            for (key, value) in members {
                set(&obj, key, &json(value));
            }
            obj.into()
        }
    }
}

/// `{ ret: 200, msg, data? }`.
pub fn success(s: &Success) -> JsValue {
    let out = Plain::new();
    out.set_ret(200.0);
    out.set_msg(&s.msg);
    if let Some(data) = &s.data {
        out.set_data(&json(data));
    }
    out.into()
}

/// `{ toWxid, msgId, newMsgId, createTime, type? }`, ids as exact decimal strings.
pub fn receipt(r: &Receipt) -> JsValue {
    object([
        ("toWxid", Some(JsValue::from_str(&r.to_wxid))),
        ("msgId", Some(JsValue::from_str(&r.msg_id.to_string()))),
        ("newMsgId", Some(JsValue::from_str(&r.new_msg_id.to_string()))),
        ("createTime", Some(JsValue::from_str(&r.create_time.to_string()))),
        ("type", r.kind.map(|k| JsValue::from_f64(k as f64))),
    ])
    .into()
}
