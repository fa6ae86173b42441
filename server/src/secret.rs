//! Random tokens and the hashes we keep of them: a device credential, a
//! shared-session token and an enrollment code are stored only as SHA-256, so
//! a copy of the database opens nothing.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// `bytes` random bytes as URL-safe base64 (no padding).
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

pub fn sha256_hex(value: &str) -> String {
    sha256_hex_bytes(value.as_bytes())
}

pub fn sha256_hex_bytes(value: &[u8]) -> String {
    Sha256::digest(value)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Unambiguous when read aloud or typed with gloves: no 0/O, 1/I/L.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// An enrollment code such as `K7QM-3XTA` (40 bits).
pub fn enrollment_code() -> String {
    let mut raw = [0u8; 8];
    OsRng.fill_bytes(&mut raw);
    let chars: String = raw
        .iter()
        .map(|b| CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()] as char)
        .collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

/// A substitute's one-time initial password: 12 characters from the same
/// unambiguous alphabet (rejection-sampled, so every character is equally
/// likely), in three groups to read aloud, e.g. `K7QM-2XZP-H4RT`.
pub fn initial_password() -> String {
    let limit = 256 - 256 % CODE_ALPHABET.len();
    let mut chars = Vec::with_capacity(12);
    while chars.len() < 12 {
        let mut b = [0u8; 1];
        OsRng.fill_bytes(&mut b);
        if usize::from(b[0]) < limit {
            chars.push(CODE_ALPHABET[usize::from(b[0]) % CODE_ALPHABET.len()] as char);
        }
    }
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A user ID as typed, keyed with the server's pepper: counts wrong answers
/// for user IDs that exist and ones that do not alike, without storing them.
pub fn user_key(pepper: &[u8], user_id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(pepper).expect("any key length");
    mac.update(user_id.trim().to_lowercase().as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unambiguous_and_typing_variants_normalize_alike() {
        for _ in 0..200 {
            let code = enrollment_code();
            assert_eq!(code.len(), 9);
            assert!(!code.contains(['0', 'O', '1', 'I', 'L']), "{code}");
            let lower = code.to_lowercase().replace('-', " ");
            let stored = omsorg_core::enrollment::normalize(&code);
            assert!(stored.is_some(), "{code}");
            assert_eq!(omsorg_core::enrollment::normalize(&lower), stored);
        }
        assert_ne!(random_token(32), random_token(32));
        assert_eq!(sha256_hex("abc").len(), 64);
        assert_eq!(user_key(b"p", " Carl "), user_key(b"p", "carl"));
        assert_ne!(user_key(b"p", "carl"), user_key(b"q", "carl"));
    }
}
