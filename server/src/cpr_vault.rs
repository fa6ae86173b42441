//! CPR numbers at rest (SPEC C4, privacy): sealed with AES-256-GCM under the
//! key from `OMSORG_CPR_KEY`, and findable only by an exact number through a
//! keyed hash (HMAC-SHA256 with a key derived from the same secret). A copy
//! of the database shows neither numbers nor birth dates.
//!
//! Keys rotate: each sealed number is stored with its key's ID
//! (`cpr_key_id`); the previous keys (`OMSORG_CPR_KEY_PREVIOUS`) still open
//! what they sealed, and `rekey` re-seals it all under the current key, so
//! the previous ones can then be dropped.

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

/// One key: its cipher, its search key and its ID.
struct Key {
    cipher: Aes256Gcm,
    search_key: [u8; 32],
    /// A fingerprint (8 hex digits of an HMAC under the key): names the key
    /// beside every ciphertext without revealing anything of it.
    id: String,
}

impl Key {
    fn new(key: &[u8; 32]) -> Key {
        let derive = |label: &[u8]| -> [u8; 32] {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
            mac.update(label);
            mac.finalize().into_bytes().into()
        };
        let id = derive(b"omsorg cpr key id v1")[..4]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Key {
            cipher: Aes256Gcm::new(key.into()),
            search_key: derive(b"omsorg cpr search v1"),
            id,
        }
    }

    fn open(&self, sealed: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() <= NONCE_LEN {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        self.cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad })
            .ok()
    }

    fn search_key(&self, cpr: &Cpr) -> String {
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

/// The current key (everything is sealed under it) and the previous ones
/// (`OMSORG_CPR_KEY_PREVIOUS`), still opened until `rekey` has re-sealed
/// what they sealed.
pub struct CprVault {
    current: Key,
    previous: Vec<Key>,
}

impl CprVault {
    pub fn new(key: &[u8; 32]) -> CprVault {
        CprVault {
            current: Key::new(key),
            previous: Vec::new(),
        }
    }

    /// The same, also opening what `previous` keys sealed.
    pub fn with_previous(mut self, previous: &[[u8; 32]]) -> CprVault {
        self.previous = previous.iter().map(Key::new).collect();
        self
    }

    /// The ID of the key new ciphertexts are sealed under.
    pub fn key_id(&self) -> &str {
        &self.current.id
    }

    fn keys(&self) -> impl Iterator<Item = &Key> {
        std::iter::once(&self.current).chain(&self.previous)
    }

    /// Whether a ciphertext stamped with key `id` can be opened.
    pub fn knows(&self, id: &str) -> bool {
        self.keys().any(|k| k.id == id)
    }

    /// A fresh random nonce, then the ciphertext with its tag.
    fn seal_bytes(&self, msg: &[u8], aad: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .current
            .cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg, aad })
            .expect("AES-GCM encrypts any message of this size");
        [nonce.as_slice(), &sealed].concat()
    }

    /// The plaintext and the ID of the key that opens it.
    fn open_bytes(&self, sealed: &[u8], aad: &[u8]) -> Option<(Vec<u8>, &str)> {
        self.keys()
            .find_map(|k| k.open(sealed, aad).map(|plain| (plain, k.id.as_str())))
    }

    pub fn seal(&self, cpr: &Cpr) -> Vec<u8> {
        self.seal_bytes(cpr.expose_digits().as_bytes(), AAD)
    }

    /// `None` for anything not sealed by a known key (tampered, truncated, other key).
    pub fn open(&self, sealed: &[u8]) -> Option<Cpr> {
        let (plain, _) = self.open_bytes(sealed, AAD)?;
        Cpr::parse(std::str::from_utf8(&plain).ok()?).ok()
    }

    /// The ID of the known key a sealed CPR number was sealed under.
    pub fn key_id_of(&self, sealed: &[u8]) -> Option<String> {
        self.open_bytes(sealed, AAD).map(|(_, id)| id.to_string())
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
        self.open_bytes(sealed, RECEIPT_AAD).map(|(plain, _)| plain)
    }

    /// A receipt sealed under a previous key, sealed again under the
    /// current one; `None` when it is under the current key already (or
    /// opens under none).
    pub fn reseal_receipt(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        match self.open_bytes(sealed, RECEIPT_AAD) {
            Some((plain, id)) if id != self.current.id => Some(self.seal_receipt(&plain)),
            _ => None,
        }
    }

    /// The exact-number search key (hex) under the current key: equal
    /// numbers, equal keys.
    pub fn search_key(&self, cpr: &Cpr) -> String {
        self.current.search_key(cpr)
    }

    /// The number's search keys under every known key, current first: what
    /// a search matches while older rows still wait for `rekey`.
    pub fn search_keys(&self, cpr: &Cpr) -> Vec<String> {
        self.keys().map(|k| k.search_key(cpr)).collect()
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
    fn a_previous_key_opens_and_searches_what_it_sealed_and_only_that() {
        let (old, new) = (CprVault::new(&[7; 32]), CprVault::new(&[8; 32]));
        let sealed = old.seal(&cpr("010190-1234"));
        let rotating = CprVault::new(&[8; 32]).with_previous(&[[7; 32]]);
        assert_eq!(rotating.key_id(), new.key_id());
        assert_ne!(old.key_id(), new.key_id());
        assert_eq!(rotating.open(&sealed), Some(cpr("010190-1234")));
        assert_eq!(rotating.key_id_of(&sealed).as_deref(), Some(old.key_id()));
        assert!(rotating.knows(old.key_id()) && !new.knows(old.key_id()));
        assert_eq!(new.open(&sealed), None);
        assert_eq!(
            rotating.search_keys(&cpr("010190-1234")),
            [
                new.search_key(&cpr("010190-1234")),
                old.search_key(&cpr("010190-1234"))
            ]
        );
        let receipt = old.seal_receipt(b"{}");
        let again = rotating.reseal_receipt(&receipt).expect("re-sealed");
        assert_eq!(new.open_receipt(&again).as_deref(), Some(b"{}".as_slice()));
        assert_eq!(rotating.reseal_receipt(&again), None, "already current");
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
