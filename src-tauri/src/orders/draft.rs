//! The wizard's draft, kept sealed with AES-256-GCM in the app's store
//! (`drafts`), its key in the keystore (`draft-key`): the lock, a crash or a
//! restart loses nothing, and the store never holds a CPR number in the clear.

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use omsorg_core::api::NewSubstituteAccess;
use omsorg_core::bridge::OrderDraft;
use omsorg_core::ErrorCode;
use serde::{Deserialize, Serialize};

use crate::error::CommandError;
use crate::secrets::SecretStore;
use crate::Shell;

/// The keystore entry holding the drafts' AES-256 key (base64).
pub const DRAFT_KEY: &str = "draft-key";
/// The store's draft slot for the order being filled in.
pub(super) const ORDER: &str = "substitute-order";

/// What is kept: the wizard, and once sent, the exact request and its key,
/// so a retry (after a lost answer, a crash or the lock) replays it.
#[derive(Clone, Default, Serialize, Deserialize)]
pub(super) struct Kept {
    pub(super) draft: OrderDraft,
    pub(super) pending: Option<Pending>,
}

#[derive(Clone, Serialize, Deserialize)]
pub(super) struct Pending {
    pub(super) key: String,
    /// The draft the request was made from: another draft is another order.
    pub(super) from: OrderDraft,
    pub(super) body: NewSubstituteAccess,
}

pub(super) fn failed(what: &str) -> CommandError {
    CommandError::new(ErrorCode::Internal, what)
}

fn cipher(secrets: &dyn SecretStore) -> Result<Aes256Gcm, CommandError> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = match secrets.get(DRAFT_KEY)? {
        Some(k) => b64
            .decode(k)
            .map_err(|_| failed("the draft key is unreadable"))?,
        None => {
            let k = Aes256Gcm::generate_key(OsRng).to_vec();
            secrets.set(DRAFT_KEY, &b64.encode(&k))?;
            k
        }
    };
    if key.len() != 32 {
        return Err(failed("the draft key is unreadable"));
    }
    Ok(Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)))
}

pub(super) fn keep(shell: &Shell, kept: &Kept) -> Result<(), CommandError> {
    let cipher = cipher(shell.sessions.secrets())?;
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let json = serde_json::to_vec(kept).expect("json");
    let mut sealed = nonce.to_vec();
    sealed.extend(
        cipher
            .encrypt(&nonce, json.as_slice())
            .map_err(|_| failed("sealing the draft"))?,
    );
    shell.store.set_draft(ORDER, Some(&sealed))?;
    Ok(())
}

/// The kept order, if any. One that no longer opens (its key was lost with
/// the keystore) is dropped: it cannot be read by anyone.
pub(super) fn kept(shell: &Shell) -> Result<Option<Kept>, CommandError> {
    let Some(sealed) = shell.store.draft(ORDER)? else {
        return Ok(None);
    };
    let opened = (sealed.len() > 12)
        .then(|| {
            let cipher = cipher(shell.sessions.secrets()).ok()?;
            let (nonce, body) = sealed.split_at(12);
            cipher.decrypt(Nonce::from_slice(nonce), body).ok()
        })
        .flatten()
        .and_then(|json| serde_json::from_slice::<Kept>(&json).ok());
    if opened.is_none() {
        tracing::warn!("a kept order draft does not open; dropped");
        shell.store.set_draft(ORDER, None)?;
    }
    Ok(opened)
}

pub fn load_draft(shell: &Shell) -> Result<Option<OrderDraft>, CommandError> {
    Ok(kept(shell)?.map(|k| k.draft))
}

/// Held from reading the kept order to keeping its next version: two
/// commands changing it at once would otherwise each write over the other.
pub(super) fn changing() -> std::sync::MutexGuard<'static, ()> {
    static CHANGING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    CHANGING.lock().unwrap_or_else(|p| p.into_inner())
}

/// Keeps the wizard as it is now, unless a later change of it is kept
/// already (`OrderDraft::revision`: an older save that arrives last is not
/// kept); an order already sent stays pending with it (so a retry of the
/// same order replays).
pub fn save_draft(shell: &Shell, draft: OrderDraft) -> Result<(), CommandError> {
    let _changing = changing();
    let kept = kept(shell)?;
    if kept
        .as_ref()
        .is_some_and(|k| k.draft.revision > draft.revision)
    {
        tracing::debug!("a draft older than the kept one arrived late; not kept");
        return Ok(());
    }
    let pending = kept.and_then(|k| k.pending);
    keep(shell, &Kept { draft, pending })
}

pub fn discard_draft(shell: &Shell) -> Result<(), CommandError> {
    shell.store.set_draft(ORDER, None)?;
    Ok(())
}
