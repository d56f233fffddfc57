//! One revoke call: performs the effects the core's [`Exchange`] asks for (`fetch`, the body reads, the waits) and
//! reports what happened, until it finishes. Every decision is the exchange's; this file only does I/O.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::body::{Read, Stream};
use super::config::Config;
use super::deadline::{now_ms, random, Deadline, Raced, Signal};
use super::error::{safe_cause, to_js, Thrown};
use super::fetch::{fetch, Headers, Response};
use crate::core::exchange::{Call, Cause, Effect, Event, Exchange, Finish, HeaderValues, Step, Wanted};
use crate::core::response::Success;
use crate::core::{request, RevokeParams};

/// The JS side of a call: what the exchange's events came from.
#[derive(Default)]
struct Io {
    response: Option<Response>,
    headers: Option<Headers>,
    stream: Option<Stream>,
    /// What the last `fetch` or body read threw: the `cause` when the exchange names it.
    thrown: Option<JsValue>,
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
    let mut step = match Exchange::begin(call, now_ms(), aborted, random()) {
        Step::Finish(finish) => return end(finish, &mut Io::default(), None, signal, config),
        next => next,
    };
    let deadline = Deadline::start(timeout_ms, signal);
    let init: JsValue = config
        .init(&request::body(params), Some(&deadline.fetch_signal()))
        .into();
    let mut io = Io::default();
    loop {
        let (exchange, effect) = match step {
            Step::Next(exchange, effect) => (exchange, effect),
            Step::Finish(finish) => return end(finish, &mut io, Some(&deadline), signal, config),
        };
        let stopped = || stopped(signal);
        step = match effect {
            Effect::Fetch => match fetch(config.fetch.as_ref(), &config.endpoint, &init) {
                Err(thrown) => threw(exchange, &mut io, thrown, true),
                Ok(sent) => match deadline.race(&sent).await {
                    Err(thrown) => threw(exchange, &mut io, thrown, false),
                    Ok(Raced::Stopped) => exchange.handle(stopped(), now_ms()),
                    Ok(Raced::Won(answer)) => {
                        let event = io.answered(answer);
                        exchange.handle(event, now_ms())
                    }
                },
            },
            Effect::ReadHeaders(wanted) => {
                let read = io.read_headers(wanted);
                match &read {
                    Ok([location, retry_after, length, encoding]) => {
                        let event = Event::Headers(HeaderValues {
                            location: location.as_deref(),
                            retry_after: retry_after.as_deref(),
                            content_length: length.as_deref(),
                            content_encoding: encoding.as_deref(),
                        });
                        exchange.handle(event, now_ms())
                    }
                    Err(()) => exchange.handle(
                        Event::Unreadable("a Response whose headers cannot be read"),
                        now_ms(),
                    ),
                }
            }
            Effect::ReadText => {
                let pending = io.response.as_ref().map(Response::text);
                match pending {
                    None => exchange.handle(
                        Event::Unreadable("a Response whose body cannot be read"),
                        now_ms(),
                    ),
                    Some(Err(thrown)) => broke(exchange, &mut io, thrown),
                    Some(Ok(pending)) => match deadline.race(&pending).await {
                        Err(thrown) => broke(exchange, &mut io, thrown),
                        Ok(Raced::Stopped) => exchange.handle(stopped(), now_ms()),
                        Ok(Raced::Won(text)) => match text.as_string() {
                            Some(text) => exchange.handle(Event::Body(&text), now_ms()),
                            None => {
                                exchange.handle(Event::Unreadable("a text() that is not a string"), now_ms())
                            }
                        },
                    },
                }
            }
            Effect::ReadChunk => read_chunk(exchange, &mut io, &deadline, signal).await,
            Effect::StopReading => {
                deadline.cancel_request();
                let text = io.stream.take().map(|s| {
                    s.abandon();
                    s.text()
                });
                exchange.handle(Event::Body(text.as_deref().unwrap_or_default()), now_ms())
            }
            Effect::Sleep(ms) => match deadline.sleep(ms).await {
                Raced::Stopped => exchange.handle(stopped(), now_ms()),
                Raced::Won(_) => {
                    io = Io::default();
                    exchange.handle(Event::Woke, now_ms())
                }
            },
        };
    }
}

impl Io {
    /// The event for what `fetch` resolved to; keeps the `Response`.
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
}

/// What a stop means: the caller's signal fired, or else the deadline passed.
fn stopped(signal: Option<&Signal>) -> Event<'static> {
    Event::Stopped {
        by_signal: signal.is_some_and(Signal::is_aborted),
    }
}

/// Reads the next chunk of the body stream, opening it first.
async fn read_chunk<'a>(
    exchange: Exchange<'a>,
    io: &mut Io,
    deadline: &Deadline,
    signal: Option<&Signal>,
) -> Step<'a> {
    if io.stream.is_none() {
        let body = io.response.as_ref().map(Response::body);
        match body.map(|b| b.map_err(drop).and_then(|b| Stream::open(&b))) {
            Some(Ok(Some(stream))) => io.stream = Some(stream),
            Some(Ok(None)) => return exchange.handle(Event::Body(""), now_ms()),
            None | Some(Err(())) => {
                return exchange.handle(
                    Event::Unreadable("a Response whose body cannot be read"),
                    now_ms(),
                )
            }
        }
    }
    let Some(stream) = io.stream.as_mut() else {
        return exchange.handle(
            Event::Unreadable("a Response whose body cannot be read"),
            now_ms(),
        );
    };
    let next = match stream.next() {
        Ok(next) => next,
        Err(thrown) => return broke(exchange, io, thrown),
    };
    let result = match deadline.race(&next).await {
        Err(thrown) => return broke(exchange, io, thrown),
        Ok(Raced::Stopped) => return exchange.handle(stopped(signal), now_ms()),
        Ok(Raced::Won(result)) => result,
    };
    let Some(stream) = io.stream.as_mut() else {
        return exchange.handle(
            Event::Unreadable("a Response whose body cannot be read"),
            now_ms(),
        );
    };
    match stream.take(&result) {
        Ok(Read::Chunk(size)) => exchange.handle(Event::Chunk(size), now_ms()),
        Ok(Read::End) => exchange.handle(Event::Body(&stream.text()), now_ms()),
        Err(what) => exchange.handle(Event::Unreadable(what), now_ms()),
    }
}

/// Reports a thrown or rejected `fetch`.
fn threw<'a>(exchange: Exchange<'a>, io: &mut Io, thrown: JsValue, sync: bool) -> Step<'a> {
    let said = Thrown::read(&thrown);
    io.thrown = Some(thrown);
    let event = Event::Threw(crate::core::exchange::Thrown {
        detail: &said.detail,
        code: said.code.as_deref(),
        cause_message: said.cause_message.as_deref(),
        sync,
    });
    exchange.handle(event, now_ms())
}

/// Reports a body read that rejected: the answer broke off.
fn broke<'a>(exchange: Exchange<'a>, io: &mut Io, thrown: JsValue) -> Step<'a> {
    let said = Thrown::read(&thrown);
    io.thrown = Some(thrown);
    exchange.handle(Event::BodyBroke(&said.detail), now_ms())
}

/// Performs the finish: cancels what is still out, and builds the `GeweError` with the cause it names.
fn end(
    finish: Finish,
    io: &mut Io,
    deadline: Option<&Deadline>,
    signal: Option<&Signal>,
    config: &Config,
) -> Result<Success, JsValue> {
    let Finish {
        outcome,
        cause,
        cancel,
    } = finish;
    if let Some(stream) = io.stream.take() {
        stream.abandon();
    }
    if cancel {
        if let Some(deadline) = deadline {
            deadline.cancel_request();
        }
    }
    outcome.map_err(|e| {
        let cause = match cause {
            Cause::None => None,
            Cause::Thrown => io.thrown.take().map(|t| safe_cause(&t, &config.options.token)),
            Cause::Reason => signal.map(Signal::why),
        };
        to_js(&e, cause)
    })
}
