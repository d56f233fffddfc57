//! The thin shell: reads JS values into core types, runs the exchange over `fetch`, and hands JS values back.
//! One file per platform concept, as in workers-rs.

mod api;
mod client;
mod convert;
mod error;
mod exchange;
mod timer;
