//! `ferry`: Ferry's engine from a terminal or a script.
//!
//! Glue only, in ripgrep's manner: parse the flags, call [`commands::run`], print the error
//! (masked: it may echo a location) and exit with a code a script can act on:
//!
//! - 0 — success
//! - 1 — verification failed (the target differs; nothing was committed)
//! - 2 — bad input or usage (clap's errors included), blocking preflight findings, or
//!   `migrate` without `--yes` when stdin is not a terminal
//! - 3 — connection or runtime error
//! - 4 — cancelled (Ctrl-C, or the confirmation was declined); nothing was committed
//!
//! The same list is shown after `ferry --help` ([`exit::EXIT_CODES_HELP`]).

mod args;
mod commands;
mod confirm;
mod exit;
mod interrupt;
mod output;
mod progress_bars;
mod render;

use clap::Parser;
use ferry_engine::location::mask_secrets;
use ferry_engine::Cancel;

/// mimalloc for Rust's allocations (SQLite keeps the C library's): `support::memory` says why.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    ferry_engine::support::memory::limit_allocator_arenas();
    // Clap prints help and version with exit 0 and usage errors with exit 2; a usage error
    // may quote a location the user typed, so it is masked like every other message.
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let text = mask_secrets(&err.render().to_string());
            if err.use_stderr() {
                eprint!("{text}");
            } else {
                print!("{text}");
            }
            std::process::exit(err.exit_code());
        }
    };
    output::set_quiet(cli.quiet);
    let cancel = Cancel::new();
    interrupt::install(&cancel, cli.command.is_cancellable());
    let code = match commands::run(&cli.command, &cancel) {
        Ok(code) => code,
        Err(err) => {
            render::to_stderr(&format!(
                "ferry: {}",
                mask_secrets(&render::options::words(&err))
            ));
            exit::Code::for_kind(err.kind())
        }
    };
    std::process::exit(code.as_i32());
}
