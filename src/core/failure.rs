//! Exchanges that went wrong before an answer could be judged: the network, the deadline, the caller's signal, and
//! answers that could not be read. Each error says whether the request may have reached GeWe.

use super::text::find;
use super::{Code, Error};

/// What a failed `fetch` said about itself, and where it was sent.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Failure<'a> {
    /// The runtime's error code: the cause's `code` (Node), the error's own (Bun).
    pub code: Option<&'a str>,
    /// The error's message with its cause's code or message (what the error says in full).
    pub message: &'a str,
    /// The cause's own message, when there is a cause.
    pub cause_message: Option<&'a str>,
    /// The port the request went to, when the global `fetch` sent it (an injected one may go elsewhere).
    pub port: Option<u16>,
}

/// Error codes that mean no request was ever written, by runtime (as ky's `is-network-error.ts` keeps its table).
/// A code that can also come after the request was sent (a reset, a closed socket, a read timeout) is not here.
const NEVER_CONNECTED_CODES: [&str; 22] = [
    // Node (undici) on the error's `cause`: the socket could not be opened.
    "ECONNREFUSED",
    // Node: DNS found no such name (a name under `.invalid` never resolves).
    "ENOTFOUND",
    // Node: DNS failed for now (no resolver reachable).
    "EAI_AGAIN",
    // Node: DNS answers for other failures.
    "EAI_NONAME",
    "EAI_FAIL",
    // Node: no route to the network or the host.
    "ENETUNREACH",
    "EHOSTUNREACH",
    // Node: the local address cannot be used.
    "EADDRNOTAVAIL",
    // Node (undici): the connect phase timed out, before any byte of the request.
    "UND_ERR_CONNECT_TIMEOUT",
    // Node: the TLS handshake failed, and the request is written only after it (an https baseUrl at a plain-HTTP
    // server gives the first; the others are a refused protocol version or certificate).
    "ERR_SSL_WRONG_VERSION_NUMBER",
    "ERR_SSL_PACKET_LENGTH_TOO_LONG",
    "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION",
    "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE",
    "ERR_SSL_UNSUPPORTED_PROTOCOL",
    "ERR_TLS_CERT_ALTNAME_INVALID",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "CERT_HAS_EXPIRED",
    // Bun, on the error itself: the socket could not be opened (older Bun; newer Bun gives ECONNREFUSED and
    // ENOTFOUND, above). Bun does not block the fetch standard's bad ports: it connects, and is refused or not.
    "ConnectionRefused",
    "FailedToOpenSocket",
];

/// Words in a failed `fetch`'s message that mean no request was ever written, by runtime.
const NEVER_CONNECTED_MESSAGES: [&str; 6] = [
    // Deno (hyper), on the cause: the connector failed (TCP connect, DNS or the TLS handshake), so no request
    // was written.
    "client error (Connect)",
    // Deno: the fetch standard's blocked ports ("Fetch failed: Requests to port 6000 are blocked").
    "Requests to port",
    // Bun: the TLS handshake failed (its code, EPROTO, is not enough: Node gives it for other TLS errors too).
    "The TLS handshake failed",
    // Deno, older wording of the same.
    "tcp connect error",
    "dns error",
    // Node (undici), as the cause's message: the fetch standard's blocked ports are refused before connecting.
    "bad port",
];

/// What browsers write for any failed `fetch` (Chromium, Firefox, Safari). It says nothing about when it failed,
/// so a refused connection and a reset read alike there and stay maybe delivered, as workerd's "Network connection
/// lost" does. Only a blocked port tells them apart: browsers refuse those before connecting.
const BROWSER_MESSAGES: [&str; 3] = [
    "Failed to fetch",
    "NetworkError when attempting to fetch resource.",
    "Load failed",
];

/// The fetch standard's bad ports (https://fetch.spec.whatwg.org/#port-blocking): a `fetch` to one of them fails
/// before connecting.
const BAD_PORTS: [u16; 83] = [
    0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103,
    104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514,
    515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723,
    2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
];

/// Whether `port` is one of the fetch standard's bad ports.
pub fn is_bad_port(port: u16) -> bool {
    BAD_PORTS.contains(&port)
}

/// Whether a failed `fetch` certainly never reached the server, by the runtime's own word. Anything else (a reset,
/// a closed socket, a browser's bare "Failed to fetch", workerd's "Network connection lost") may have come after
/// the request was sent.
pub fn never_connected(f: &Failure<'_>) -> bool {
    let says =
        |m: &str| find(f.message, m).is_some() || f.cause_message.is_some_and(|c| find(c, m).is_some());
    f.code.is_some_and(|c| NEVER_CONNECTED_CODES.contains(&c))
        || NEVER_CONNECTED_MESSAGES.iter().any(|m| says(m))
        || (f.port.is_some_and(is_bad_port) && BROWSER_MESSAGES.contains(&f.message))
}

/// `BAD_RESPONSE`: the shell reported an event the exchange did not wait for (a defect, never an answer);
/// `maybe_sent` when a request was out.
pub fn out_of_order(maybe_sent: bool) -> Error {
    let e = Error::new(
        Code::BadResponse,
        "The call ended on an event it did not wait for; the request may have reached GeWe.",
    );
    if maybe_sent {
        e.maybe_delivered()
    } else {
        e
    }
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

    fn said(code: Option<&'static str>, message: &'static str) -> Failure<'static> {
        Failure {
            code,
            message,
            ..Failure::default()
        }
    }

    #[test]
    fn only_the_runtime_saying_no_connection_was_made_counts_as_never_connected() {
        assert!(never_connected(&said(Some("ECONNREFUSED"), "fetch failed")));
        assert!(never_connected(&said(Some("UND_ERR_CONNECT_TIMEOUT"), "")));
        assert!(never_connected(&said(
            Some("ConnectionRefused"),
            "Unable to connect"
        )));
        assert!(never_connected(&said(
            Some("ENOTFOUND"),
            "fetch failed (ENOTFOUND)"
        )));
        assert!(never_connected(&said(
            Some("ERR_SSL_WRONG_VERSION_NUMBER"),
            "fetch failed"
        )));
        assert!(never_connected(&Failure {
            cause_message: Some("bad port"),
            ..said(None, "fetch failed (bad port)")
        }));
        assert!(never_connected(&said(
            None,
            "error sending request for url (http://127.0.0.1:1/): client error (Connect): tcp connect error: Connection refused"
        )));
        assert!(never_connected(&said(
            None,
            "Fetch failed: Requests to port 6000 are blocked"
        )));
        assert!(never_connected(&said(
            Some("EPROTO"),
            "EPROTO: The TLS handshake failed. Does the server speak TLS on this port?"
        )));
        assert!(never_connected(&Failure {
            cause_message: Some("error sending request for url (https://127.0.0.1:1/x): client error (Connect): received corrupt message of type InvalidContentType"),
            ..said(None, "fetch failed (error sending request)")
        }));
        assert!(never_connected(&Failure {
            port: Some(6000),
            ..said(None, "Failed to fetch")
        }));
        for (code, message) in [
            (Some("ECONNRESET"), "fetch failed"),
            (Some("UND_ERR_SOCKET"), "other side closed"),
            (Some("ETIMEDOUT"), ""),
            (
                Some("ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC"),
                "fetch failed",
            ),
            (None, "Failed to fetch"),
            (None, "Network connection lost."),
        ] {
            assert!(!never_connected(&said(code, message)), "{code:?} {message}");
        }
        assert!(!never_connected(&Failure {
            port: Some(2531),
            ..said(None, "Failed to fetch")
        }));
    }

    #[test]
    fn the_bad_ports_are_the_fetch_standards() {
        assert!(BAD_PORTS.windows(2).all(|w| w.first() < w.last()));
        for port in [1, 6000, 10080] {
            assert!(is_bad_port(port));
        }
        for port in [80, 443, 2531, 8080] {
            assert!(!is_bad_port(port));
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
