//! The `hushdesk` binary: parse the command line and hand over to `cli`.
#![forbid(unsafe_code)]

use clap::Parser;

/// jemalloc rather than glibc's malloc: after a burst of large mails glibc kept most of the
/// peak for good. With its background purge thread, and serving SQLite's `malloc` too (the
/// crate's features in Cargo.toml), freed memory goes back within seconds (README, Performance).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    let args = hushdesk::cli::Args::parse();
    hushdesk::cli::run(args)
}
