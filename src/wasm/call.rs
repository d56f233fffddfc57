//! One revoke call: performs the effects the core's [`Exchange`] asks for (`fetch`, the body reads, the waits) and
//! reports what happened, until it finishes. Every decision is the exchange's; this file only does I/O.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::body::{Read, Stream};
use super::config::Config;
use super::deadline::{now_ms, random, Deadline, Raced, Signal};
use super::error::{safe_cause, to_js, Thrown};
use super::fetch::{fetch, Headers, Response};
use crate::core::exchange::{self, Call, Cause, Effect, Event, Exchange, Finish, HeaderValues, Step, Wanted};
use crate::core::response::Success;
use crate::core::{request, RevokeParams};

/// The JS side of one call: the request, and what its current attempt got back.
struct Io<'a> {
    config: &'a Config,
    signal: Option<&'a Signal>,
    deadline: Deadline,
    init: JsValue,
    response: Option<Response>,
    headers: Option<Headers>,
    stream: Option<Stream>,
    /// What the last `fetch` or body read threw: the `cause` when the exchange names it.
    thrown: Option<JsValue>,
    /// What it said about itself, for the event.
    said: Thrown,
    /// The headers read, in the order of [`HeaderValues`].
    read: [Option<String>; 4],
    /// The body text, for the event.
    text: String,
}

/// Revokes `params` with `config`, within `timeout_ms` (0: no deadline) unless `signal` fires.
pub async fn revoke(
    config: &Config,
    params: &RevokeParams,
    signal: Option<&Signal>,
    timeout_ms: u32,
) -> Result<Success, JsValue> {
    let call = Call {
        options: &config.options,
        create_time: params.create_time,
        timeout_ms,
        injected_fetch: config.fetch.is_some(),
        port: config.port,
    };
    let aborted = signal.is_some_and(Signal::is_aborted);
    let (mut exchange, mut effect) = match Exchange::begin(call, now_ms(), aborted, random()) {
        Step::Finish(finish) => return settle(finish, None, signal, config),
        Step::Next(exchange, effect) => (exchange, effect),
    };
    let deadline = Deadline::start(timeout_ms, signal);
    let init = config
        .init(&request::body(params), Some(&deadline.fetch_signal()))
        .into();
    let mut io = Io {
        config,
        signal,
        deadline,
        init,
        response: None,
        headers: None,
        stream: None,
        thrown: None,
        said: Thrown::default(),
        read: Default::default(),
        text: String::new(),
    };
    loop {
        let event = io.perform(effect).await;
        match exchange.handle(event, now_ms()) {
            Step::Next(next, then) => (exchange, effect) = (next, then),
            Step::Finish(finish) => {
                let thrown = io.thrown.take();
                io.end(finish.cancel);
                return settle(finish, thrown, signal, config);
            }
        }
    }
}

impl Io<'_> {
    /// Performs `effect` and says what happened.
    async fn perform(&mut self, effect: Effect) -> Event<'_> {
        match effect {
            Effect::Fetch => {
                self.response = None;
                self.headers = None;
                self.stream = None;
                match fetch(self.config.fetch.as_ref(), &self.config.endpoint, &self.init) {
                    Err(thrown) => self.threw(thrown, true),
                    Ok(sent) => match self.deadline.race(&sent).await {
                        Err(thrown) => self.threw(thrown, false),
                        Ok(Raced::Stopped) => self.stopped(),
                        Ok(Raced::Won(answer)) => self.answered(answer),
                    },
                }
            }
            Effect::ReadHeaders(wanted) => match self.read_headers(wanted) {
                Ok(values) => {
                    self.read = values;
                    let [location, retry_after, length, encoding] = &self.read;
                    Event::Headers(HeaderValues {
                        location: location.as_deref(),
                        retry_after: retry_after.as_deref(),
                        content_length: length.as_deref(),
                        content_encoding: encoding.as_deref(),
                    })
                }
                Err(()) => Event::Unreadable("a Response whose headers cannot be read"),
            },
            Effect::ReadText => match self.response.as_ref().map(Response::text) {
                None => Event::Unreadable("a Response whose body cannot be read"),
                Some(Err(thrown)) => self.broke(thrown),
                Some(Ok(pending)) => match self.deadline.race(&pending).await {
                    Err(thrown) => self.broke(thrown),
                    Ok(Raced::Stopped) => self.stopped(),
                    Ok(Raced::Won(text)) => match text.as_string() {
                        Some(text) => self.body(text),
                        None => Event::Unreadable("a text() that is not a string"),
                    },
                },
            },
            Effect::ReadChunk => self.read_chunk().await,
            Effect::StopReading => {
                self.deadline.cancel_request();
                let text = self.stream.take().map(|s| {
                    s.abandon();
                    s.text()
                });
                self.body(text.unwrap_or_default())
            }
            Effect::Sleep(ms) => match self.deadline.sleep(ms).await {
                Raced::Stopped => self.stopped(),
                Raced::Won(_) => Event::Woke,
            },
        }
    }

    /// What a stop means: the caller's signal fired, or else the deadline passed.
    fn stopped(&self) -> Event<'static> {
        Event::Stopped {
            by_signal: self.signal.is_some_and(Signal::is_aborted),
        }
    }

    /// The body text, kept for the event.
    fn body(&mut self, text: String) -> Event<'_> {
        self.text = text;
        Event::Body(&self.text)
    }

    /// A thrown or rejected `fetch`.
    fn threw(&mut self, thrown: JsValue, sync: bool) -> Event<'_> {
        self.said = Thrown::read(&thrown);
        self.thrown = Some(thrown);
        Event::Threw(exchange::Thrown {
            detail: &self.said.detail,
            code: self.said.code.as_deref(),
            cause_message: self.said.cause_message.as_deref(),
            sync,
        })
    }

    /// A body read that rejected: the answer broke off.
    fn broke(&mut self, thrown: JsValue) -> Event<'_> {
        self.said = Thrown::read(&thrown);
        self.thrown = Some(thrown);
        Event::BodyBroke(&self.said.detail)
    }

    /// What `fetch` resolved to; keeps the `Response`.
    fn answered(&mut self, answer: JsValue) -> Event<'static> {
        let Ok(response) = answer.dyn_into::<Response>() else {
            return Event::NotAResponse;
        };
        let Some(status) = response.status_code() else {
            return Event::Unreadable("a Response whose status cannot be read");
        };
        let Some(headers) = response.header_list() else {
            return Event::Unreadable("a Response whose headers cannot be read");
        };
        self.response = Some(response);
        self.headers = Some(headers);
        Event::Status(status)
    }

    /// The headers `wanted` asks for, in the order of [`HeaderValues`].
    fn read_headers(&self, wanted: Wanted) -> Result<[Option<String>; 4], ()> {
        let Some(headers) = &self.headers else {
            return Err(());
        };
        let read = |on: bool, name| if on { headers.text(name) } else { Ok(None) };
        Ok([
            read(wanted.location, |k| &k.location)?,
            read(wanted.retry_after, |k| &k.retry_after)?,
            read(wanted.length, |k| &k.content_length)?,
            read(wanted.length, |k| &k.content_encoding)?,
        ])
    }

    /// Reads the next chunk of the body stream, opening it first.
    async fn read_chunk(&mut self) -> Event<'_> {
        let unreadable = Event::Unreadable("a Response whose body cannot be read");
        if self.stream.is_none() {
            let body = self.response.as_ref().map(Response::body);
            match body.map(|b| b.map_err(drop).and_then(|b| Stream::open(&b))) {
                Some(Ok(Some(stream))) => self.stream = Some(stream),
                Some(Ok(None)) => return Event::Body(""),
                None | Some(Err(())) => return unreadable,
            }
        }
        let next = match self.stream.as_ref().map(Stream::next) {
            Some(Ok(next)) => next,
            Some(Err(thrown)) => return self.broke(thrown),
            None => return unreadable,
        };
        let result = match self.deadline.race(&next).await {
            Err(thrown) => return self.broke(thrown),
            Ok(Raced::Stopped) => return self.stopped(),
            Ok(Raced::Won(result)) => result,
        };
        let Some(stream) = self.stream.as_mut() else {
            return unreadable;
        };
        match stream.take(&result) {
            Ok(Read::Chunk(size)) => Event::Chunk(size),
            Ok(Read::End) => {
                let text = stream.text();
                self.body(text)
            }
            Err(what) => Event::Unreadable(what),
        }
    }

    /// Lets go of what is still out: the stream unless it ended, and the request when the exchange says so.
    fn end(&mut self, cancel: bool) {
        if let Some(stream) = self.stream.take() {
            stream.abandon();
        }
        if cancel {
            self.deadline.cancel_request();
        }
    }
}

/// The call's result, its error a `GeweError` with the cause the exchange names.
fn settle(
    finish: Finish,
    thrown: Option<JsValue>,
    signal: Option<&Signal>,
    config: &Config,
) -> Result<Success, JsValue> {
    finish.outcome.map_err(|e| {
        let cause = match finish.cause {
            Cause::None => None,
            Cause::Thrown => thrown.map(|t| safe_cause(&t, &config.options.token)),
            Cause::Reason => signal.map(Signal::why),
        };
        to_js(&e, cause)
    })
}
