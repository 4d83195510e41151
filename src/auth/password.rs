//! Agent passwords: argon2id hashes in PHC form, and the one-time initial password.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::crypto::{RandomError, os_random};

/// Shortest password an agent may choose.
pub const MIN_PASSWORD_CHARS: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("passwords must be at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("hashing the password failed")]
    Hash,
}

/// Hashes a password with argon2id and a fresh salt.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|_| PasswordError::Hash)
}

/// Whether `password` matches the stored hash. A malformed hash never matches.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// Spends the same work as a real check, for sign-ins naming an agent that does not exist,
/// so response time does not tell which names are real.
pub fn verify_against_nothing(password: &str) {
    // Hashed once per process from a random string nobody knows.
    static DUMMY: std::sync::LazyLock<Option<String>> = std::sync::LazyLock::new(|| {
        generate_initial_password()
            .ok()
            .and_then(|p| hash_password(&p).ok())
    });
    if let Some(dummy) = DUMMY.as_deref() {
        let _ = verify_password(password, dummy);
    }
}

/// A random initial password: 24 characters from an unambiguous alphabet (120 bits).
pub fn generate_initial_password() -> Result<String, RandomError> {
    const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let bytes = os_random::<24>()?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b % 32)] as char)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("correct horse battery", "not a hash"));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(matches!(
            hash_password("short"),
            Err(PasswordError::TooShort)
        ));
    }

    #[test]
    fn initial_passwords_are_long_and_distinct() {
        let a = generate_initial_password().unwrap();
        assert_eq!(a.len(), 24);
        assert_ne!(a, generate_initial_password().unwrap());
        assert!(hash_password(&a).is_ok());
    }
}
