//! The `hushdesk` binary: parse the command line and hand over to `cli`.
#![forbid(unsafe_code)]

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = hushdesk::cli::Args::parse();
    hushdesk::cli::run(args)
}
