//! Recall (撤回) a WeChat message through GeWe's `POST /message/revokeMsg`, from any JavaScript runtime.
//!
//! The crate is a functional core and a thin shell:
//! - [`core`](crate::core) is plain Rust with no JS types and no I/O: id parsing, validation, the request and
//!   response model, redaction, errors and the revoke-window and retry rules. It is tested natively with
//!   `cargo test` and fuzzed under `fuzz/`. It decides every step of a call ([`core::exchange`]).
//! - `wasm` (only on `wasm32`) turns JS values into core types and back and talks to the global `fetch`.
//! - `callbacks` (only on `wasm32` with the feature `callbacks`) is the shell of `gewe-revoke/callbacks`, a module
//!   of its own: a build with the feature compiles the core and that shell alone, so revoke-only users never load it.

pub mod core;

#[cfg(all(target_arch = "wasm32", feature = "callbacks"))]
mod callbacks;
#[cfg(all(target_arch = "wasm32", not(feature = "callbacks")))]
mod wasm;
