//! `GeweClient`: options validated once, then `revokeMsg` and `revokeMany` against them.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;

use super::call::revoke;
use super::config::{signal_of, Config};
use super::convert::{self, is_object, own, read, Constants, JS};
use super::deadline::{now_ms, Deadline, Raced, Signal};
use super::error::to_js;
use super::output::{item, success};
use super::task::{promise, Settled};
use crate::core::options::{self, whole_number, MAX_TIMEOUT_MS};
use crate::core::params::RevokeParams;
use crate::core::response::Success;
use crate::core::{failure, request, shape, Input};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Array, js_name = isArray, catch)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;
}

/// The most revokes `revokeMany` runs at once.
const MAX_CONCURRENCY: u64 = 64;
/// The most sleeps of one paced start (each at least 1 ms): a bound, never reached while earlier turns progress.
const MAX_PACING_WAITS: u32 = 1_000_000;
/// How many revokes `revokeMany` runs at once when not told.
const DEFAULT_CONCURRENCY: u64 = 4;

/// A GeWe client: options validated once and reused for every call.
#[wasm_bindgen]
pub struct GeweClient {
    config: Rc<Config>,
}

#[wasm_bindgen]
impl GeweClient {
    /// Validates `options`; throws `GeweError` (`INVALID_OPTIONS` or `PLACEHOLDER`) synchronously.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<GeweClient, JsValue> {
        Ok(GeweClient {
            config: Rc::new(Config::read(&options)?),
        })
    }

    /// Revokes one message; per-call options `{ signal?, timeoutMs? }`.
    #[wasm_bindgen(js_name = revokeMsg)]
    pub fn revoke_msg(&self, params: JsValue, call: JsValue) -> Promise {
        let config = Rc::clone(&self.config);
        promise(async move {
            let call = call_options(&call)?;
            let timeout = options::timeout_ms(&per_call(&call, |k| &k.timeout_ms))?;
            let signal = call.as_ref().map(signal_of).transpose()?.flatten();
            let params = validated(&config, &params)?;
            let timeout = timeout.unwrap_or(config.options.timeout_ms);
            revoke(&config, &params, signal.as_ref(), timeout)
                .await
                .map(|ok| success(&ok))
        })
    }

    /// Revokes many messages, `concurrency` at a time, starts spaced `intervalMs` apart; resolves to one
    /// `{ ok, result | error }` per item in input order and never rejects for an item's failure. Items that are
    /// the same request are sent once and share the outcome.
    #[wasm_bindgen(js_name = revokeMany)]
    pub fn revoke_many(&self, list: JsValue, call: JsValue) -> Promise {
        let config = Rc::clone(&self.config);
        promise(async move {
            let call = call_options(&call)?;
            let not_a_list = || JsValue::from(shape::list_not_array());
            if !is_array(&list).unwrap_or(false) {
                return Err(not_a_list());
            }
            let len = JS
                .with(|k| own(&list, &k.length))
                .ok()
                .and_then(|n| n.as_f64())
                .filter(|n| n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(n))
                .ok_or_else(not_a_list)? as u32;
            let concurrency = whole_number(
                "concurrency",
                &per_call(&call, |k| &k.concurrency),
                MAX_CONCURRENCY,
            )?
            .unwrap_or(DEFAULT_CONCURRENCY);
            if concurrency == 0 {
                return Err(shape::concurrency_zero().into());
            }
            let interval = whole_number(
                "intervalMs",
                &per_call(&call, |k| &k.interval_ms),
                u64::from(MAX_TIMEOUT_MS),
            )?
            .unwrap_or(0);
            let signal = call.as_ref().map(signal_of).transpose()?.flatten();
            let pool = Rc::new(Pool {
                pacer: Deadline::start(0, signal.as_ref()),
                config,
                results: Array::new_with_length(len),
                items: list,
                len,
                next: Cell::new(0),
                turns: Cell::new(0),
                started: Cell::new(0),
                last_start_ms: Cell::new(f64::NEG_INFINITY),
                interval_ms: interval as f64,
                signal,
                first_of: RefCell::new(Vec::new()),
                copies: RefCell::new(Vec::new()),
            });
            let workers: Array = (0..concurrency.min(u64::from(len)))
                .map(|_| promise(Rc::clone(&pool).work()))
                .collect();
            Settled::from(Promise::all(&workers)).await?;
            for &(copy, first) in pool.copies.borrow().iter() {
                pool.results.set(copy, pool.results.get(first));
            }
            Ok(pool.results.clone().into())
        })
    }
}

/// The per-call options object, when one was given.
fn call_options(call: &JsValue) -> Result<Option<JsValue>, JsValue> {
    if call.is_undefined() {
        Ok(None)
    } else if is_object(call) {
        Ok(Some(call.clone()))
    } else {
        Err(shape::call_options_not_object().into())
    }
}

/// The per-call option `key`, `undefined` when no options object was given.
fn per_call(call: &Option<JsValue>, key: fn(&Constants) -> &JsValue) -> Input {
    match call {
        Some(call) => JS.with(|k| read(call, key(k))),
        None => Input::Undefined,
    }
}

/// Reads and validates revoke params against the config's default appId.
pub fn validated(config: &Config, params: &JsValue) -> Result<RevokeParams, JsValue> {
    validated_params(params, config.options.app_id.as_deref())
}

/// Reads and validates revoke params; `default_app_id` fills a missing appId.
pub fn validated_params(params: &JsValue, default_app_id: Option<&str>) -> Result<RevokeParams, JsValue> {
    if !is_object(params) {
        return Err(shape::params_not_object().into());
    }
    Ok(RevokeParams::validate(&convert::params(params), default_app_id)?)
}

/// Shared state of one `revokeMany`: workers take the next index until none is left.
struct Pool {
    config: Rc<Config>,
    items: JsValue,
    len: u32,
    results: Array,
    next: Cell<u32>,
    /// Turns handed out, and turns that started.
    turns: Cell<u32>,
    started: Cell<u32>,
    /// When the last turn started.
    last_start_ms: Cell<f64>,
    interval_ms: f64,
    signal: Option<Signal>,
    /// Waits between starts; stops when the caller's signal fires.
    pacer: Deadline,
    /// The first index of each distinct request body, sorted by body.
    first_of: RefCell<Vec<(String, u32)>>,
    /// `(index, first index)` of items that repeat an earlier request.
    copies: RefCell<Vec<(u32, u32)>>,
}

impl Pool {
    async fn work(self: Rc<Self>) -> Result<JsValue, JsValue> {
        loop {
            let index = self.next.get();
            if index >= self.len {
                return Ok(JsValue::UNDEFINED);
            }
            self.next.set(index + 1);
            let params = match own(&self.items, &JsValue::from(index)) {
                Ok(item) => validated(&self.config, &item),
                Err(_) => Err(shape::item_unreadable().into()),
            };
            let outcome = match params {
                Err(error) => Err(error),
                Ok(params) => {
                    let key = request::body(&params);
                    let seen = self.first_of.borrow().binary_search_by(|(k, _)| k.cmp(&key));
                    match seen {
                        Ok(at) => {
                            let first = self.first_of.borrow().get(at).map_or(index, |(_, i)| *i);
                            self.copies.borrow_mut().push((index, first));
                            continue;
                        }
                        Err(at) => self.first_of.borrow_mut().insert(at, (key, index)),
                    }
                    self.revoke(&params).await
                }
            };
            self.results.set(index, item(&outcome));
        }
    }

    /// Waits for this start's turn, so starts are at least `intervalMs` apart, then revokes. Turns are taken in
    /// order and each waits for the one before it to have started: a timer that fires late (a busy host) delays the
    /// starts after it rather than bunching them.
    async fn revoke(&self, params: &RevokeParams) -> Result<Success, JsValue> {
        let turn = self.turns.get();
        self.turns.set(turn + 1);
        if self.interval_ms > 0.0 {
            // Each pass sleeps at least 1 ms, and a turn waits only for the turns before it.
            for _ in 0..MAX_PACING_WAITS {
                let now = now_ms();
                let due = self.last_start_ms.get() + self.interval_ms;
                if self.started.get() == turn && now >= due {
                    break;
                }
                let wait = if self.started.get() == turn {
                    due - now
                } else {
                    self.interval_ms.min(10.0)
                };
                if let Raced::Stopped = self.pacer.sleep(wait.max(1.0)).await {
                    let reason = self.signal.as_ref().map(Signal::why);
                    self.started.set(self.started.get().max(turn + 1));
                    return Err(to_js(&failure::aborted(false), reason));
                }
            }
        }
        self.last_start_ms.set(now_ms());
        self.started.set(turn + 1);
        let timeout = self.config.options.timeout_ms;
        revoke(&self.config, params, self.signal.as_ref(), timeout).await
    }
}
