//! The HTTP exchange over `fetch`: build the request, send it, read the answer, and retry within the deadline
//! and the revoke window. Only the global `fetch` or an injected one, never `window`: the same code runs in pages,
//! Node and workerd.

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Request, RequestInit, Response};

use super::convert::{bag, Bag, Plain, STRINGS};
use super::error::{describe, js, to_js};
use super::timer::{now_ms, random, sleep, Deadline};
use crate::core::response::{Success, Verdict};
use crate::core::{request, response, retry, window, Code, Error, Options, RevokeParams};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(url: &JsValue, init: &RequestInit) -> Result<Promise, JsValue>;
}

/// Validated options plus the JS-only one: an injected `fetch`.
pub struct Config {
    /// The core options.
    pub options: Options,
    /// Used instead of the global `fetch`, called as `fetch(url, init)` with no receiver (a stored `fetch` called
    /// as a method throws in Workers).
    pub fetch: Option<Function>,
}

impl Config {
    /// Reads and validates an options object.
    pub fn read(options: &JsValue) -> Result<Config, JsValue> {
        let bag = bag(options).ok_or_else(|| {
            js(Error::invalid_options(
                "options",
                "options must be an object holding at least the token.",
            ))
        })?;
        let core = Options::validate(&bag.options()).map_err(js)?;
        let fetch = match bag.fetch_value() {
            f if f.is_undefined() => None,
            f if f.is_function() => Some(f.unchecked_into()),
            _ => return Err(js(Error::invalid_options("fetch", "fetch must be a function."))),
        };
        Ok(Config { options: core, fetch })
    }
}

/// Reads the optional `signal` of a per-call options object.
pub fn signal_of(bag: Option<&Bag>) -> Result<Option<AbortSignal>, JsValue> {
    let value = bag.map_or(JsValue::UNDEFINED, Bag::signal_value);
    if value.is_undefined() || value.is_null() {
        Ok(None)
    } else {
        value
            .dyn_into::<AbortSignal>()
            .map(Some)
            .map_err(|_| js(Error::invalid_options("signal", "signal must be an AbortSignal.")))
    }
}

/// The `init` of every revoke request: POST, JSON content type, the token header, the five-field body. `revoke`
/// passes it to `fetch(url, init)` (in Node a `Request` object costs ~20% throughput: undici rebuilds it), and
/// `buildRevokeRequest` wraps the same `init` in a `Request`, so both are one request by construction.
pub fn request_init(options: &Options, body: &str, signal: Option<&AbortSignal>) -> RequestInit {
    let init = Plain::new();
    STRINGS.with(|k| {
        init.set_method(&k.post);
        let headers = Array::of2(
            &Array::of2(&k.content_type, &k.json),
            &Array::of2(&k.token_header, &JsValue::from_str(&options.token)),
        );
        init.set_headers(&headers);
    });
    init.set_body(body);
    if let Some(signal) = signal {
        init.set_signal(signal);
    }
    init.unchecked_into()
}

/// Exactly the request `revoke` sends, as a `Request`.
pub fn build_request(options: &Options, body: &str) -> Result<Request, JsValue> {
    Request::new_with_str_and_init(&options.endpoint, &request_init(options, body, None)).map_err(|thrown| {
        let e = Error::invalid_options(
            "baseUrl",
            format!(
                "baseUrl does not make a valid request URL: {}.",
                describe(&thrown)
            ),
        );
        js(e)
    })
}

/// How one attempt went wrong before an answer could be judged.
enum Trouble {
    /// Final: `fetch` resolved to something other than a Response; another attempt would not help.
    Final(JsValue),
    /// `fetch` or the body read threw: a network failure, worth another attempt.
    Network(JsValue),
}

/// The one revoke call: window check, deadline, attempts.
pub async fn revoke(
    config: &Config,
    params: &RevokeParams,
    signal: Option<AbortSignal>,
    timeout_ms: u32,
) -> Result<Success, JsValue> {
    let options = &config.options;
    window::check(params.create_time, options.revoke_window_sec, now_ms()).map_err(js)?;
    if let Some(signal) = signal.as_ref().filter(|s| s.aborted()) {
        return Err(aborted(signal));
    }
    let deadline = Deadline::start(timeout_ms);
    let combined = match (&signal, &deadline) {
        (Some(user), Some(deadline)) => Some(AbortSignal::any(&Array::of2(user, &deadline.signal()))),
        (Some(user), None) => Some(user.clone()),
        (None, Some(deadline)) => Some(deadline.signal()),
        (None, None) => None,
    };
    let limit = [
        deadline.as_ref().map(|d| d.at_ms),
        window::closes_at_ms(params.create_time, options.revoke_window_sec),
    ]
    .into_iter()
    .flatten()
    .reduce(f64::min);
    // Why a thrown value ended the call, when it was the caller's signal or the deadline rather than the network.
    let stopped = || match (&signal, &deadline) {
        (Some(user), _) if user.aborted() => Some(aborted(user)),
        (_, Some(deadline)) if deadline.passed() => Some(js(timed_out(timeout_ms))),
        _ => None,
    };
    let body = request::body(params);
    let mut attempts = 0u32;
    loop {
        attempts += 1;
        let (failure, retry_after_ms) = match attempt(config, &body, combined.as_ref()).await {
            Ok((status, retry_after, text)) => {
                match response::verdict(status, retry_after.as_deref(), &text, &options.token, now_ms()) {
                    Verdict::Done(result) => return result.map_err(js),
                    Verdict::Retry {
                        error,
                        retry_after_ms,
                    } => (js(error), retry_after_ms),
                }
            }
            Err(Trouble::Final(error)) => return Err(error),
            Err(Trouble::Network(thrown)) => match stopped() {
                Some(error) => return Err(error),
                None => (network(&thrown, attempts), None),
            },
        };
        if attempts > options.retries {
            return Err(failure);
        }
        let Some(wait) = retry::delay_ms(attempts, retry_after_ms, random(), now_ms(), limit) else {
            return Err(failure);
        };
        if sleep(wait, combined.as_ref()).await.is_err() {
            return Err(stopped().unwrap_or(failure));
        }
    }
}

/// One request and its whole answer: status, `Retry-After`, body text.
async fn attempt(
    config: &Config,
    body: &str,
    signal: Option<&AbortSignal>,
) -> Result<(u16, Option<String>, String), Trouble> {
    let url = JsValue::from_str(&config.options.endpoint);
    let init = request_init(&config.options, body, signal);
    let sent = match &config.fetch {
        Some(fetch) => fetch
            .call2(&JsValue::UNDEFINED, &url, &init)
            .map(|p| Promise::resolve(&p)),
        None => global_fetch(&url, &init),
    };
    let answer = JsFuture::from(sent.map_err(Trouble::Network)?)
        .await
        .map_err(Trouble::Network)?;
    if !answer.is_object() {
        let e = Error::new(
            Code::BadResponse,
            "fetch resolved to something other than a Response.",
        );
        return Err(Trouble::Final(js(e)));
    }
    let answer: Response = answer.unchecked_into();
    let status = answer.status();
    // Only a retryable status consults Retry-After; a success never pays for the header lookup.
    let retry_after = if retry::retryable_status(status) {
        answer.headers().get("Retry-After").ok().flatten()
    } else {
        None
    };
    let text = JsFuture::from(answer.text().map_err(Trouble::Network)?)
        .await
        .map_err(Trouble::Network)?;
    Ok((status, retry_after, text.as_string().unwrap_or_default()))
}

/// `ABORTED`, with the signal's reason as `cause`.
pub fn aborted(signal: &AbortSignal) -> JsValue {
    let e = Error::new(Code::Aborted, "The call was aborted by its AbortSignal.").at("signal");
    to_js(&e, Some(signal.reason()))
}

fn timed_out(timeout_ms: u32) -> Error {
    Error::new(
        Code::Timeout,
        format!("GeWe did not answer within timeoutMs ({timeout_ms} ms)."),
    )
    .at("timeoutMs")
}

fn network(thrown: &JsValue, attempts: u32) -> JsValue {
    let tries = if attempts > 1 {
        format!(" ({attempts} attempts)")
    } else {
        String::new()
    };
    let e = Error::new(
        Code::Network,
        format!(
            "The request to GeWe failed before an answer arrived{tries}: {}.",
            describe(thrown)
        ),
    );
    to_js(&e, Some(thrown.clone()))
}
