//! Inputs of the wrong JS shape, which only the shell can see (an object that is not one, a `fetch` that is not a
//! function): their errors are written here, with every other message of the library.

use super::Error;

/// `params` is not an object.
pub fn params_not_object() -> Error {
    Error::invalid_params("params", "params must be an object with the message's ids.")
}

/// `revokeMany` was not given an array.
pub fn list_not_array() -> Error {
    Error::invalid_params("list", "revokeMany takes an array of revoke params.")
}

/// An item of `revokeMany`'s list threw when read.
pub fn item_unreadable() -> Error {
    Error::invalid_params("params", "This item could not be read.")
}

/// `parseSendReceipt` was not given a string.
pub fn receipt_not_text() -> Error {
    Error::invalid_params(
        "text",
        "parseSendReceipt takes the raw response text (await response.text()), not a parsed object: \
         JSON.parse has already rounded newMsgId.",
    )
}

/// The options of `revokeMsg` or a client are not an object.
pub fn options_not_object() -> Error {
    Error::invalid_options("options", "options must be an object holding at least the token.")
}

/// The per-call options are not an object.
pub fn call_options_not_object() -> Error {
    Error::invalid_options("options", "options must be an object.")
}

/// `fetch` is not a function.
pub fn fetch_not_function() -> Error {
    Error::invalid_options("fetch", "fetch must be a function.")
}

/// The platform's URL parser refused `baseUrl`.
pub fn base_url_refused() -> Error {
    Error::invalid_options(
        "baseUrl",
        "baseUrl is not a URL this platform accepts; check its host and port.",
    )
}

/// The platform's `Request` refused the URL.
pub fn base_url_refused_for_request() -> Error {
    Error::invalid_options(
        "baseUrl",
        "baseUrl is not a URL this platform accepts for a request.",
    )
}

/// Reading `signal` threw.
pub fn signal_unreadable() -> Error {
    Error::invalid_options("signal", "signal could not be read.")
}

/// `signal` is not an `AbortSignal`.
pub fn signal_not_abort_signal() -> Error {
    Error::invalid_options("signal", "signal must be an AbortSignal.")
}

/// `concurrency` is 0.
pub fn concurrency_zero() -> Error {
    Error::invalid_options("concurrency", "concurrency must be at least 1.")
}
