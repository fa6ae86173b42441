//! CPR numbers at rest (SPEC C4, privacy): sealed with AES-256-GCM under the
//! key from `OMSORG_CPR_KEY`, and findable only by an exact number through a
//! keyed hash (HMAC-SHA256 with a key derived from the same secret). A copy
//! of the database shows neither numbers nor birth dates.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use hmac::{Hmac, Mac};
use omsorg_core::cpr::Cpr;
use sha2::Sha256;

/// Bound into every ciphertext: a sealed CPR number opens only as one, and
/// a sealed receipt only as a receipt.
const AAD: &[u8] = b"omsorg cpr v1";
const RECEIPT_AAD: &[u8] = b"omsorg receipt v1";
const NONCE_LEN: usize = 12;

pub struct CprVault {
    cipher: Aes256Gcm,
    search_key: [u8; 32],
}

impl CprVault {
    pub fn new(key: &[u8; 32]) -> CprVault {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
        mac.update(b"omsorg cpr search v1");
        let search_key: [u8; 32] = mac.finalize().into_bytes().into();
        CprVault {
            cipher: Aes256Gcm::new(key.into()),
            search_key,
        }
    }

    /// A fresh random nonce, then the ciphertext with its tag.
    fn seal_bytes(&self, msg: &[u8], aad: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg, aad })
            .expect("AES-GCM encrypts any message of this size");
        [nonce.as_slice(), &sealed].concat()
    }

    fn open_bytes(&self, sealed: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() <= NONCE_LEN {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        self.cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad })
            .ok()
    }

    pub fn seal(&self, cpr: &Cpr) -> Vec<u8> {
        self.seal_bytes(cpr.expose_digits().as_bytes(), AAD)
    }

    /// `None` for anything not sealed by this key (tampered, truncated, other key).
    pub fn open(&self, sealed: &[u8]) -> Option<Cpr> {
        let plain = self.open_bytes(sealed, AAD)?;
        Cpr::parse(std::str::from_utf8(&plain).ok()?).ok()
    }

    /// The masked number (`DDMMYY-XXXX`) of a sealed one, for answers; a
    /// sealed value that does not open shows as `??????-XXXX`.
    pub fn masked(&self, sealed: &[u8]) -> String {
        self.open(sealed)
            .map(|c| c.masked())
            .unwrap_or_else(|| "??????-XXXX".into())
    }

    /// An order's receipt (it holds the one-time password), kept for replays.
    pub fn seal_receipt(&self, json: &[u8]) -> Vec<u8> {
        self.seal_bytes(json, RECEIPT_AAD)
    }

    pub fn open_receipt(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        self.open_bytes(sealed, RECEIPT_AAD)
    }

    /// The exact-number search key (hex): equal numbers, equal keys.
    pub fn search_key(&self, cpr: &Cpr) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.search_key).expect("any key length");
        mac.update(cpr.expose_digits().as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// `OMSORG_CPR_KEY`: 64 hex digits (32 bytes).
pub fn parse_key(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim();
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpr(s: &str) -> Cpr {
        Cpr::parse(s).unwrap()
    }

    #[test]
    fn sealed_numbers_open_only_with_their_key_and_untouched() {
        let vault = CprVault::new(&[7; 32]);
        let number = cpr("010190-1234");
        let a = vault.seal(&number);
        let b = vault.seal(&number);
        assert_ne!(a, b, "a fresh nonce each time");
        assert_eq!(vault.open(&a), Some(number.clone()));
        let digits = number.expose_digits();
        assert!(
            !a.windows(6).any(|w| w == &digits.as_bytes()[..6]),
            "no digits in the clear"
        );
        let mut tampered = a.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(vault.open(&tampered), None);
        assert_eq!(vault.open(&a[..NONCE_LEN]), None);
        assert_eq!(CprVault::new(&[8; 32]).open(&a), None, "another key");
        let receipt = vault.seal_receipt(b"{}");
        assert_eq!(
            vault.open_receipt(&receipt).as_deref(),
            Some(b"{}".as_slice())
        );
        assert_eq!(vault.open(&receipt), None, "a receipt is no CPR number");
        assert_eq!(vault.open_receipt(&a), None, "nor the other way round");
    }

    #[test]
    fn search_keys_match_exact_numbers_only_and_depend_on_the_key() {
        let vault = CprVault::new(&[7; 32]);
        let k = vault.search_key(&cpr("010190-1234"));
        assert_eq!(
            k,
            vault.search_key(&cpr("0101901234")),
            "however it was typed"
        );
        assert_ne!(k, vault.search_key(&cpr("010190-1235")));
        assert_ne!(k, CprVault::new(&[8; 32]).search_key(&cpr("010190-1234")));
        assert_eq!(k.len(), 64);
    }

    #[test]
    fn keys_are_64_hex_digits() {
        let hex = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";
        let key = parse_key(hex).unwrap();
        assert_eq!((key[0], key[15], key[31]), (0x00, 0xff, 0xff));
        for bad in [
            "",
            "00",
            &hex[..63],
            &format!("{hex}0"),
            &hex.replace('0', "g"),
        ] {
            assert_eq!(parse_key(bad), None, "{bad}");
        }
    }
}
