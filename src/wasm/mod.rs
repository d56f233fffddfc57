//! The thin shell: reads JS values into core types, runs the exchange over `fetch`, and hands JS values back.
//! One file per platform concept, as in workers-rs.

mod api;
mod body;
mod call;
mod client;
mod config;
mod convert;
mod deadline;
mod error;
mod fetch;
mod output;
mod task;

/// A small free-list allocator instead of dlmalloc: the library allocates little and briefly.
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());
