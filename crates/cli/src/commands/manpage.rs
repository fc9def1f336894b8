//! `ferry manpage [--out-dir DIR]` (hidden): the manual pages, generated from the clap
//! definitions at packaging time (scripts/package.sh) rather than written by hand, so `man
//! ferry-migrate` lists exactly the flags `ferry migrate --help` does.

use clap::CommandFactory;
use ferry_engine::Error;

use crate::args::{Cli, ManpageArgs};
use crate::exit::Code;
use crate::render;

/// # Errors
/// Writing stdout or the folder.
pub fn run(args: &ManpageArgs) -> Result<Code, Error> {
    let cmd = Cli::command();
    match &args.out_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .and_then(|()| clap_mangen::generate_to(cmd, dir))
                .map_err(|e| {
                    ferry_engine::error::io_error("cannot write the manual pages", dir, e)
                })?;
        }
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut page)
                .map_err(|e| Error::runtime(format!("cannot render the manual page: {e}")))?;
            render::to_stdout(&String::from_utf8_lossy(&page))?;
        }
    }
    Ok(Code::Success)
}
