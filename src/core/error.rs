//! The library's one error type, shaped like the JS `GeweError` it becomes.

use std::fmt;

use super::json::Json;
use super::redact::redact;

/// Stable, machine-readable error codes: the `code` property of a `GeweError`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// A revoke parameter is missing or malformed.
    InvalidParams,
    /// An option is missing or malformed.
    InvalidOptions,
    /// An id arrived as a JS number above 2^53-1, so it has already lost digits.
    UnsafeInteger,
    /// A value still holds a template placeholder such as `{{appid}}`.
    Placeholder,
    /// The message is older than the revoke window, so WeChat will not recall it.
    RevokeWindowExpired,
    /// GeWe answered with `ret` other than 200.
    ApiError,
    /// GeWe (or a gateway in front of it) answered a non-2xx HTTP status.
    HttpStatus,
    /// A 2xx answer that is not the expected JSON.
    BadResponse,
    /// `fetch` failed before an answer arrived.
    Network,
    /// The call's deadline (`timeoutMs`) passed.
    Timeout,
    /// The caller's `AbortSignal` fired.
    Aborted,
}

impl Code {
    /// The code as JS sees it, e.g. `"API_ERROR"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Code::InvalidParams => "INVALID_PARAMS",
            Code::InvalidOptions => "INVALID_OPTIONS",
            Code::UnsafeInteger => "UNSAFE_INTEGER",
            Code::Placeholder => "PLACEHOLDER",
            Code::RevokeWindowExpired => "REVOKE_WINDOW_EXPIRED",
            Code::ApiError => "API_ERROR",
            Code::HttpStatus => "HTTP_STATUS",
            Code::BadResponse => "BAD_RESPONSE",
            Code::Network => "NETWORK",
            Code::Timeout => "TIMEOUT",
            Code::Aborted => "ABORTED",
        }
    }
}

/// A failure the caller can act on: a code, one English sentence, and what is known about the cause.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    /// What kind of failure this is.
    pub code: Code,
    /// One clear English sentence. Never holds the token.
    pub message: String,
    /// The offending parameter or option, e.g. `"newMsgId"` or `"token"`.
    pub field: Option<&'static str>,
    /// The HTTP status, when an answer arrived.
    pub status: Option<u16>,
    /// GeWe's `ret`, when it answered JSON.
    pub ret: Option<i64>,
    /// GeWe's `msg`, when it answered JSON.
    pub api_msg: Option<String>,
    /// GeWe's `data`, when it answered JSON with one.
    pub data: Option<Json>,
    /// A short excerpt of an unexpected body.
    pub body: Option<String>,
    /// Where a 3xx answer pointed (not followed: the token goes to GeWe only).
    pub location: Option<String>,
    /// The request may have reached GeWe and its outcome is unknown: resending could revoke twice.
    pub maybe_delivered: bool,
}

impl Error {
    /// An error with a code and a message and nothing else known.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            field: None,
            status: None,
            ret: None,
            api_msg: None,
            data: None,
            body: None,
            location: None,
            maybe_delivered: false,
        }
    }

    /// The same error, blaming `field`.
    #[must_use]
    pub fn at(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }

    /// The same error, marked as possibly delivered.
    #[must_use]
    pub fn maybe_delivered(mut self) -> Self {
        self.maybe_delivered = true;
        self
    }

    /// The same error with `secret` redacted from every string it holds: the last sweep before it leaves.
    #[must_use]
    pub fn redacted(mut self, secret: &str) -> Self {
        for text in [&mut self.message]
            .into_iter()
            .chain(self.api_msg.as_mut())
            .chain(self.body.as_mut())
            .chain(self.location.as_mut())
        {
            *text = redact(text, secret);
        }
        if let Some(data) = self.data.as_mut() {
            data.redact(secret);
        }
        self
    }

    /// `INVALID_PARAMS` blaming `field`.
    pub fn invalid_params(field: &'static str, message: impl Into<String>) -> Self {
        Error::new(Code::InvalidParams, message).at(field)
    }

    /// `INVALID_OPTIONS` blaming `field`.
    pub fn invalid_options(field: &'static str, message: impl Into<String>) -> Self {
        Error::new(Code::InvalidOptions, message).at(field)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for Error {}
