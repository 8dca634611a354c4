//! Passwords and API tokens: how they are made and checked. Passwords are kept only as
//! argon2id hashes (PHC strings, salt and parameters included); a bearer token is high-
//! entropy random, so it is kept as its SHA-256, which is enough to look it up and
//! useless to whoever reads the database.

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use hearth_domain::access::UserName;
use hearth_store::ApiToken;
use jiff::Timestamp;
use sha2::{Digest, Sha256};

/// The shortest password Hearth accepts (NCSC: length over complexity).
pub const MIN_PASSWORD_CHARS: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("a password must be at least {MIN_PASSWORD_CHARS} characters long")]
    PasswordTooShort,
    #[error("the password could not be hashed: {0}")]
    Hash(argon2::password_hash::Error),
}

/// The argon2id hash of `password`, with a fresh random salt. Slow on purpose: call it
/// off the async threads.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AuthError::PasswordTooShort);
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(AuthError::Hash)
}

/// Whether `password` is the one `stored` was made from. A stored value that is not a
/// valid hash matches nothing.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// A new token: what to give the partner system once, and what to store.
pub struct NewToken {
    pub token: String,
    pub stored: ApiToken,
}

/// A token for `user`: `hearth_LABEL_SECRET`, where the label (public, for listing and
/// revoking) and the 256-bit secret are random.
pub fn new_token(user: &UserName, now: Timestamp) -> NewToken {
    let label = format!("tok-{}", hex(&random_bytes::<4>()));
    let token = format!("hearth_{label}_{}", hex(&random_bytes::<32>()));
    NewToken {
        stored: ApiToken {
            token_hash: token_hash(&token),
            label,
            user: user.clone(),
            created_at: now,
        },
        token,
    }
}

/// What the store keeps of a token, and looks it up by.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// `N` random bytes as lowercase hex: session ids and CSRF tokens.
pub(crate) fn random_hex<const N: usize>() -> String {
    hex(&random_bytes::<N>())
}

/// A valid argon2id hash of a random password, made once: checked against when the
/// user name is unknown, so that a sign-in takes as long whether the name exists or not.
pub(crate) fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&random_hex::<16>()).unwrap_or_default())
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0; N];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("correct horse"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("correct horse battery", "not a hash"));
        // A fresh salt each time.
        assert_ne!(hash, hash_password("correct horse battery").unwrap());
    }

    #[test]
    fn a_short_password_is_refused() {
        assert!(matches!(
            hash_password("elevenchars"),
            Err(AuthError::PasswordTooShort)
        ));
        assert!(hash_password("twelve chars").is_ok());
    }

    #[test]
    fn tokens_are_random_and_stored_only_as_their_hash() {
        let user = UserName::parse("partner.police").unwrap();
        let now: Timestamp = "2024-06-01T12:00:00Z".parse().unwrap();
        let a = new_token(&user, now);
        let b = new_token(&user, now);
        assert_ne!(a.token, b.token);
        assert!(a.token.starts_with(&format!("hearth_{}_", a.stored.label)));
        assert_eq!(a.token.len(), "hearth_tok-12345678_".len() + 64);
        assert_eq!(a.stored.token_hash, token_hash(&a.token));
        assert_eq!(a.stored.token_hash.len(), 64);
        assert!(!a.stored.token_hash.contains(&a.token));
        // SHA-256 of "abc", as FIPS 180-2 gives it.
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
