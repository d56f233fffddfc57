//! Exchanges that went wrong before an answer could be judged: the network, the deadline, the caller's signal, and
//! answers that could not be read. Each error says whether the request may have reached GeWe.

use super::text::find;
use super::{Code, Error};

/// Error codes a runtime gives when no connection was ever made: Node's fetch on the error's `cause`, Bun on
/// the error itself.
const NEVER_CONNECTED_CODES: [&str; 11] = [
    "ECONNREFUSED",
    "ENOTFOUND",
    "EAI_AGAIN",
    "EAI_NONAME",
    "EAI_FAIL",
    "ENETUNREACH",
    "EHOSTUNREACH",
    "EADDRNOTAVAIL",
    "UND_ERR_CONNECT_TIMEOUT",
    "ConnectionRefused",
    "FailedToOpenSocket",
];

/// What Deno writes when connecting or resolving failed (it gives no code).
const NEVER_CONNECTED_MESSAGES: [&str; 2] = ["tcp connect error", "dns error"];

/// Whether a failed `fetch` certainly never reached the server, by the runtime's own word. Anything else (a reset,
/// a closed socket, a browser's bare "Failed to fetch") may have come after the request was sent.
pub fn never_connected(code: Option<&str>, message: &str) -> bool {
    code.is_some_and(|c| NEVER_CONNECTED_CODES.contains(&c))
        || NEVER_CONNECTED_MESSAGES
            .iter()
            .any(|m| find(message, m).is_some())
}

/// `NETWORK`: `fetch` failed before an answer arrived; `detail` describes what it threw.
pub fn network(detail: &str, attempts: u32, never_connected: bool) -> Error {
    let tries = if attempts > 1 {
        format!(" ({attempts} attempts)")
    } else {
        String::new()
    };
    let maybe = if never_connected {
        ""
    } else {
        ", possibly after GeWe received it, so the revoke may have happened"
    };
    let e = Error::new(
        Code::Network,
        format!("The request to GeWe failed before an answer arrived{tries}{maybe}: {detail}."),
    );
    if never_connected {
        e
    } else {
        e.maybe_delivered()
    }
}

/// `NETWORK`: the answer began but broke off while its body was read.
pub fn broken_body(detail: &str) -> Error {
    Error::new(
        Code::Network,
        format!("GeWe's answer broke off while it was read, so the revoke may have happened: {detail}."),
    )
    .maybe_delivered()
}

/// `TIMEOUT`: the call's deadline passed; `in_flight` when a request was out at that moment.
pub fn timed_out(timeout_ms: u32, in_flight: bool) -> Error {
    let e = Error::new(
        Code::Timeout,
        if in_flight {
            format!(
                "GeWe did not answer within timeoutMs ({timeout_ms} ms); the request may have reached it."
            )
        } else {
            format!("The call ran out of its timeoutMs ({timeout_ms} ms) before a request could be sent.")
        },
    )
    .at("timeoutMs");
    if in_flight {
        e.maybe_delivered()
    } else {
        e
    }
}

/// `ABORTED`: the caller's signal fired; `in_flight` when a request was out at that moment.
pub fn aborted(in_flight: bool) -> Error {
    if in_flight {
        Error::new(
            Code::Aborted,
            "The call was aborted by its AbortSignal while a request was out; it may have reached GeWe.",
        )
        .at("signal")
        .maybe_delivered()
    } else {
        Error::new(Code::Aborted, "The call was aborted by its AbortSignal.").at("signal")
    }
}

/// `BAD_RESPONSE`: `fetch` resolved to something that is not a readable `Response`.
pub fn not_a_response(what: &str) -> Error {
    Error::new(
        Code::BadResponse,
        format!("fetch resolved to {what}, not a readable Response; the request may have reached GeWe."),
    )
    .maybe_delivered()
}

/// `BAD_RESPONSE`: the `Response` could not be read (`what` says which part).
pub fn unreadable(what: &str) -> Error {
    Error::new(
        Code::BadResponse,
        format!("The answer could not be read ({what}); the request may have reached GeWe."),
    )
    .maybe_delivered()
}

/// What an answer whose body was cut at `maxResponseBytes` means: for a 2xx, `BAD_RESPONSE` (part of its JSON
/// cannot be judged); `None` for any other status, which is judged on the part that was read.
pub fn cut_short(status: u16, max_bytes: u32) -> Option<Error> {
    if !(200..300).contains(&status) {
        return None;
    }
    let mut e = Error::new(
        Code::BadResponse,
        format!(
            "GeWe answered HTTP {status} with a body larger than maxResponseBytes ({max_bytes} bytes); reading \
             stopped there."
        ),
    )
    .maybe_delivered();
    e.status = Some(status);
    Some(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_runtime_saying_no_connection_was_made_counts_as_never_connected() {
        assert!(never_connected(Some("ECONNREFUSED"), "fetch failed"));
        assert!(never_connected(Some("UND_ERR_CONNECT_TIMEOUT"), ""));
        assert!(never_connected(Some("ConnectionRefused"), "Unable to connect"));
        assert!(never_connected(
            None,
            "error sending request for url (http://127.0.0.1:1/): client error (Connect): tcp connect error: Connection refused"
        ));
        for (code, message) in [
            (Some("ECONNRESET"), "fetch failed"),
            (Some("UND_ERR_SOCKET"), "other side closed"),
            (Some("ETIMEDOUT"), ""),
            (None, "Failed to fetch"),
            (None, "Network connection lost."),
        ] {
            assert!(!never_connected(code, message), "{code:?} {message}");
        }
    }

    #[test]
    fn errors_say_whether_the_request_may_have_arrived() {
        let refused = network("fetch failed (ECONNREFUSED)", 2, true);
        assert_eq!((refused.code, refused.maybe_delivered), (Code::Network, false));
        assert_eq!(
            refused.message,
            "The request to GeWe failed before an answer arrived (2 attempts): fetch failed (ECONNREFUSED)."
        );
        assert!(network("fetch failed (ECONNRESET)", 1, false).maybe_delivered);
        assert!(broken_body("terminated").maybe_delivered);
        assert_eq!(timed_out(300, true).field, Some("timeoutMs"));
        assert!(timed_out(300, true).maybe_delivered && !timed_out(300, false).maybe_delivered);
        assert!(aborted(true).maybe_delivered && !aborted(false).maybe_delivered);
        assert_eq!(
            cut_short(200, 1024).map(|e| (e.code, e.status)),
            Some((Code::BadResponse, Some(200)))
        );
        assert_eq!(cut_short(502, 1024), None);
        assert!(not_a_response("an object")
            .message
            .starts_with("fetch resolved to an object,"));
        assert!(unreadable("a body chunk that is not a Uint8Array").maybe_delivered);
    }
}
