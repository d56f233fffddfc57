//! Reading an answer's body as the exchange asks: in one step (`text()`) or chunk by chunk from its stream, the
//! text decoded in JS and kept there until the exchange wants it.

use js_sys::{Array, JsString, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{own, JS};

#[wasm_bindgen]
extern "C" {
    type ReadableStream;
    #[wasm_bindgen(method, structural, catch, js_name = getReader)]
    fn get_reader(this: &ReadableStream) -> Result<Reader, JsValue>;

    /// A `ReadableStreamDefaultReader`.
    pub type Reader;
    #[wasm_bindgen(method, structural, catch)]
    fn read(this: &Reader) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, structural, catch)]
    fn cancel(this: &Reader) -> Result<JsValue, JsValue>;

    type Uint8Array;
    #[wasm_bindgen(method, getter, structural, catch, js_name = byteLength)]
    fn byte_length(this: &Uint8Array) -> Result<JsValue, JsValue>;

    type TextDecoder;
    #[wasm_bindgen(constructor, js_class = "TextDecoder")]
    fn new() -> TextDecoder;
    #[wasm_bindgen(method, catch, js_name = decode)]
    fn decode_part(this: &TextDecoder, chunk: &Uint8Array, options: &JsValue) -> Result<JsString, JsValue>;
    #[wasm_bindgen(method, catch, js_name = decode)]
    fn decode_end(this: &TextDecoder) -> Result<JsString, JsValue>;
}

thread_local! {
    /// Swallows the rejection of a cancel nobody waits for, so it never reaches the host's unhandled handler.
    static IGNORE: Closure<dyn FnMut(JsValue)> = Closure::new(|_| {});
}

/// A body stream being read: its reader, its decoder and the text so far.
pub struct Stream {
    reader: Reader,
    decoder: TextDecoder,
    text: JsString,
    /// The stream reached its end (nothing to cancel).
    ended: bool,
}

/// What one read of a stream gave.
pub enum Read {
    /// A chunk of this many bytes, decoded and kept.
    Chunk(f64),
    /// The end: the text so far is all of it.
    End,
}

impl Stream {
    /// Opens `body` (a `Response`'s `body`); `Ok(None)` when there is none (an empty body).
    pub fn open(body: &JsValue) -> Result<Option<Stream>, ()> {
        if body.is_null() || body.is_undefined() {
            return Ok(None);
        }
        let reader = body
            .unchecked_ref::<ReadableStream>()
            .get_reader()
            .map_err(drop)?;
        Ok(Some(Stream {
            reader,
            decoder: TextDecoder::new(),
            text: JsString::from(""),
            ended: false,
        }))
    }

    /// The promise of the next read (`Err` is what `read()` threw).
    pub fn next(&self) -> Result<JsValue, JsValue> {
        self.reader.read()
    }

    /// Takes in what a read resolved to; `Err` says what is wrong with it.
    pub fn take(&mut self, result: &JsValue) -> Result<Read, &'static str> {
        let (done, value) = JS.with(|k| (own(result, &k.done), own(result, &k.value)));
        if done.map_or(true, |d| d.is_truthy()) {
            self.ended = true;
            let rest = self.decoder.decode_end().unwrap_or_else(|_| JsString::from(""));
            self.text = self.text.concat(&rest);
            return Ok(Read::End);
        }
        let not_bytes = "a body chunk that is not a Uint8Array";
        let chunk = value
            .ok()
            .and_then(|v| v.dyn_into::<Uint8Array>().ok())
            .ok_or(not_bytes)?;
        let size = chunk
            .byte_length()
            .ok()
            .and_then(|n| n.as_f64())
            .ok_or(not_bytes)?;
        if size > 0.0 {
            let part = JS
                .with(|k| self.decoder.decode_part(&chunk, &k.stream))
                .map_err(|_| "a body chunk that cannot be decoded")?;
            self.text = self.text.concat(&part);
        }
        Ok(Read::Chunk(size))
    }

    /// The text read so far.
    pub fn text(&self) -> String {
        self.text.clone().into()
    }

    /// Cancels the stream unless it ended, without waiting, its rejection (if any) swallowed: its source may be
    /// JS, which the request's signal does not reach.
    pub fn abandon(&self) {
        if self.ended {
            return;
        }
        if let Ok(pending) = self.reader.cancel() {
            IGNORE.with(|ignore| {
                let _ = Promise::race(&Array::of1(&pending)).catch(ignore);
            });
        }
    }
}
