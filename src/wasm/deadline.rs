//! What ends a call early: its deadline and the caller's `AbortSignal`, raced against every wait; and the host's
//! clock, randomness and timers.
//!
//! `fetch` gets a signal too, but a `fetch` may ignore it, and a body may never end: so every promise the call
//! waits for (the `fetch`, each body read, each backoff) runs in `Promise.race` against one stop promise. The race
//! also makes a hostile value harmless: `Promise.race` turns a throwing `then` or `constructor` into a rejection.

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::JS;
use super::task::Settled;

#[wasm_bindgen]
extern "C" {
    /// `setTimeout(handler, ms, argument)`: the handler is called with `argument`.
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64, argument: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// Milliseconds since the epoch, by the local clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Uniform in `[0, 1)`, for backoff jitter.
pub fn random() -> f64 {
    js_sys::Math::random()
}

#[wasm_bindgen]
extern "C" {
    /// A caller's `AbortSignal`, checked by `Signal::from_option`; its members are reached with every throw caught.
    #[wasm_bindgen(js_name = AbortSignal)]
    #[derive(Clone)]
    pub type Signal;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn aborted(this: &Signal) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn reason(this: &Signal) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, structural, catch, js_name = addEventListener)]
    fn add_listener(this: &Signal, kind: &str, listener: &Function) -> Result<(), JsValue>;
    #[wasm_bindgen(method, structural, catch, js_name = removeEventListener)]
    fn remove_listener(this: &Signal, kind: &str, listener: &Function) -> Result<(), JsValue>;

    #[wasm_bindgen(js_name = AbortController)]
    type Controller;
    #[wasm_bindgen(constructor, js_class = "AbortController")]
    fn new() -> Controller;
    #[wasm_bindgen(method, getter)]
    fn signal(this: &Controller) -> JsValue;
    #[wasm_bindgen(method, catch)]
    fn abort(this: &Controller) -> Result<(), JsValue>;
}

impl Signal {
    /// `value` as a real `AbortSignal`: `None` for `undefined` and `null`, `Err(())` for anything else, including
    /// an object that only poses as one (`Object.create(AbortSignal.prototype)` fails on `aborted`).
    pub fn from_option(value: JsValue) -> Result<Option<Signal>, ()> {
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        let signal = value.dyn_into::<Signal>().map_err(drop)?;
        match signal.aborted() {
            Ok(flag) if flag.as_bool().is_some() => Ok(Some(signal)),
            _ => Err(()),
        }
    }

    /// Whether it has fired (a getter that throws now counts as fired: the caller's object is broken).
    pub fn is_aborted(&self) -> bool {
        self.aborted().map_or(true, |flag| flag.is_truthy())
    }

    /// Why it fired, or `undefined`.
    pub fn why(&self) -> JsValue {
        self.reason().unwrap_or(JsValue::UNDEFINED)
    }
}

/// What a raced wait gave.
pub enum Raced {
    /// The awaited promise resolved to this value.
    Won(JsValue),
    /// The deadline passed or the caller's signal fired first.
    Stopped,
}

impl From<JsValue> for Raced {
    fn from(won: JsValue) -> Raced {
        if JS.with(|k| won == k.stopped) {
            Raced::Stopped
        } else {
            Raced::Won(won)
        }
    }
}

/// One call's stop: a promise that resolves when the deadline passes or the caller's signal fires, and the
/// `AbortController` whose signal goes with every request of the call.
pub struct Deadline {
    controller: Controller,
    promise: Option<Promise>,
    timer: Option<JsValue>,
    listener: Option<(Signal, Function)>,
}

impl Deadline {
    /// Starts the clock: `timeout_ms` 0 means no deadline. The timer is an ordinary one, so a pending call keeps a
    /// Node process alive until it settles.
    pub fn start(timeout_ms: u32, signal: Option<&Signal>) -> Deadline {
        let controller = Controller::new();
        if timeout_ms == 0 && signal.is_none() {
            return Deadline {
                controller,
                promise: None,
                timer: None,
                listener: None,
            };
        }
        let mut resolve = None;
        let promise = Promise::new(&mut |done, _| resolve = Some(done));
        let mut stop = Deadline {
            controller,
            promise: Some(promise),
            timer: None,
            listener: None,
        };
        let Some(resolve) = resolve else { return stop };
        JS.with(|k| {
            let stopped = &k.stopped;
            if timeout_ms > 0 {
                stop.timer = Some(set_timeout(&resolve, f64::from(timeout_ms), stopped));
            }
            if let Some(signal) = signal {
                let listener: Function = resolve.bind1(&JsValue::UNDEFINED, stopped).unchecked_into();
                if signal.add_listener("abort", &listener).is_ok() {
                    stop.listener = Some((signal.clone(), listener));
                }
            }
        });
        stop
    }

    /// The signal that goes with the call's requests.
    pub fn fetch_signal(&self) -> JsValue {
        self.controller.signal()
    }

    /// Waits for `value` (a promise, a thenable or a plain value) unless the call stops first; `Err` is what it
    /// rejected with.
    pub async fn race(&self, value: &JsValue) -> Result<Raced, JsValue> {
        self.racing(value).await.map(Raced::from)
    }

    /// The race itself, a plain future, so each caller's state machine holds one small `Settled`.
    fn racing(&self, value: &JsValue) -> Settled {
        let contenders = match &self.promise {
            Some(stop) => Array::of2(value, stop),
            None => Array::of1(value),
        };
        Settled::from(Promise::race(&contenders))
    }

    /// Sleeps `ms` unless the call stops first (then `Raced::Stopped`).
    pub async fn sleep(&self, ms: f64) -> Raced {
        let mut timer = JsValue::UNDEFINED;
        let nap = Promise::new(&mut |done, _| timer = set_timeout(&done, ms, &JsValue::UNDEFINED));
        let raced = self.racing(&nap).await;
        clear_timeout(&timer);
        match raced.map(Raced::from) {
            Ok(Raced::Won(_)) | Err(_) => Raced::Won(JsValue::UNDEFINED),
            Ok(Raced::Stopped) => Raced::Stopped,
        }
    }

    /// Cancels whatever request or body read is still out (a `fetch` that honours its signal stops there).
    pub fn cancel_request(&self) {
        let _ = self.controller.abort();
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        if let Some(timer) = &self.timer {
            clear_timeout(timer);
        }
        if let Some((signal, listener)) = &self.listener {
            let _ = signal.remove_listener("abort", listener);
        }
    }
}
