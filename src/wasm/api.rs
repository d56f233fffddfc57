//! The package's functions: `revokeMsg`, `buildRevokeRequest`, `parseSendReceipt`, `normalizeRevokeParams`.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use web_sys::Request;

use super::call::revoke;
use super::client::{validated, validated_params};
use super::config::{signal_of, Config};
use super::output::{params as canonical, receipt, success};
use super::task::promise;
use crate::core::{receipt as send_receipt, shape};

/// Revokes one message; rejects with `GeweError` unless GeWe answered `ret: 200`.
#[wasm_bindgen(js_name = revokeMsg)]
pub fn revoke_msg(params: JsValue, options: JsValue) -> Promise {
    promise(async move {
        let config = Config::read(&options)?;
        let signal = signal_of(&options)?;
        let params = validated(&config, &params)?;
        let timeout = config.options.timeout_ms;
        revoke(&config, &params, signal.as_ref(), timeout)
            .await
            .map(|ok| success(&ok))
    })
}

/// Exactly the `Request` `revokeMsg` sends; throws `GeweError` synchronously on bad input.
#[wasm_bindgen(js_name = buildRevokeRequest)]
pub fn build_revoke_request(params: JsValue, options: JsValue) -> Result<Request, JsValue> {
    let config = Config::read(&options)?;
    config.request(&validated(&config, &params)?)
}

/// Reads `{ toWxid, msgId, newMsgId, createTime, type? }` from a send response's raw text, ids exact.
#[wasm_bindgen(js_name = parseSendReceipt)]
pub fn parse_send_receipt(text: JsValue) -> Result<JsValue, JsValue> {
    let Some(text) = text.as_string() else {
        return Err(shape::receipt_not_text().into());
    };
    Ok(receipt(&send_receipt::parse(&text)?))
}

/// The revoke params exactly as a request would carry them (names trimmed, ids as canonical decimal strings); throws
/// `GeweError` synchronously on bad params. No token, no window check: for code that stores or compares revokes.
#[wasm_bindgen(js_name = normalizeRevokeParams)]
pub fn normalize_revoke_params(params: JsValue) -> Result<JsValue, JsValue> {
    Ok(canonical(&validated_params(&params, None)?))
}
