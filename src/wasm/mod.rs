//! The thin shell: reads JS values into core types, runs the exchange over `fetch`, and hands JS values back.
//! One file per platform concept, as in workers-rs.

mod api;
mod client;
mod convert;
mod error;
mod exchange;
mod output;
mod response;
mod stop;
mod task;
mod timer;

/// A small free-list allocator instead of dlmalloc: the library allocates little and briefly.
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());
