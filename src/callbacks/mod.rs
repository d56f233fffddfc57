//! The shell of `gewe-revoke/callbacks`: `parseCallback` over the core's callback reader, built as a .wasm of its
//! own (the feature `callbacks`, scripts/build-callbacks.sh) so that users who only revoke never load it.

mod error;
mod parse;

/// The same small free-list allocator as the revoke shell: a parse allocates little and briefly.
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());
