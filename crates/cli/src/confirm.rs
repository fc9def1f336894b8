//! Asking "Proceed? [y/N]" before anything is written.
//!
//! Only a person at a terminal can answer: when stdin is not a terminal, the caller must have
//! passed `--yes`, otherwise the run is refused (a script that forgot `--yes` should fail
//! loudly, not hang or write because a pipe happened to contain a "y").

use std::io::{BufRead, IsTerminal, Write};

use crate::interrupt;

/// Whether a person can be asked.
pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// Asks on stderr (stdout may be carrying JSON) and reads one line from stdin. Anything but
/// `y`/`yes` is a no, and so is end of input. Ctrl-C while waiting exits at once (code 4):
/// nothing has been written yet.
///
/// # Errors
/// I/O errors reading the terminal.
pub fn ask(question: &str) -> std::io::Result<bool> {
    let mut stderr = std::io::stderr().lock();
    write!(stderr, "{question} [y/N] ")?;
    stderr.flush()?;
    drop(stderr);
    let _guard = interrupt::at_prompt();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(is_yes(&line))
}

fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_yes_means_yes() {
        for (answer, yes) in [
            ("y\n", true),
            ("YES\n", true),
            (" yes ", true),
            ("\n", false),
            ("n\n", false),
            ("", false),
            ("yep\n", false),
        ] {
            assert_eq!(super::is_yes(answer), yes, "{answer:?}");
        }
    }
}
