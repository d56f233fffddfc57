//! Reading what `fetch` resolved to, trusting nothing: its status, the headers a verdict needs, and its body under
//! a byte cap enforced while reading.

use js_sys::{Array, JsString, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{own, Constants, JS};
use super::exchange::Ended;
use super::stop::{Raced, Stop};
use crate::pure::failure;

#[wasm_bindgen]
extern "C" {
    /// What `fetch` resolved to, once `instanceof Response` holds; every member is reached with throws caught.
    #[wasm_bindgen(js_name = Response)]
    pub type Answer;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn status(this: &Answer) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn headers(this: &Answer) -> Result<HeaderBag, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn body(this: &Answer) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, structural, catch)]
    fn text(this: &Answer) -> Result<JsValue, JsValue>;

    /// Whatever the answer's `headers` is.
    pub type HeaderBag;
    #[wasm_bindgen(method, structural, catch)]
    fn get(this: &HeaderBag, name: &JsValue) -> Result<JsValue, JsValue>;

    type Stream;
    #[wasm_bindgen(method, structural, catch, js_name = getReader)]
    fn get_reader(this: &Stream) -> Result<Reader, JsValue>;

    type Reader;
    #[wasm_bindgen(method, structural, catch)]
    fn read(this: &Reader) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, structural, catch)]
    fn cancel(this: &Reader) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = Uint8Array)]
    type Bytes;
    #[wasm_bindgen(method, getter, structural, catch, js_name = byteLength)]
    fn byte_length(this: &Bytes) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = TextDecoder)]
    type Decoder;
    #[wasm_bindgen(constructor, js_class = "TextDecoder")]
    fn new() -> Decoder;
    #[wasm_bindgen(method, catch, js_name = decode)]
    fn decode_part(this: &Decoder, chunk: &Bytes, options: &JsValue) -> Result<JsString, JsValue>;
    #[wasm_bindgen(method, catch, js_name = decode)]
    fn decode_end(this: &Decoder) -> Result<JsString, JsValue>;
}

/// More empty chunks than this in a row is a stream that will never end (and starves timers: reads of a
/// JS-made stream can resolve as microtasks).
const MAX_EMPTY_CHUNKS: u32 = 64;

/// A body as read.
pub enum Body {
    /// The whole body.
    Whole(String),
    /// The first `maxResponseBytes` and a little more: reading stopped there.
    Cut(String),
}

impl Answer {
    /// The HTTP status (0 for a browser's opaque redirect), or `None` when it is not one.
    pub fn status_code(&self) -> Option<u16> {
        let status = self.status().ok()?.as_f64()?;
        (status.fract() == 0.0 && (0.0..=999.0).contains(&status)).then_some(status as u16)
    }

    /// Its headers, or `None` when they cannot be read.
    pub fn header_reader(&self) -> Option<HeaderBag> {
        self.headers().ok().filter(|h| h.is_object())
    }

    /// Reads the body, at most `cap` bytes. A small body with a `Content-Length` and no `Content-Encoding` is read
    /// in one step (the network stack holds it to that length); any other is streamed and counted.
    pub async fn read_to_cap(&self, headers: &HeaderBag, cap: u32, stop: &Stop) -> Result<Body, Ended> {
        let declared = headers
            .text(|k| &k.content_length)?
            .and_then(|n| n.trim().parse::<u64>().ok());
        let plain = headers
            .text(|k| &k.content_encoding)?
            .is_none_or(|e| e.trim().eq_ignore_ascii_case("identity"));
        match declared {
            Some(len) if len <= u64::from(cap) && plain => self.read_whole(cap, stop).await,
            _ => self.stream(cap, stop).await,
        }
    }

    async fn read_whole(&self, cap: u32, stop: &Stop) -> Result<Body, Ended> {
        let pending = self.text().map_err(Ended::broken)?;
        let text = match stop.race(&pending).await {
            Err(thrown) => return Err(Ended::broken(thrown)),
            Ok(Raced::Stopped) => return Err(Ended::Stopped { in_flight: true }),
            Ok(Raced::Value(text)) => text
                .as_string()
                .ok_or_else(|| unreadable("a text() that is not a string"))?,
        };
        // A Response made in JS can carry any Content-Length; hold it to the cap all the same.
        Ok(if text.len() > cap as usize {
            Body::Cut(text)
        } else {
            Body::Whole(text)
        })
    }

    async fn stream(&self, cap: u32, stop: &Stop) -> Result<Body, Ended> {
        let body = self
            .body()
            .map_err(|_| unreadable("a Response whose body cannot be read"))?;
        if body.is_null() || body.is_undefined() {
            return Ok(Body::Whole(String::new()));
        }
        let reader = body
            .unchecked_into::<Stream>()
            .get_reader()
            .map_err(|_| unreadable("a Response whose body cannot be read"))?;
        let read = reader.collect(cap, stop).await;
        // Whatever stopped the reading before the end, the stream is cancelled (its source may be JS, which the
        // request's signal does not reach).
        if !matches!(read, Ok(Body::Whole(_))) {
            reader.abandon();
        }
        read
    }
}

impl Reader {
    /// Reads chunks until the end or until more than `cap` bytes arrived; every chunk must be a `Uint8Array`.
    async fn collect(&self, cap: u32, stop: &Stop) -> Result<Body, Ended> {
        let decoder = Decoder::new();
        let mut text = JsString::from("");
        let mut total = 0f64;
        let mut empty = 0;
        loop {
            let next = self.read().map_err(Ended::broken)?;
            let result = match stop.race(&next).await {
                Err(thrown) => return Err(Ended::broken(thrown)),
                Ok(Raced::Stopped) => return Err(Ended::Stopped { in_flight: true }),
                Ok(Raced::Value(result)) => result,
            };
            let (done, value) = JS.with(|k| (own(&result, &k.done), own(&result, &k.value)));
            if done.map_or(true, |d| d.is_truthy()) {
                break;
            }
            let chunk = value.ok().and_then(|v| v.dyn_into::<Bytes>().ok());
            let size = chunk
                .as_ref()
                .and_then(|c| c.byte_length().ok())
                .and_then(|n| n.as_f64());
            let (Some(chunk), Some(size)) = (chunk, size) else {
                return Err(unreadable("a body chunk that is not a Uint8Array"));
            };
            if size == 0.0 {
                empty += 1;
                if empty > MAX_EMPTY_CHUNKS {
                    return Err(unreadable("a body stream of empty chunks"));
                }
                continue;
            }
            empty = 0;
            total += size;
            let part = decoder
                .decode_part(&chunk, &JS.with(|k| k.stream.clone()))
                .map_err(|_| unreadable("a body chunk that cannot be decoded"))?;
            text = text.concat(&part);
            if total > f64::from(cap) {
                return Ok(Body::Cut(text.into()));
            }
        }
        let rest = decoder.decode_end().unwrap_or_else(|_| JsString::from(""));
        Ok(Body::Whole(text.concat(&rest).into()))
    }

    /// Cancels the stream without waiting, its rejection (if any) swallowed.
    fn abandon(&self) {
        if let Ok(pending) = self.cancel() {
            JS.with(|k| {
                let _ = Promise::race(&Array::of1(&pending)).catch(&k.ignore);
            });
        }
    }
}

impl HeaderBag {
    /// The header `name`, `None` when absent; `Err` when the headers cannot be read.
    pub fn text(&self, name: fn(&Constants) -> &JsValue) -> Result<Option<String>, Ended> {
        JS.with(|k| self.get(name(k)))
            .map(|v| v.as_string())
            .map_err(|_| unreadable("a Response whose headers cannot be read"))
    }
}

/// `BAD_RESPONSE` for what cannot be read as an answer; final.
pub fn unreadable(what: &str) -> Ended {
    Ended::Failed {
        error: Box::new(failure::unreadable(what)),
        cause: None,
        retry: false,
    }
}
