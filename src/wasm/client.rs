//! `GeweClient`: options validated once, then `revokeMsg` and `revokeMany` against them.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::AbortSignal;

use super::convert::{bag, object, success, Bag};
use super::error::js;
use super::exchange::{aborted, revoke, signal_of, Config};
use super::timer::{now_ms, sleep};
use crate::core::options::{self, whole, MAX_TIMEOUT_MS};
use crate::core::params::RevokeParams;
use crate::core::Error;

/// The most revokes `revokeMany` runs at once.
const MAX_CONCURRENCY: u64 = 64;

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
        future_to_promise(async move {
            let call = call_options(&call)?;
            let timeout = match call.map(Bag::timeout_input) {
                Some(input) => options::timeout_ms(&input).map_err(js)?,
                None => None,
            };
            let timeout = timeout.unwrap_or(config.options.timeout_ms);
            revoke_value(&config, &params, signal_of(call)?, timeout).await
        })
    }

    /// Revokes many messages, `concurrency` at a time, starts spaced `intervalMs` apart; resolves to one
    /// `{ ok, result | error }` per item in input order and never rejects for an item's failure.
    #[wasm_bindgen(js_name = revokeMany)]
    pub fn revoke_many(&self, list: JsValue, call: JsValue) -> Promise {
        let config = Rc::clone(&self.config);
        future_to_promise(async move {
            let call = call_options(&call)?;
            if !Array::is_array(&list) {
                return Err(js(Error::invalid_params(
                    "list",
                    "revokeMany takes an array of revoke params.",
                )));
            }
            let concurrency = match call.map(Bag::concurrency_input) {
                Some(input) => whole("concurrency", &input, MAX_CONCURRENCY).map_err(js)?,
                None => None,
            }
            .unwrap_or(4);
            if concurrency == 0 {
                return Err(js(Error::invalid_options(
                    "concurrency",
                    "concurrency must be at least 1.",
                )));
            }
            let interval = match call.map(Bag::interval_input) {
                Some(input) => whole("intervalMs", &input, u64::from(MAX_TIMEOUT_MS)).map_err(js)?,
                None => None,
            }
            .unwrap_or(0) as f64;
            let signal = signal_of(call)?;
            let items: Array = list.unchecked_into();
            let pool = Rc::new(Pool {
                config,
                results: Array::new_with_length(items.length()),
                items,
                next: Cell::new(0),
                next_start_ms: Cell::new(now_ms()),
                interval_ms: interval,
                signal,
            });
            let len = pool.items.length();
            let workers: Array = (0..concurrency.min(u64::from(len)))
                .map(|_| future_to_promise(Rc::clone(&pool).work()))
                .collect();
            JsFuture::from(Promise::all(&workers)).await?;
            Ok(pool.results.clone().into())
        })
    }
}

/// The per-call options object, when one was given.
fn call_options(call: &JsValue) -> Result<Option<&Bag>, JsValue> {
    if call.is_undefined() {
        return Ok(None);
    }
    bag(call)
        .map(Some)
        .ok_or_else(|| js(Error::invalid_options("options", "options must be an object.")))
}

/// Validates params against the config and revokes; the JS result object or a `GeweError`.
pub async fn revoke_value(
    config: &Config,
    params: &JsValue,
    signal: Option<AbortSignal>,
    timeout_ms: u32,
) -> Result<JsValue, JsValue> {
    let bag = bag(params).ok_or_else(|| {
        js(Error::invalid_params(
            "params",
            "params must be an object with the message's ids.",
        ))
    })?;
    let params = RevokeParams::validate(&bag.params(), config.options.app_id.as_deref()).map_err(js)?;
    revoke(config, &params, signal, timeout_ms)
        .await
        .map(|ok| success(&ok))
}

/// Shared state of one `revokeMany`: workers take the next index until none is left.
struct Pool {
    config: Rc<Config>,
    items: Array,
    results: Array,
    next: Cell<u32>,
    next_start_ms: Cell<f64>,
    interval_ms: f64,
    signal: Option<AbortSignal>,
}

impl Pool {
    async fn work(self: Rc<Self>) -> Result<JsValue, JsValue> {
        loop {
            let index = self.next.get();
            if index >= self.items.length() {
                return Ok(JsValue::UNDEFINED);
            }
            self.next.set(index + 1);
            let outcome = match self.pace().await {
                Ok(()) => {
                    let timeout = self.config.options.timeout_ms;
                    revoke_value(&self.config, &self.items.get(index), self.signal.clone(), timeout).await
                }
                Err(error) => Err(error),
            };
            let item = match outcome {
                Ok(result) => object([("ok", Some(JsValue::TRUE)), ("result", Some(result))]),
                Err(error) => object([("ok", Some(JsValue::FALSE)), ("error", Some(error))]),
            };
            self.results.set(index, item.into());
        }
    }

    /// Waits for this start's slot so starts are at least `intervalMs` apart.
    async fn pace(&self) -> Result<(), JsValue> {
        if self.interval_ms <= 0.0 {
            return Ok(());
        }
        let now = now_ms();
        let start = self.next_start_ms.get().max(now);
        self.next_start_ms.set(start + self.interval_ms);
        if start > now {
            let signal = self.signal.as_ref();
            sleep(start - now, signal)
                .await
                .map_err(|_| signal.map_or(JsValue::UNDEFINED, aborted))?;
        }
        Ok(())
    }
}
