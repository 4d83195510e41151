//! The `hushdesk` binary: parse the command line and hand over to `cli`.
#![forbid(unsafe_code)]

use clap::Parser;

/// mimalloc rather than glibc's malloc: after a burst of large mails glibc kept the peak
/// (472 of 626 MiB in the debug build) in its per-thread arenas for good; mimalloc returns
/// freed pages to the system (README, Performance).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    let args = hushdesk::cli::Args::parse();
    hushdesk::cli::run(args)
}
