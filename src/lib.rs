//! Recall (撤回) a WeChat message through GeWe's `POST /message/revokeMsg`, from any JavaScript runtime.
//!
//! The crate is a functional core and a thin shell:
//! - [`core`](crate::core) is plain Rust with no JS types and no I/O: id parsing, validation, the request and
//!   response model, redaction, errors and the revoke-window and retry rules. It is tested natively with
//!   `cargo test` and fuzzed under `fuzz/`. It decides every step of a call ([`core::exchange`]).
//! - `wasm` (only on `wasm32`) turns JS values into core types and back and talks to the global `fetch`.

pub mod core;

#[cfg(target_arch = "wasm32")]
mod wasm;
