//! A secret that must never be printed, logged, serialized or written: Promote's temporary
//! admin password (DESIGN.md, contract 7).
//!
//! [`SecretString`] redacts itself in `Debug` and `Display`, implements neither `Clone` nor
//! `Serialize`, and hands its text out only through the explicit [`SecretString::expose`], so
//! every place that reveals it is a visible call a reviewer can find with grep. Its bytes are
//! overwritten when it is dropped.

use std::fmt;

pub struct SecretString(String);

impl SecretString {
    pub fn new(text: String) -> SecretString {
        SecretString(text)
    }

    /// The secret's text. Call only where it is hashed, verified or shown to the person once.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(<redacted>)")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Drop for SecretString {
    fn drop(&mut self) {
        // Not a guarantee against every copy the allocator made, but the buffer this type
        // owned does not outlive it with the password in it.
        let mut bytes = std::mem::take(&mut self.0).into_bytes();
        for b in bytes.iter_mut() {
            *b = 0;
        }
        // black_box keeps the optimiser from dropping the writes to a buffer about to be freed.
        std::hint::black_box(&bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact() {
        let s = SecretString::new("hunter2-very-secret".into());
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(!format!("{s}").contains("hunter2"));
        assert!(!format!("{:?}", Some(&s)).contains("hunter2"));
        assert_eq!(s.expose(), "hunter2-very-secret");
    }
}
