//! A call's configuration: the options validated once, and what the shell keeps of them as JS values (the URL as
//! the platform's parser wrote it, the frozen headers, an injected `fetch`), and the request `init` built from it.

use std::cell::RefCell;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Request, RequestInit};

use super::convert::{self, is_object, own, JS};
use super::deadline::Signal;
use crate::core::{options, request, shape, Options, RevokeParams};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = URL)]
    type Url;
    #[wasm_bindgen(constructor, js_class = "URL", catch)]
    fn new(url: &str) -> Result<Url, JsValue>;
    #[wasm_bindgen(constructor, js_class = "URL", catch)]
    fn new_with_base(url: &str, base: &str) -> Result<Url, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn href(this: &Url) -> String;
}

#[wasm_bindgen]
extern "C" {
    /// A request's `init`, written through structural setters: no key crosses as a string.
    pub type Init;
    #[wasm_bindgen(method, setter = method, structural)]
    fn set_method(this: &Init, value: &JsValue);
    #[wasm_bindgen(method, setter = headers, structural)]
    fn set_headers(this: &Init, value: &JsValue);
    #[wasm_bindgen(method, setter = body, structural)]
    fn set_body(this: &Init, value: &str);
    #[wasm_bindgen(method, setter = signal, structural)]
    fn set_signal(this: &Init, value: &JsValue);
    #[wasm_bindgen(method, setter = redirect, structural)]
    fn set_redirect(this: &Init, value: &JsValue);
}

impl Init {
    /// A new empty object.
    fn new() -> Init {
        Object::new().unchecked_into()
    }
}

/// Validated options, with what the shell keeps as JS values: the URL, the headers, an injected `fetch`.
pub struct Config {
    /// The core options.
    pub options: Options,
    /// The endpoint as the platform's URL parser wrote it.
    pub endpoint: JsValue,
    /// The port it names, when it names one.
    pub port: Option<u16>,
    /// `[["Content-Type", "application/json"], ["X-GEWE-TOKEN", token]]`, frozen: one per client, shared by calls.
    headers: JsValue,
    /// Used instead of the global `fetch`, called as `fetch(url, init)` with no receiver (a stored `fetch` called
    /// as a method throws in Workers).
    pub fetch: Option<Function>,
}

impl Config {
    /// Reads and validates an options object (own properties only). The platform's URL parser has the last word
    /// on `baseUrl`, so every entry point refuses the same URLs and `fetch` never sees one it would refuse.
    pub fn read(options: &JsValue) -> Result<Config, JsValue> {
        if !is_object(options) {
            return Err(shape::options_not_object().into());
        }
        let core = Options::validate(&convert::options(options))?;
        let endpoint = platform_url(&core.endpoint)?;
        let port = options::port(&core.endpoint);
        let fetch = match JS.with(|k| own(options, &k.fetch)) {
            Ok(f) if f.is_undefined() => None,
            Ok(f) if f.is_function() => Some(f.unchecked_into()),
            _ => return Err(shape::fetch_not_function().into()),
        };
        let headers = JS.with(|k| {
            let token = Object::freeze(&Array::of2(&k.token_header, &JsValue::from_str(&core.token)));
            Object::freeze(&Array::of2(&k.json_header, &token)).into()
        });
        Ok(Config {
            options: core,
            endpoint,
            port,
            headers,
            fetch,
        })
    }

    /// The `init` of every revoke request: POST, JSON, the token header, the body, no redirects. `revoke` passes it
    /// to `fetch(url, init)` (a `Request` object costs Node a rebuild), and `buildRevokeRequest` wraps the same
    /// `init` in a `Request`, so both are one request by construction.
    pub fn init(&self, body: &str, signal: Option<&JsValue>) -> Init {
        let init = Init::new();
        JS.with(|k| {
            init.set_method(&k.post);
            init.set_redirect(&k.manual);
        });
        init.set_headers(&self.headers);
        init.set_body(body);
        if let Some(signal) = signal {
            init.set_signal(signal);
        }
        init
    }

    /// Exactly the request `revoke` sends, as a `Request`.
    pub fn request(&self, params: &RevokeParams) -> Result<Request, JsValue> {
        let init = self.init(&request::body(params), None);
        let url = self.endpoint.as_string().unwrap_or_default();
        Request::new_with_str_and_init(&url, init.unchecked_ref::<RequestInit>())
            .map_err(|_| shape::base_url_refused_for_request().into())
    }
}

thread_local! {
    /// The last endpoint the platform's URL parser judged, and how it wrote it: calls that pass the same options
    /// each time parse the URL once.
    static LAST_URL: RefCell<Option<(String, JsValue)>> = const { RefCell::new(None) };
}

/// The endpoint as the platform's URL parser writes it, or `INVALID_OPTIONS` when it refuses it.
fn platform_url(endpoint: &str) -> Result<JsValue, JsValue> {
    let cached = LAST_URL.with(|last| match &*last.borrow() {
        Some((text, href)) if text == endpoint => Some(href.clone()),
        _ => None,
    });
    if let Some(href) = cached {
        return Ok(href);
    }
    let refused = |_| JsValue::from(shape::base_url_refused());
    let url = if options::is_path(endpoint) {
        let page = page_href().ok_or_else(options::no_page_for_path)?;
        Url::new_with_base(endpoint, &page).map_err(refused)?
    } else {
        Url::new(endpoint).map_err(refused)?
    };
    let href: JsValue = url.href().into();
    LAST_URL.with(|last| *last.borrow_mut() = Some((endpoint.to_owned(), href.clone())));
    Ok(href)
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL_THIS: JsValue;
}

/// The page's URL, `location.href`, where there is a page: a browser window or worker, or Deno with `--location`.
///
/// Read through `Reflect.get`, which catches: Deno's `location` getter throws when it has no location.
fn page_href() -> Option<String> {
    let location = GLOBAL_THIS
        .with(|global| Reflect::get(global, &"location".into()))
        .ok()?;
    if !is_object(&location) {
        return None;
    }
    Reflect::get(&location, &"href".into()).ok()?.as_string()
}

/// Reads the optional `signal` of an options object (own property).
pub fn signal_of(options: &JsValue) -> Result<Option<Signal>, JsValue> {
    let value = JS
        .with(|k| own(options, &k.signal))
        .map_err(|_| shape::signal_unreadable())?;
    Signal::from_option(value).map_err(|()| shape::signal_not_abort_signal().into())
}
