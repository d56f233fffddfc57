//! `core::exchange` driven through random event sequences by a random world: whatever the world answers to each
//! effect (throws of every kind, statuses, headers, chunks, bodies, stops, events out of order), the call
//!
//! - ends: within a bound set by the tries, the byte cap and the empty-chunk limit, and at once when stopped;
//! - starts at most `retries + 1` requests;
//! - never sends again after an attempt that may have reached GeWe: a new request follows only a `fetch` that
//!   threw asynchronously with a failure the world labels never-connected, or a whole 429/502/503 answer;
//! - holds the byte cap: no chunk is asked for once more than `maxResponseBytes` arrived, and no 2xx body over the
//!   cap is judged a success;
//! - says `maybeDelivered` when its last attempt may have reached GeWe, and not when it certainly did not;
//! - never lets the token out: no string of the error, literally or in a spelling `core::redact` catches;
//! - waits only finite, non-negative times that end before the deadline.
//!
//! Input: byte 0 retries, byte 1 flags (injected fetch, deadline, window, port), byte 2 the cap, then one byte
//! (or two) per event.
#![no_main]

use gewe_revoke::core::exchange::{Call, Effect, Event, Exchange, HeaderValues, Step, Thrown};
use gewe_revoke::core::{Code, Error, Options};
use gewe_revoke_fuzz::{spelled, strings};
use libfuzzer_sys::fuzz_target;

const TOKEN: &str = "tok-FUZZ-secret-42";
const NOW: f64 = 1_700_000_000_000.0;

/// Throws a world can give, with whether no connection was made (the world's own label, from the runtimes' docs).
const THROWS: [(Option<&str>, &str, Option<&str>, bool); 12] = [
    (Some("ECONNREFUSED"), "fetch failed (ECONNREFUSED)", Some("connect ECONNREFUSED"), true),
    (None, "fetch failed (bad port)", Some("bad port"), true),
    (Some("ENOTFOUND"), "fetch failed (ENOTFOUND)", Some("getaddrinfo ENOTFOUND x.invalid"), true),
    (Some("ERR_SSL_WRONG_VERSION_NUMBER"), "fetch failed (ERR_SSL_WRONG_VERSION_NUMBER)", None, true),
    (Some("ConnectionRefused"), "Unable to connect", None, true),
    (None, "error sending request: client error (Connect): tcp connect error", None, true),
    (Some("ECONNRESET"), "fetch failed (ECONNRESET)", Some("read ECONNRESET"), false),
    (Some("UND_ERR_SOCKET"), "fetch failed (other side closed)", None, false),
    (None, "Failed to fetch", None, false),
    (None, "Network connection lost.", None, false),
    (None, "tok-FUZZ-secret-42 in the message", None, false),
    (Some("ETIMEDOUT"), "fetch failed (ETIMEDOUT)", None, false),
];

const STATUSES: [u16; 12] = [200, 200, 201, 0, 302, 400, 429, 500, 502, 503, 504, 200];

const BODIES: [&str; 8] = [
    r#"{"ret":200,"msg":"操作成功"}"#,
    r#"{"ret":500,"msg":"微信已离线","data":{"code":"-1","msg":"tok-FUZZ-secret-42"}}"#,
    r#"{"ret":200,"msg":"tok-FUZZ-secret-42","data":{"tok-FUZZ-secret-42":1}}"#,
    "<html>bad gateway tok-FUZZ-secret-42</html>",
    "",
    "not json",
    r#"{"ret":"200"}"#,
    r#"{"ret":200,"msg":"ok","data":[1,2,3]}"#,
];

const HEADERS: [Option<&str>; 6] = [None, Some("0"), Some("1"), Some("120"), Some("tok-FUZZ-secret-42"), Some("Sun, 06 Nov 1994 08:49:37 GMT")];

struct World<'a> {
    bytes: &'a [u8],
}

impl World<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (first, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        Some(*first)
    }
}

fn check_token(e: &Error) {
    let mut texts = vec![e.message.clone()];
    texts.extend(e.api_msg.clone());
    texts.extend(e.body.clone());
    texts.extend(e.location.clone());
    if let Some(data) = &e.data {
        strings(data, &mut texts);
    }
    for t in &texts {
        assert!(!t.contains(TOKEN) && !spelled(t, TOKEN), "the token left in {t:?}");
    }
}

fuzz_target!(|input: &[u8]| {
    let mut world = World { bytes: input };
    let (Some(retries), Some(flags), Some(cap)) = (world.byte(), world.byte(), world.byte()) else {
        return;
    };
    let options = Options {
        token: TOKEN.into(),
        endpoint: "http://127.0.0.1:2531/v2/api/message/revokeMsg".into(),
        timeout_ms: if flags & 2 != 0 { 0 } else { 1000 + u32::from(flags >> 4) * 2000 },
        retries: u32::from(retries % 11),
        revoke_window_sec: (flags & 4 != 0).then_some(120),
        app_id: None,
        max_response_bytes: 1 + u32::from(cap) * 4,
    };
    let injected = flags & 1 != 0;
    let bad_port = flags & 64 != 0;
    let call = Call {
        options: &options,
        create_time: if flags & 8 != 0 { 0 } else { (NOW / 1000.0) as u64 - 5 },
        timeout_ms: options.timeout_ms,
        injected_fetch: injected,
        port: Some(if flags & 64 != 0 { 6000 } else { 2531 }),
    };
    let cap = f64::from(options.max_response_bytes);
    let deadline = (options.timeout_ms > 0).then(|| NOW + f64::from(options.timeout_ms));
    let mut now = NOW;
    let mut step = Exchange::begin(call, now, flags & 128 != 0 && flags & 32 != 0, 0.25);
    let mut fetches = 0u32;
    // Whether the last attempt may have reached GeWe, and whether another request would now be a resend.
    let mut may_have_arrived = false;
    let mut resend_allowed = true;
    let mut status = 0u16;
    let mut total = 0f64;
    let mut last_body = "";
    let mut streamed = false;
    let bound = (options.retries + 1) * (options.max_response_bytes + 80) + 8;
    let mut steps = 0u32;
    let finish = loop {
        steps += 1;
        assert!(steps <= bound, "the call did not end within {bound} steps");
        let (exchange, effect) = match step {
            Step::Finish(finish) => break finish,
            Step::Next(exchange, effect) => (exchange, effect),
        };
        if let Effect::Fetch = effect {
            assert!(resend_allowed, "a request after one that may have reached GeWe");
            fetches += 1;
            assert!(fetches <= options.retries + 1, "more tries than configured");
            may_have_arrived = true;
            resend_allowed = false;
            total = 0.0;
            streamed = false;
        }
        if let Effect::ReadChunk = effect {
            assert!(total <= cap, "a chunk asked for past the cap");
            streamed = true;
        }
        if let Effect::Sleep(ms) = effect {
            assert!(ms.is_finite() && ms >= 0.0, "wait {ms}");
            if let Some(deadline) = deadline {
                assert!(now + ms < deadline, "a wait past the deadline");
            }
        }
        let Some(choice) = world.byte() else {
            // The world has nothing more to say: the deadline passes, and the call must end there.
            let stopped = exchange.handle(Event::Stopped { by_signal: false }, now);
            let Step::Finish(finish) = stopped else {
                panic!("a stop did not end the call")
            };
            break finish;
        };
        now += f64::from(choice & 3);
        let pick = usize::from(choice >> 2);
        // One event in 64 is a stop; one in 64 is whatever the world likes, out of order or not.
        let event = match (choice % 64, effect) {
            (0, _) => Event::Stopped { by_signal: choice & 64 != 0 },
            (1, _) => [Event::Woke, Event::NotAResponse, Event::Body("x"), Event::Chunk(1.0)][pick % 4],
            (_, Effect::Fetch) => match pick % 4 {
                0 | 1 => {
                    let (code, detail, cause_message, never) = THROWS[pick % THROWS.len()];
                    // Browsers refuse the fetch standard's bad ports before connecting, whatever they then say.
                    let never = never || (bad_port && !injected && detail == "Failed to fetch");
                    let sync = choice & 128 != 0 && pick % 3 == 0;
                    // The global fetch throwing synchronously never sent; otherwise the runtime's word decides.
                    may_have_arrived = !(sync && !injected) && !never;
                    resend_allowed = !sync && never;
                    Event::Threw(Thrown { detail, code, cause_message, sync })
                }
                2 => {
                    status = STATUSES[pick % STATUSES.len()];
                    Event::Status(status)
                }
                _ => Event::NotAResponse,
            },
            (_, Effect::ReadHeaders(_)) => {
                let more = usize::from(world.byte().unwrap_or(0));
                Event::Headers(HeaderValues {
                    location: HEADERS[pick % HEADERS.len()],
                    retry_after: HEADERS[more % HEADERS.len()],
                    content_length: HEADERS[(more / 8) % HEADERS.len()],
                    content_encoding: [None, Some("gzip"), Some("identity")][(more / 64) % 3],
                })
            }
            (_, Effect::ReadText | Effect::StopReading) => match pick % 8 {
                7 => Event::BodyBroke("terminated tok-FUZZ-secret-42"),
                6 => Event::Unreadable("a text() that is not a string"),
                n => {
                    last_body = BODIES[n % BODIES.len()];
                    Event::Body(last_body)
                }
            },
            (_, Effect::ReadChunk) => match pick % 8 {
                7 => Event::BodyBroke("terminated"),
                6 => {
                    last_body = BODIES[(pick / 8) % BODIES.len()];
                    Event::Body(last_body)
                }
                5 => Event::Chunk([0.0, f64::NAN, -1.0][(pick / 8) % 3]),
                n => {
                    let size = f64::from((n as u32 + 1) * (1 + u32::from(choice >> 6)) * 8);
                    total += size.max(0.0);
                    Event::Chunk(size)
                }
            },
            (_, Effect::Sleep(ms)) => {
                now += ms;
                Event::Woke
            }
        };
        if let Event::Body(_) = event {
            // A whole answer of a retryable status: the gateway says it did not pass the request on.
            if matches!(status, 429 | 502 | 503) {
                resend_allowed = true;
                may_have_arrived = false;
            }
        }
        step = exchange.handle(event, now);
    };
    match &finish.outcome {
        Ok(success) => {
            assert!(!success.msg.contains(TOKEN));
            assert!(total <= cap, "a streamed body over the cap judged a success");
            assert!(
                streamed || last_body.len() as f64 <= cap,
                "a body over the cap judged a success"
            );
        }
        Err(e) => {
            check_token(e);
            // Errors that end before any request, or that are an answer GeWe gave, say nothing of delivery.
            let answered = matches!(e.code, Code::ApiError | Code::HttpStatus | Code::RevokeWindowExpired);
            if fetches > 0 && may_have_arrived && !answered && e.code != Code::BadResponse {
                assert!(e.maybe_delivered, "{e:?} hides that the request may have arrived");
            }
            if fetches > 0 && !may_have_arrived && e.code == Code::Network {
                assert!(!e.maybe_delivered, "{e:?} claims a delivery that never was");
            }
        }
    }
});
