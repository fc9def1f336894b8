//! The admin's temporary password: generated from the OS CSPRNG, stored only as a hash.
//!
//! 24 random bytes (192 bits, above the 128 DESIGN.md asks for) from `getrandom` — the
//! operating system's generator, never a userspace PRNG — written as URL-safe base64 without
//! padding (32 characters of `A–Z a–z 0–9 - _`), so it survives copy and paste, shells and
//! URLs. Hashes: bcrypt with cost 12 in the `$2b$` form (what passlib, Django, Rails and most
//! frameworks verify), or argon2id (PHC string `$argon2id$v=19$…`, the argon2 crate's
//! defaults: m=19456 KiB, t=2, p=1, the OWASP baseline) with a 16-byte OS-random salt.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;

use crate::model::options::HashScheme;
use crate::model::secret::SecretString;
use crate::{Error, Result};

/// Random bytes in a generated password.
pub const PASSWORD_BYTES: usize = 24;
/// bcrypt's work factor.
pub const BCRYPT_COST: u32 = 12;

fn os_random(buf: &mut [u8]) -> Result<()> {
    getrandom::getrandom(buf).map_err(|e| {
        Error::runtime(format!(
            "the operating system's random number generator failed: {e}"
        ))
    })
}

/// A fresh temporary password.
///
/// # Errors
/// When the OS random generator is unavailable (nothing is ever generated without it).
pub fn generate() -> Result<SecretString> {
    let mut bytes = [0u8; PASSWORD_BYTES];
    os_random(&mut bytes)?;
    let text = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    bytes.fill(0);
    Ok(SecretString::new(text))
}

/// The stored form of `password`.
///
/// # Errors
/// Hashing failures (never the password itself in the message).
pub fn hash(password: &SecretString, scheme: HashScheme) -> Result<String> {
    match scheme {
        HashScheme::Bcrypt => bcrypt::hash_with_result(password.expose(), BCRYPT_COST)
            .map(|h| h.format_for_version(bcrypt::Version::TwoB))
            .map_err(|e| Error::runtime(format!("bcrypt hashing failed: {e}"))),
        HashScheme::Argon2id => {
            let mut salt = [0u8; 16];
            os_random(&mut salt)?;
            let salt = SaltString::encode_b64(&salt)
                .map_err(|e| Error::runtime(format!("argon2 salt: {e}")))?;
            argon2::Argon2::default()
                .hash_password(password.expose().as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| Error::runtime(format!("argon2id hashing failed: {e}")))
        }
    }
}

/// Whether `stored` is a hash of `password` in the expected scheme (and form: `$2b$12$`,
/// `$argon2id$`).
pub fn verifies(password: &SecretString, stored: &str, scheme: HashScheme) -> bool {
    match scheme {
        HashScheme::Bcrypt => {
            stored.starts_with(&format!("$2b${BCRYPT_COST}$"))
                && bcrypt::verify(password.expose(), stored).unwrap_or(false)
        }
        HashScheme::Argon2id => {
            stored.starts_with("$argon2id$")
                && PasswordHash::new(stored).is_ok_and(|h| {
                    argon2::Argon2::default()
                        .verify_password(password.expose().as_bytes(), &h)
                        .is_ok()
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_long_url_safe_and_different() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.expose().len(), 32, "24 bytes of base64 without padding");
        assert!(a
            .expose()
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }

    #[test]
    fn bcrypt_is_2b_cost_12_and_verifies() {
        let pw = generate().unwrap();
        let stored = hash(&pw, HashScheme::Bcrypt).unwrap();
        assert!(stored.starts_with("$2b$12$"), "{stored}");
        assert!(!stored.contains(pw.expose()));
        assert!(verifies(&pw, &stored, HashScheme::Bcrypt));
        let other = generate().unwrap();
        assert!(!verifies(&other, &stored, HashScheme::Bcrypt));
        assert!(!verifies(&pw, &stored, HashScheme::Argon2id));
    }

    #[test]
    fn argon2id_verifies() {
        let pw = generate().unwrap();
        let stored = hash(&pw, HashScheme::Argon2id).unwrap();
        assert!(stored.starts_with("$argon2id$v=19$"), "{stored}");
        assert!(verifies(&pw, &stored, HashScheme::Argon2id));
        assert!(!verifies(
            &generate().unwrap(),
            &stored,
            HashScheme::Argon2id
        ));
    }
}
