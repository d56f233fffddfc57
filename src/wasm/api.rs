//! The package's functions: `revokeMsg`, `buildRevokeRequest`, `parseSendReceipt`.

use wasm_bindgen::prelude::*;
use web_sys::Request;

use super::client::revoke_value;
use super::convert::{bag, receipt};
use super::error::js;
use super::exchange::{build_request, signal_of, Config};
use crate::core::params::RevokeParams;
use crate::core::{receipt as send_receipt, request, Error};

/// Revokes one message; rejects with `GeweError` unless GeWe answered `ret: 200`.
#[wasm_bindgen(js_name = revokeMsg)]
pub async fn revoke_msg(params: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let config = Config::read(&options)?;
    let signal = signal_of(bag(&options))?;
    let timeout = config.options.timeout_ms;
    revoke_value(&config, &params, signal, timeout).await
}

/// Exactly the `Request` `revokeMsg` sends; throws `GeweError` synchronously on bad input.
#[wasm_bindgen(js_name = buildRevokeRequest)]
pub fn build_revoke_request(params: JsValue, options: JsValue) -> Result<Request, JsValue> {
    let config = Config::read(&options)?;
    let bag = bag(&params).ok_or_else(|| {
        js(Error::invalid_params(
            "params",
            "params must be an object with the message's ids.",
        ))
    })?;
    let params = RevokeParams::validate(&bag.params(), config.options.app_id.as_deref()).map_err(js)?;
    build_request(&config.options, &request::body(&params))
}

/// Reads `{ toWxid, msgId, newMsgId, createTime, type? }` from a send response's raw text, ids exact.
#[wasm_bindgen(js_name = parseSendReceipt)]
pub fn parse_send_receipt(text: JsValue) -> Result<JsValue, JsValue> {
    let Some(text) = text.as_string() else {
        return Err(js(Error::invalid_params(
            "text",
            "parseSendReceipt takes the raw response text (await response.text()), not a parsed object: \
             JSON.parse has already rounded newMsgId.",
        )));
    };
    send_receipt::parse(&text).map(|r| receipt(&r)).map_err(js)
}
