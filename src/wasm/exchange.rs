//! The HTTP exchange over `fetch`: build the request, send it, read the answer, and retry only while the request
//! certainly has not reached GeWe. Only the global `fetch` or an injected one, never `window`: the same code runs
//! in pages, Node and workerd.

use std::cell::RefCell;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Request, RequestInit};

use super::convert::{self, is_object, own, JS};
use super::error::{js_error, safe_cause, to_js, Thrown};
use super::response::{unreadable, Answer, Body};
use super::stop::{Raced, Signal, Stop};
use super::timer::{now_ms, random};
use crate::pure::redact::redact;
use crate::pure::response::{Headers, Success, Verdict};
use crate::pure::{failure, options, request, response, retry, window, Error, Options, RevokeParams};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(url: &JsValue, init: &JsValue) -> Result<JsValue, JsValue>;

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
    type Init;
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
    endpoint: JsValue,
    /// `[["Content-Type", "application/json"], ["X-GEWE-TOKEN", token]]`, frozen: one per client, shared by calls.
    headers: JsValue,
    /// Used instead of the global `fetch`, called as `fetch(url, init)` with no receiver (a stored `fetch` called
    /// as a method throws in Workers).
    fetch: Option<Function>,
}

impl Config {
    /// Reads and validates an options object (own properties only). The platform's URL parser has the last word
    /// on `baseUrl`, so every entry point refuses the same URLs and `fetch` never sees one it would refuse.
    pub fn read(options: &JsValue) -> Result<Config, JsValue> {
        if !is_object(options) {
            return Err(js_error(Error::invalid_options(
                "options",
                "options must be an object holding at least the token.",
            )));
        }
        let core = Options::validate(&convert::options(options)).map_err(js_error)?;
        let endpoint = platform_url(&core.endpoint)?;
        let fetch = match JS.with(|k| own(options, &k.fetch)) {
            Ok(f) if f.is_undefined() => None,
            Ok(f) if f.is_function() => Some(f.unchecked_into()),
            _ => {
                return Err(js_error(Error::invalid_options(
                    "fetch",
                    "fetch must be a function.",
                )))
            }
        };
        let headers = JS.with(|k| {
            let token = Object::freeze(&Array::of2(&k.token_header, &JsValue::from_str(&core.token)));
            Object::freeze(&Array::of2(&k.json_header, &token)).into()
        });
        Ok(Config {
            options: core,
            endpoint,
            headers,
            fetch,
        })
    }

    /// The `init` of every revoke request: POST, JSON, the token header, the body, no redirects. `revoke` passes it
    /// to `fetch(url, init)` (a `Request` object costs Node a rebuild), and `buildRevokeRequest` wraps the same
    /// `init` in a `Request`, so both are one request by construction.
    fn init(&self, body: &str, signal: Option<&JsValue>) -> Init {
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
        Request::new_with_str_and_init(&url, init.unchecked_ref::<RequestInit>()).map_err(|_| {
            js_error(Error::invalid_options(
                "baseUrl",
                "baseUrl is not a URL this platform accepts for a request.",
            ))
        })
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
    let refused = |_| {
        js_error(Error::invalid_options(
            "baseUrl",
            "baseUrl is not a URL this platform accepts; check its host and port.",
        ))
    };
    let href: JsValue = if options::is_path(endpoint) {
        let page = page_href().ok_or_else(|| js_error(options::no_page_for_path()))?;
        Url::new_with_base(endpoint, &page)
            .map_err(refused)?
            .href()
            .into()
    } else {
        Url::new(endpoint).map_err(refused)?.href().into()
    };
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
        .map_err(|_| js_error(Error::invalid_options("signal", "signal could not be read.")))?;
    Signal::from_option(value)
        .map_err(|()| js_error(Error::invalid_options("signal", "signal must be an AbortSignal.")))
}

/// How an attempt ended without an answer to judge.
pub enum Ended {
    /// The deadline passed or the caller's signal fired; `in_flight` when a request was out.
    Stopped {
        /// A request was out, so it may have reached GeWe.
        in_flight: bool,
    },
    /// `fetch` threw or rejected; `sync` when it threw instead of returning a promise.
    Thrown {
        /// What it threw.
        thrown: JsValue,
        /// It threw synchronously.
        sync: bool,
    },
    /// A failure with its error already decided.
    Failed {
        /// The error (boxed: it is large, and every state of the exchange would carry its size).
        error: Box<Error>,
        /// The JS value behind it.
        cause: Option<JsValue>,
        /// Whether another attempt is safe.
        retry: bool,
    },
}

impl Ended {
    /// The body read broke off after the answer began: final, and the revoke may have happened.
    pub fn broken(thrown: JsValue) -> Ended {
        Ended::Failed {
            error: Box::new(failure::broken_body(&Thrown::read(&thrown).detail)),
            cause: Some(thrown),
            retry: false,
        }
    }
}

/// An answer to judge.
struct Answered {
    status: u16,
    retry_after: Option<String>,
    location: Option<String>,
    body: String,
}

/// The one revoke call: window check, deadline, attempts.
pub async fn revoke(
    config: &Config,
    params: &RevokeParams,
    signal: Option<&Signal>,
    timeout_ms: u32,
) -> Result<Success, JsValue> {
    let options = &config.options;
    let token = options.token.as_str();
    window::check(params.create_time, options.revoke_window_sec, now_ms()).map_err(js_error)?;
    if signal.is_some_and(Signal::is_aborted) {
        return Err(stopped(signal, timeout_ms, false));
    }
    let stop = Stop::start(timeout_ms, signal);
    let limit = [
        (timeout_ms > 0).then(|| now_ms() + f64::from(timeout_ms)),
        window::closes_at_ms(params.create_time, options.revoke_window_sec),
    ]
    .into_iter()
    .flatten()
    .reduce(f64::min);
    let body = request::body(params);
    let mut attempts = 0u32;
    loop {
        attempts += 1;
        let (failure, retry_after_ms) = match attempt(config, &body, &stop).await {
            Ok(answer) => {
                let headers = Headers {
                    retry_after: answer.retry_after.as_deref(),
                    location: answer.location.as_deref(),
                };
                match response::verdict(answer.status, headers, &answer.body, token, now_ms()) {
                    Verdict::Done(result) => return result.map_err(js_error),
                    Verdict::Retry {
                        error,
                        retry_after_ms,
                    } => (js_error(error), retry_after_ms),
                }
            }
            Err(end) => match settle(end, attempts, config, &stop, signal, timeout_ms) {
                (error, true) => (error, None),
                (error, false) => return Err(error),
            },
        };
        if attempts > options.retries {
            return Err(failure);
        }
        let Some(wait) = retry::delay_ms(attempts, retry_after_ms, random(), now_ms(), limit) else {
            return Err(failure);
        };
        if let Raced::Stopped = stop.sleep(wait).await {
            return Err(stopped(signal, timeout_ms, false));
        }
    }
}

/// The error an attempt that ended without an answer gives, and whether another attempt is safe.
fn settle(
    ended: Ended,
    attempts: u32,
    config: &Config,
    stop: &Stop,
    signal: Option<&Signal>,
    timeout_ms: u32,
) -> (JsValue, bool) {
    let token = config.options.token.as_str();
    let (error, cause, retry) = match ended {
        Ended::Stopped { in_flight } => {
            stop.cancel_request();
            return (stopped(signal, timeout_ms, in_flight), false);
        }
        Ended::Thrown { thrown, sync } => {
            let Thrown { detail, code } = Thrown::read(&thrown);
            // The global fetch throws synchronously only before any I/O; an injected one may have sent first.
            let never =
                (sync && config.fetch.is_none()) || failure::never_connected(code.as_deref(), &detail);
            let error = failure::network(&redact(&detail, token), attempts, never);
            (error, Some(thrown), never && !sync)
        }
        Ended::Failed { error, cause, retry } => (*error, cause, retry),
    };
    let cause = cause.map(|c| safe_cause(&c, token));
    (to_js(&error.redacted(token), cause), retry)
}

/// `ABORTED` (with the signal's reason as `cause`) when the caller's signal fired, else `TIMEOUT`.
fn stopped(signal: Option<&Signal>, timeout_ms: u32, in_flight: bool) -> JsValue {
    match signal.filter(|s| s.is_aborted()) {
        Some(signal) => to_js(&failure::aborted(in_flight), Some(signal.why())),
        None => js_error(failure::timed_out(timeout_ms, in_flight)),
    }
}

/// One request and its answer: status, the headers a verdict reads, the body (capped).
async fn attempt(config: &Config, body: &str, stop: &Stop) -> Result<Answered, Ended> {
    let init = config.init(body, Some(&stop.fetch_signal()));
    let sent = match &config.fetch {
        Some(fetch) => fetch.call2(&JsValue::UNDEFINED, &config.endpoint, &init),
        None => global_fetch(&config.endpoint, &init),
    }
    .map_err(|thrown| Ended::Thrown { thrown, sync: true })?;
    let answer = match stop.race(&sent).await {
        Err(thrown) => return Err(Ended::Thrown { thrown, sync: false }),
        Ok(Raced::Stopped) => return Err(Ended::Stopped { in_flight: true }),
        Ok(Raced::Value(answer)) => answer,
    };
    let Ok(answer) = answer.dyn_into::<Answer>() else {
        return Err(Ended::Failed {
            error: Box::new(failure::not_a_response("something other than a Response")),
            cause: None,
            retry: false,
        });
    };
    let status = answer
        .status_code()
        .ok_or_else(|| unreadable("a Response whose status cannot be read"))?;
    let headers = answer
        .header_reader()
        .ok_or_else(|| unreadable("a Response whose headers cannot be read"))?;
    if response::is_redirect(status) {
        stop.cancel_request();
        return Ok(Answered {
            status,
            retry_after: None,
            location: headers.text(|k| &k.location)?,
            body: String::new(),
        });
    }
    let retry_after = if retry::retryable_status(status) {
        headers.text(|k| &k.retry_after)?
    } else {
        None
    };
    let cap = config.options.max_response_bytes;
    let body = match answer.read_to_cap(&headers, cap, stop).await {
        Ok(Body::Whole(text)) => text,
        Ok(Body::Cut(text)) => {
            stop.cancel_request();
            if let Some(error) = failure::cut_short(status, cap) {
                return Err(Ended::Failed {
                    error: Box::new(error),
                    cause: None,
                    retry: false,
                });
            }
            text
        }
        Err(Ended::Failed {
            mut error,
            cause,
            retry,
        }) => {
            error.status = Some(status);
            return Err(Ended::Failed { error, cause, retry });
        }
        Err(other) => return Err(other),
    };
    Ok(Answered {
        status,
        retry_after,
        location: None,
        body,
    })
}
