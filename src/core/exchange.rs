//! One revoke call as a state machine, sans-I/O (as in quinn-proto and h11): the shell reports what happened
//! ([`Event`]) and performs what the exchange answers ([`Effect`]), until the exchange gives its [`Finish`].
//!
//! Every decision of a call lives here: the revoke window, when a request may have reached GeWe
//! (`maybeDelivered`), whether and when to try again, the body cap, redirects, and which error ends the call.
//! The shell owns only JS values (the request `init`, the `Response`, the text read so far, what was thrown).
//!
//! The exchange is moved through [`Exchange::handle`], which returns [`Step::Next`] with the next effect or
//! [`Step::Finish`]; a finished call has no exchange left to feed, so nothing can happen after the end.

use super::failure::{self, Failure};
use super::response::{self, Headers, Success, Verdict};
use super::{retry, window, Error, Options};

/// What the shell performs next.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Effect {
    /// Send the call's request with `fetch` (the same request on every attempt), then report what it gave:
    /// [`Event::Threw`], [`Event::NotAResponse`], [`Event::Status`] or [`Event::Unreadable`].
    Fetch,
    /// Read these headers of the answer, then report [`Event::Headers`].
    ReadHeaders(Wanted),
    /// Read the whole body in one step (`response.text()`), then report [`Event::Body`].
    ReadText,
    /// Read the next chunk of the body stream (opening it first), then report [`Event::Chunk`], or
    /// [`Event::Body`] with everything read when the stream ended.
    ReadChunk,
    /// Stop reading (cancel the stream and the request) and report the text read so far as [`Event::Body`].
    StopReading,
    /// Wait this many ms, then report [`Event::Woke`].
    Sleep(f64),
}

/// The headers an answer's verdict needs; the shell reads only these.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Wanted {
    /// `Location`: the answer is a redirect.
    pub location: bool,
    /// `Retry-After`: the status is worth another attempt.
    pub retry_after: bool,
    /// `Content-Length` and `Content-Encoding`: the body is read.
    pub length: bool,
}

/// The headers the shell read, as [`Wanted`] asked.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HeaderValues<'a> {
    /// `Location`
    pub location: Option<&'a str>,
    /// `Retry-After`
    pub retry_after: Option<&'a str>,
    /// `Content-Length`
    pub content_length: Option<&'a str>,
    /// `Content-Encoding`
    pub content_encoding: Option<&'a str>,
}

/// What happened, as the shell reports it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Event<'a> {
    /// `fetch` threw (`sync`) or its promise rejected, with what the thrown value said about itself.
    Threw(Thrown<'a>),
    /// `fetch` resolved to something that is not a `Response`.
    NotAResponse,
    /// The answer's HTTP status (0 for a browser's opaque redirect).
    Status(u16),
    /// The headers [`Effect::ReadHeaders`] asked for.
    Headers(HeaderValues<'a>),
    /// A chunk of the body stream arrived, this many bytes long.
    Chunk(f64),
    /// The body as text: all of it, or what was read before [`Effect::StopReading`].
    Body(&'a str),
    /// Reading the body rejected with this detail: the answer broke off.
    BodyBroke(&'a str),
    /// Part of the answer could not be read; `what` says which (e.g. "a body chunk that is not a Uint8Array").
    Unreadable(&'static str),
    /// The wait of [`Effect::Sleep`] is over.
    Woke,
    /// The call's deadline passed (`by_signal: false`) or the caller's signal fired (`true`).
    Stopped {
        /// The caller's `AbortSignal` fired.
        by_signal: bool,
    },
}

/// What a thrown `fetch` said about itself.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thrown<'a> {
    /// Its message, with its cause's code or message in parentheses (`fetch failed (ECONNREFUSED)`).
    pub detail: &'a str,
    /// The runtime's error code: the cause's `code` (Node) or the error's own (Bun).
    pub code: Option<&'a str>,
    /// The cause's message, when there is a cause (Node's `bad port`, TLS errors).
    pub cause_message: Option<&'a str>,
    /// `fetch` threw instead of returning a promise.
    pub sync: bool,
}

/// Which JS value the shell attaches as the error's `cause`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// None.
    None,
    /// The value the last `fetch` or body read threw.
    Thrown,
    /// The caller's signal's `reason`.
    Reason,
}

/// How the call ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Finish {
    /// The result; every string of an error has the token redacted.
    pub outcome: Result<Success, Error>,
    /// The error's `cause`.
    pub cause: Cause,
    /// A request or a body read may still be out: the shell cancels it.
    pub cancel: bool,
}

/// The exchange after an event: the next effect, or the end.
#[derive(Debug)]
pub enum Step<'a> {
    /// Perform the effect, then report its event to the exchange.
    Next(Exchange<'a>, Effect),
    /// The call is over.
    Finish(Finish),
}

/// What a call runs with.
#[derive(Clone, Copy, Debug)]
pub struct Call<'a> {
    /// The validated options.
    pub options: &'a Options,
    /// The message's `createTime` (unix seconds; 0 when unknown).
    pub create_time: u64,
    /// The deadline of this call in ms (0: none); may differ from the options' for a client's per-call one.
    pub timeout_ms: u32,
    /// `fetch` was injected: a synchronous throw may have come after it sent.
    pub injected_fetch: bool,
    /// The port the endpoint names, when it names one: the fetch standard blocks some ports.
    pub port: Option<u16>,
}

/// Where the exchange is.
#[derive(Clone, Copy, Debug, PartialEq)]
enum State {
    /// A `fetch` is out.
    Fetching,
    /// The status arrived; the headers are being read.
    Head { status: u16 },
    /// The body is being read (`streamed` when chunk by chunk), `total` bytes so far.
    Body {
        status: u16,
        total: f64,
        empty: u32,
        streamed: bool,
    },
    /// The body was cut at the cap; its text so far is awaited.
    Cut { status: u16 },
    /// Waiting before the next attempt.
    Sleeping,
}

/// One revoke call in progress.
#[derive(Debug)]
pub struct Exchange<'a> {
    call: Call<'a>,
    state: State,
    /// Attempts started, this one included.
    attempts: u32,
    /// `Retry-After` of the answer being read, in ms.
    retry_after_ms: Option<f64>,
    /// The earlier of the deadline and the window's close, in ms since the epoch.
    limit_ms: Option<f64>,
    /// Backoff jitter state (xorshift64), seeded by the shell.
    rng: u64,
}

/// More empty chunks than this in a row is a stream that will never end (and starves timers: reads of a
/// JS-made stream can resolve as microtasks).
pub const MAX_EMPTY_CHUNKS: u32 = 64;

impl<'a> Exchange<'a> {
    /// Starts a call at `now_ms`: checks the window and the caller's signal (`aborted`), then asks for the first
    /// request. `seed` (uniform in `[0, 1)`) seeds the backoff jitter.
    pub fn begin(call: Call<'a>, now_ms: f64, aborted: bool, seed: f64) -> Step<'a> {
        let options = call.options;
        if let Err(e) = window::check(call.create_time, options.revoke_window_sec, now_ms) {
            return finish(Err(e), Cause::None, false, &options.token);
        }
        if aborted {
            return finish(Err(failure::aborted(false)), Cause::Reason, false, &options.token);
        }
        let limit_ms = [
            (call.timeout_ms > 0).then(|| now_ms + f64::from(call.timeout_ms)),
            window::closes_at_ms(call.create_time, options.revoke_window_sec),
        ]
        .into_iter()
        .flatten()
        .reduce(f64::min);
        let exchange = Exchange {
            call,
            state: State::Fetching,
            attempts: 1,
            retry_after_ms: None,
            limit_ms,
            rng: (seed.clamp(0.0, 1.0) * 9_007_199_254_740_991.0) as u64 | 1,
        };
        Step::Next(exchange, Effect::Fetch)
    }

    /// How many attempts have started.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Takes in what happened at `now_ms` and answers what comes next.
    #[inline(never)]
    pub fn handle(mut self, event: Event<'_>, now_ms: f64) -> Step<'a> {
        let token = self.call.options.token.as_str();
        match (self.state, event) {
            (state, Event::Stopped { by_signal }) => {
                let in_flight = state != State::Sleeping;
                if by_signal {
                    finish(Err(failure::aborted(in_flight)), Cause::Reason, in_flight, token)
                } else {
                    let e = failure::timed_out(self.call.timeout_ms, in_flight);
                    finish(Err(e), Cause::None, in_flight, token)
                }
            }
            (State::Fetching, Event::Threw(thrown)) => {
                let never = self.never_connected(&thrown);
                let e = failure::network(&thrown.detail_redacted(token), self.attempts, never);
                // A synchronous throw of the global fetch happens before any I/O, but would happen again.
                self.again(e, None, never && !thrown.sync, Cause::Thrown, now_ms)
            }
            (State::Fetching, Event::NotAResponse) => {
                let e = failure::not_a_response("something other than a Response");
                finish(Err(e), Cause::None, false, token)
            }
            (State::Fetching, Event::Status(status)) => {
                self.state = State::Head { status };
                let wanted = if response::is_redirect(status) {
                    Wanted {
                        location: true,
                        ..Wanted::default()
                    }
                } else {
                    Wanted {
                        retry_after: retry::retryable_status(status),
                        length: true,
                        ..Wanted::default()
                    }
                };
                Step::Next(self, Effect::ReadHeaders(wanted))
            }
            (State::Head { status }, Event::Headers(headers)) => {
                if response::is_redirect(status) {
                    let verdict = self.judge(status, headers.location, "", now_ms);
                    return verdict.map_cancel(true);
                }
                self.retry_after_ms = headers
                    .retry_after
                    .and_then(|v| retry::parse_retry_after(v, now_ms));
                let declared = headers.content_length.and_then(|n| n.trim().parse::<u64>().ok());
                let plain = headers
                    .content_encoding
                    .is_none_or(|e| e.trim().eq_ignore_ascii_case("identity"));
                // A small body with a Content-Length and no Content-Encoding is read in one step (the network
                // stack holds it to that length); any other is streamed and counted.
                let whole = declared.is_some_and(|n| n <= u64::from(self.cap())) && plain;
                self.state = State::Body {
                    status,
                    total: 0.0,
                    empty: 0,
                    streamed: !whole,
                };
                Step::Next(
                    self,
                    if whole {
                        Effect::ReadText
                    } else {
                        Effect::ReadChunk
                    },
                )
            }
            (
                State::Body {
                    status,
                    total,
                    empty,
                    streamed: true,
                },
                Event::Chunk(size),
            ) => {
                if size.is_nan() || size < 0.0 {
                    return self.unreadable("a body chunk that is not a Uint8Array", Some(status));
                }
                if size == 0.0 {
                    if empty >= MAX_EMPTY_CHUNKS {
                        return self.unreadable("a body stream of empty chunks", Some(status));
                    }
                    self.state = State::Body {
                        status,
                        total,
                        empty: empty + 1,
                        streamed: true,
                    };
                    return Step::Next(self, Effect::ReadChunk);
                }
                let total = total + size;
                if total > f64::from(self.cap()) {
                    return self.cut(status);
                }
                self.state = State::Body {
                    status,
                    total,
                    empty: 0,
                    streamed: true,
                };
                Step::Next(self, Effect::ReadChunk)
            }
            (State::Body { status, streamed, .. }, Event::Body(text)) => {
                // A Response made in JS can carry any Content-Length; hold `text()` to the cap all the same.
                if !streamed && text.len() > self.cap() as usize {
                    if let Some(e) = failure::cut_short(status, self.cap()) {
                        return finish(Err(e), Cause::None, true, token);
                    }
                    return self.judge(status, None, text, now_ms).map_cancel(true);
                }
                self.judge(status, None, text, now_ms)
            }
            (State::Cut { status }, Event::Body(text)) => {
                self.judge(status, None, text, now_ms).map_cancel(true)
            }
            (State::Body { status, .. } | State::Cut { status }, Event::BodyBroke(detail)) => {
                let mut e = failure::broken_body(&super::redact::redact(detail, token));
                e.status = Some(status);
                finish(Err(e), Cause::Thrown, true, token)
            }
            (
                State::Body { status, .. } | State::Cut { status } | State::Head { status },
                Event::Unreadable(what),
            ) => self.unreadable(what, Some(status)),
            (State::Fetching, Event::Unreadable(what)) => self.unreadable(what, None),
            (State::Sleeping, Event::Woke) => {
                self.attempts += 1;
                self.retry_after_ms = None;
                self.state = State::Fetching;
                Step::Next(self, Effect::Fetch)
            }
            // An event the exchange did not ask for: the shell broke its side of the protocol. End the call, and
            // say the request may have arrived unless none was out.
            (state, _) => {
                let e = failure::out_of_order(state != State::Sleeping);
                finish(Err(e), Cause::None, true, token)
            }
        }
    }

    fn cap(&self) -> u32 {
        self.call.options.max_response_bytes
    }

    /// The body passed the cap: a 2xx cannot be judged on part of its JSON; any other status is judged on the part
    /// read.
    fn cut(mut self, status: u16) -> Step<'a> {
        if let Some(e) = failure::cut_short(status, self.cap()) {
            return finish(Err(e), Cause::None, true, &self.call.options.token);
        }
        self.state = State::Cut { status };
        Step::Next(self, Effect::StopReading)
    }

    fn unreadable(self, what: &str, status: Option<u16>) -> Step<'a> {
        let mut e = failure::unreadable(what);
        e.status = status;
        finish(Err(e), Cause::None, true, &self.call.options.token)
    }

    /// The verdict on a whole answer.
    fn judge(self, status: u16, location: Option<&str>, body: &str, now_ms: f64) -> Step<'a> {
        let token = self.call.options.token.as_str();
        let headers = Headers {
            retry_after: None,
            location,
        };
        match response::verdict(status, headers, body, token, now_ms) {
            Verdict::Done(outcome) => finish(outcome, Cause::None, false, token),
            Verdict::Retry { error, .. } => {
                let asked = self.retry_after_ms;
                self.again(error, asked, true, Cause::None, now_ms)
            }
        }
    }

    /// After a failure: another attempt when it is safe (`safe`), one is left and its wait ends in time; else the
    /// failure ends the call.
    fn again(mut self, e: Error, asked_ms: Option<f64>, safe: bool, cause: Cause, now_ms: f64) -> Step<'a> {
        let token = self.call.options.token.as_str();
        if !safe || self.attempts > self.call.options.retries {
            return finish(Err(e), cause, false, token);
        }
        let jitter = self.jitter();
        match retry::delay_ms(self.attempts, asked_ms, jitter, now_ms, self.limit_ms) {
            Some(wait) => {
                self.state = State::Sleeping;
                Step::Next(self, Effect::Sleep(wait))
            }
            None => finish(Err(e), cause, false, token),
        }
    }

    /// The next jitter, uniform in `[0, 1)`.
    fn jitter(&mut self) -> f64 {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Whether a thrown `fetch` certainly never reached GeWe.
    fn never_connected(&self, thrown: &Thrown<'_>) -> bool {
        // The global fetch throws synchronously only before any I/O (a URL or init it refuses); an injected one
        // may have sent first.
        if thrown.sync && !self.call.injected_fetch {
            return true;
        }
        let failure = Failure {
            code: thrown.code,
            message: thrown.detail,
            cause_message: thrown.cause_message,
            port: self.call.port.filter(|_| !self.call.injected_fetch),
        };
        failure::never_connected(&failure)
    }
}

impl Thrown<'_> {
    fn detail_redacted(&self, token: &str) -> String {
        super::redact::redact(self.detail, token)
    }
}

impl Step<'_> {
    /// The same step, with `cancel` set on a finish.
    fn map_cancel(self, cancel: bool) -> Self {
        match self {
            Step::Finish(mut f) => {
                f.cancel |= cancel;
                Step::Finish(f)
            }
            next => next,
        }
    }
}

/// The end of a call; the last sweep for the token. Not inlined: every arm of `handle` ends through it.
#[inline(never)]
fn finish<'a>(outcome: Result<Success, Error>, cause: Cause, cancel: bool, token: &str) -> Step<'a> {
    Step::Finish(Finish {
        outcome: outcome.map_err(|e| e.redacted(token)),
        cause,
        cancel,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Code, Options};

    const TOKEN: &str = "tok-secret-1234";
    const NOW: f64 = 1_700_000_000_000.0;

    fn options(retries: u32) -> Options {
        Options {
            token: TOKEN.into(),
            endpoint: "http://127.0.0.1:2531/v2/api/message/revokeMsg".into(),
            timeout_ms: 10_000,
            retries,
            revoke_window_sec: Some(120),
            app_id: None,
            max_response_bytes: 1024,
        }
    }

    fn call(options: &Options) -> Call<'_> {
        Call {
            options,
            create_time: (NOW / 1000.0) as u64 - 5,
            timeout_ms: options.timeout_ms,
            injected_fetch: false,
            port: Some(2531),
        }
    }

    /// Drives `events` in order; returns the effects asked for and the finish.
    fn run(call: Call<'_>, events: &[Event<'_>]) -> (Vec<Effect>, Option<Finish>) {
        let mut effects = Vec::new();
        let mut step = Exchange::begin(call, NOW, false, 0.5);
        for event in events {
            match step {
                Step::Next(ex, effect) => {
                    effects.push(effect);
                    step = ex.handle(*event, NOW);
                }
                Step::Finish(f) => return (effects, Some(f)),
            }
        }
        match step {
            Step::Next(_, effect) => {
                effects.push(effect);
                (effects, None)
            }
            Step::Finish(f) => (effects, Some(f)),
        }
    }

    fn ok_body() -> &'static str {
        r#"{"ret":200,"msg":"操作成功"}"#
    }

    fn length(n: &str) -> Event<'_> {
        Event::Headers(HeaderValues {
            content_length: Some(n),
            ..HeaderValues::default()
        })
    }

    fn refused() -> Event<'static> {
        Event::Threw(Thrown {
            detail: "fetch failed (ECONNREFUSED)",
            code: Some("ECONNREFUSED"),
            cause_message: Some("connect ECONNREFUSED 127.0.0.1:2531"),
            sync: false,
        })
    }

    fn reset() -> Event<'static> {
        Event::Threw(Thrown {
            detail: "fetch failed (ECONNRESET)",
            code: Some("ECONNRESET"),
            cause_message: Some("read ECONNRESET"),
            sync: false,
        })
    }

    #[test]
    fn a_plain_success_reads_the_small_body_in_one_step() {
        let o = options(1);
        let (effects, end) = run(
            call(&o),
            &[Event::Status(200), length("40"), Event::Body(ok_body())],
        );
        assert_eq!(
            effects,
            [
                Effect::Fetch,
                Effect::ReadHeaders(Wanted {
                    length: true,
                    ..Wanted::default()
                }),
                Effect::ReadText
            ]
        );
        let end = end.unwrap();
        assert_eq!(end.outcome.unwrap().msg, "操作成功");
        assert!(!end.cancel);
    }

    #[test]
    fn the_window_and_an_aborted_signal_end_before_any_request() {
        let o = options(1);
        let mut old = call(&o);
        old.create_time -= 300;
        let Step::Finish(f) = Exchange::begin(old, NOW, false, 0.0) else {
            panic!("sent")
        };
        assert_eq!(f.outcome.unwrap_err().code, Code::RevokeWindowExpired);
        let Step::Finish(f) = Exchange::begin(call(&o), NOW, true, 0.0) else {
            panic!("sent")
        };
        let e = f.outcome.unwrap_err();
        assert_eq!(
            (e.code, e.maybe_delivered, f.cause),
            (Code::Aborted, false, Cause::Reason)
        );
    }

    #[test]
    fn a_refused_connection_is_retried_and_a_reset_is_not() {
        let o = options(1);
        let (effects, end) = run(call(&o), &[refused(), Event::Woke, refused()]);
        assert!(matches!(
            effects.as_slice(),
            [Effect::Fetch, Effect::Sleep(_), Effect::Fetch]
        ));
        let e = end.unwrap().outcome.unwrap_err();
        assert_eq!((e.code, e.maybe_delivered), (Code::Network, false));
        assert!(e.message.contains("(2 attempts)"), "{}", e.message);
        let (effects, end) = run(call(&o), &[reset()]);
        assert_eq!(effects, [Effect::Fetch]);
        let end = end.unwrap();
        assert_eq!(end.cause, Cause::Thrown);
        assert!(end.outcome.unwrap_err().maybe_delivered);
    }

    #[test]
    fn a_synchronous_throw_is_never_delivered_with_the_global_fetch_only_and_never_retried() {
        let o = options(3);
        let threw = Event::Threw(Thrown {
            detail: "Failed to parse URL",
            code: None,
            cause_message: None,
            sync: true,
        });
        let (effects, end) = run(call(&o), &[threw]);
        assert_eq!(effects, [Effect::Fetch]);
        assert!(!end.unwrap().outcome.unwrap_err().maybe_delivered);
        let mut injected = call(&o);
        injected.injected_fetch = true;
        let (_, end) = run(injected, &[threw]);
        assert!(end.unwrap().outcome.unwrap_err().maybe_delivered);
    }

    #[test]
    fn retryable_statuses_wait_at_least_retry_after_and_stop_at_the_tries() {
        let o = options(2);
        let busy = Event::Headers(HeaderValues {
            retry_after: Some("2"),
            content_length: Some("0"),
            ..HeaderValues::default()
        });
        let events = [Event::Status(503), busy, Event::Body(""), Event::Woke];
        let (effects, end) = run(call(&o), &events);
        assert!(end.is_none());
        assert_eq!(
            effects.get(1),
            Some(&Effect::ReadHeaders(Wanted {
                retry_after: true,
                length: true,
                location: false
            }))
        );
        assert!(matches!(effects.get(3), Some(Effect::Sleep(ms)) if *ms >= 2000.0));
        let three = [events, events, events].concat();
        let (effects, end) = run(call(&o), &three);
        assert_eq!(effects.iter().filter(|e| **e == Effect::Fetch).count(), 3);
        let e = end.unwrap().outcome.unwrap_err();
        assert_eq!((e.code, e.status), (Code::HttpStatus, Some(503)));
    }

    #[test]
    fn a_wait_past_the_deadline_is_not_taken() {
        let mut o = options(3);
        o.timeout_ms = 1000;
        let busy = Event::Headers(HeaderValues {
            retry_after: Some("5"),
            ..HeaderValues::default()
        });
        let (_, end) = run(
            call(&o),
            &[Event::Status(429), busy, Event::Chunk(3.0), Event::Body("n/a")],
        );
        assert_eq!(end.unwrap().outcome.unwrap_err().status, Some(429));
    }

    #[test]
    fn a_redirect_is_not_followed_and_its_request_is_cancelled() {
        let o = options(1);
        let to = Event::Headers(HeaderValues {
            location: Some("https://elsewhere.example/?t=tok-secret-1234"),
            ..HeaderValues::default()
        });
        let (effects, end) = run(call(&o), &[Event::Status(302), to]);
        assert_eq!(
            effects.get(1),
            Some(&Effect::ReadHeaders(Wanted {
                location: true,
                ..Wanted::default()
            }))
        );
        let end = end.unwrap();
        assert!(end.cancel);
        let e = end.outcome.unwrap_err();
        assert_eq!(e.code, Code::HttpStatus);
        assert!(!e.location.unwrap().contains(TOKEN));
    }

    #[test]
    fn the_cap_holds_for_streams_and_for_text() {
        let o = options(1);
        let stream = [
            Event::Status(200),
            length("4096"),
            Event::Chunk(1000.0),
            Event::Chunk(100.0),
        ];
        let (effects, end) = run(call(&o), &stream);
        assert_eq!(effects.get(2), Some(&Effect::ReadChunk));
        let end = end.unwrap();
        assert!(end.cancel);
        assert_eq!(end.outcome.unwrap_err().code, Code::BadResponse);
        let long = "x".repeat(1025);
        let (_, end) = run(call(&o), &[Event::Status(200), length("10"), Event::Body(&long)]);
        assert_eq!(end.unwrap().outcome.unwrap_err().code, Code::BadResponse);
        let html = [
            Event::Status(500),
            length("9999"),
            Event::Chunk(2000.0),
            Event::Body("<html>"),
        ];
        let (effects, end) = run(call(&o), &html);
        assert_eq!(effects.last(), Some(&Effect::StopReading));
        let e = end.unwrap().outcome.unwrap_err();
        assert_eq!((e.code, e.status), (Code::HttpStatus, Some(500)));
    }

    #[test]
    fn a_stream_of_empty_chunks_ends() {
        let o = options(1);
        let mut events = vec![Event::Status(200), Event::Headers(HeaderValues::default())];
        events.extend(std::iter::repeat_n(Event::Chunk(0.0), 65));
        let (_, end) = run(call(&o), &events);
        let e = end.unwrap().outcome.unwrap_err();
        assert_eq!((e.code, e.status), (Code::BadResponse, Some(200)));
    }

    #[test]
    fn stops_say_whether_a_request_was_out() {
        let o = options(1);
        let (_, end) = run(call(&o), &[Event::Stopped { by_signal: false }]);
        let end = end.unwrap();
        let e = end.outcome.unwrap_err();
        assert_eq!(
            (e.code, e.maybe_delivered, end.cancel),
            (Code::Timeout, true, true)
        );
        let (_, end) = run(call(&o), &[refused(), Event::Stopped { by_signal: true }]);
        let end = end.unwrap();
        let e = end.outcome.unwrap_err();
        assert_eq!(
            (e.code, e.maybe_delivered, end.cause),
            (Code::Aborted, false, Cause::Reason)
        );
    }

    #[test]
    fn a_broken_body_is_final_and_maybe_delivered() {
        let o = options(3);
        let events = [
            Event::Status(200),
            length("40"),
            Event::BodyBroke("terminated tok-secret-1234"),
        ];
        let (_, end) = run(call(&o), &events);
        let end = end.unwrap();
        let e = end.outcome.unwrap_err();
        assert_eq!(
            (e.code, e.maybe_delivered, e.status),
            (Code::Network, true, Some(200))
        );
        assert!(!e.message.contains(TOKEN));
        assert_eq!(end.cause, Cause::Thrown);
    }

    #[test]
    fn an_event_out_of_order_ends_the_call() {
        let o = options(1);
        let (_, end) = run(call(&o), &[Event::Woke]);
        assert!(end.unwrap().outcome.unwrap_err().maybe_delivered);
        let (_, end) = run(call(&o), &[Event::NotAResponse]);
        assert_eq!(end.unwrap().outcome.unwrap_err().code, Code::BadResponse);
    }
}
