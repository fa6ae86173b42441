//! The substitute-access wizard's shell side (SPEC C4): the draft kept
//! sealed so it survives the lock and a crash, the order sent with one
//! idempotency key however often it is retried, and the orderer's and
//! administrator's calls. The web view never sees a token; the CPR number it
//! typed is sent on through here and stored only sealed.

use std::time::Duration;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use chrono::{Local, Utc};
use omsorg_core::api::{NewSubstituteAccess, SubstituteAccessReceipt};
use omsorg_core::bridge::{OrderDraft, SavedPdf};
use omsorg_core::cpr::Cpr;
use omsorg_core::ErrorCode;
use serde::{Deserialize, Serialize};

use crate::api_client::Auth;
use crate::error::CommandError;
use crate::secrets::SecretStore;
use crate::Shell;

/// The keystore entry holding the drafts' AES-256 key (base64).
pub const DRAFT_KEY: &str = "draft-key";
const ORDER: &str = "substitute-order";
/// Waits before the 2nd, 3rd and 4th attempt of an order that got no answer.
#[cfg(test)]
const RETRY_WAITS: [Duration; 3] = [Duration::from_millis(1); 3];
#[cfg(not(test))]
const RETRY_WAITS: [Duration; 3] = [
    Duration::from_millis(500),
    Duration::from_secs(2),
    Duration::from_secs(4),
];

/// What is kept: the wizard, and once sent, the exact request and its key,
/// so a retry (after a lost answer, a crash or the lock) replays it.
#[derive(Clone, Default, Serialize, Deserialize)]
struct Kept {
    draft: OrderDraft,
    pending: Option<Pending>,
}

#[derive(Clone, Serialize, Deserialize)]
struct Pending {
    key: String,
    /// The draft the request was made from: another draft is another order.
    from: OrderDraft,
    body: NewSubstituteAccess,
}

fn failed(what: &str) -> CommandError {
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

fn keep(shell: &Shell, kept: &Kept) -> Result<(), CommandError> {
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
fn kept(shell: &Shell) -> Result<Option<Kept>, CommandError> {
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

/// The person's credential for ordering: their KOMBIT login (the commands'
/// dispatcher has already refused a locked session).
pub async fn auth(shell: &Shell) -> Result<Auth, CommandError> {
    match shell.sessions.access_token(&shell.store).await? {
        // `omsorg_core::wizard::may_order`: never from a shared device's session.
        Auth::Shared(_) => Err(CommandError::new(
            ErrorCode::Forbidden,
            "substitute access is ordered with a personal KOMBIT login",
        )),
        auth => Ok(auth),
    }
}

pub fn load_draft(shell: &Shell) -> Result<Option<OrderDraft>, CommandError> {
    Ok(kept(shell)?.map(|k| k.draft))
}

/// Keeps the wizard as it is now; an order already sent stays pending with
/// it (so a retry of the same order replays).
pub fn save_draft(shell: &Shell, draft: OrderDraft) -> Result<(), CommandError> {
    let pending = kept(shell)?.and_then(|k| k.pending);
    keep(shell, &Kept { draft, pending })
}

pub fn discard_draft(shell: &Shell) -> Result<(), CommandError> {
    shell.store.set_draft(ORDER, None)?;
    Ok(())
}

/// The same draft, whatever step it shows.
fn same_order(a: &OrderDraft, b: &OrderDraft) -> bool {
    OrderDraft {
        step: 0,
        ..a.clone()
    } == OrderDraft {
        step: 0,
        ..b.clone()
    }
}

fn incomplete(what: &str) -> CommandError {
    CommandError::new(ErrorCode::RequestInvalid, what)
}

/// The request a complete draft stands for, with the period's end fixed now.
fn request(draft: &OrderDraft) -> Result<NewSubstituteAccess, CommandError> {
    // The wizard's own rule for every step, as of now.
    let period = draft
        .check(Utc::now(), Local::now().date_naive())
        .map_err(|(_, gap)| CommandError::new(gap.code(), gap.to_string()))?;
    let (Some(person), Some(id_document), Some(reservation), Some(signature_png)) = (
        &draft.person,
        draft.id_document,
        &draft.reservation,
        &draft.signature_png,
    ) else {
        return Err(incomplete("the order is not complete"));
    };
    let cpr = Cpr::parse(&draft.cpr)?;
    Ok(NewSubstituteAccess {
        cpr: cpr.expose_digits().to_string(),
        confirmed_name: person.name.clone(),
        id_document,
        end: draft.end_day.map(|_| period.end()),
        user_id: reservation.user_id.clone(),
        declaration_version: draft.declaration_version.clone(),
        signature_png: signature_png.clone(),
    })
}

/// Sends the kept order. The first time, its request and a new idempotency
/// key are kept before anything is sent; every later attempt for the same
/// draft sends exactly that again, so the backend makes one access however
/// often the answer is lost. The draft is deleted once the receipt is here.
/// One submission at a time: a second tap waits, then finds the pending
/// request (and its key) or no draft at all.
pub async fn submit(shell: &Shell) -> Result<SubstituteAccessReceipt, CommandError> {
    static SUBMITTING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _one_at_a_time = SUBMITTING.lock().await;
    let auth = auth(shell).await?;
    let mut k = kept(shell)?.ok_or_else(|| incomplete("there is no order to send"))?;
    let pending = match k.pending.take() {
        Some(p) if same_order(&p.from, &k.draft) => p,
        _ => Pending {
            key: openidconnect::CsrfToken::new_random().into_secret(),
            from: k.draft.clone(),
            body: request(&k.draft)?,
        },
    };
    k.pending = Some(pending.clone());
    keep(shell, &k)?;
    let mut waits = RETRY_WAITS.iter();
    loop {
        match shell.api.order(&auth, &pending.key, &pending.body).await {
            Ok(receipt) => {
                shell.store.set_draft(ORDER, None)?;
                tracing::info!(access = %receipt.id, "substitute access ordered");
                return Ok(receipt);
            }
            // No answer, or the first attempt with this key still running.
            Err(e) if e.code.is_transient() => match waits.next() {
                Some(wait) => {
                    tracing::warn!(code = %e.code, "order not answered; trying again with the same key");
                    tokio::time::sleep(*wait).await;
                }
                None => return Err(e),
            },
            Err(e) => return Err(e),
        }
    }
}

/// Saves a declaration's PDF for viewing (owner-only file in the app's
/// cache, emptied at start and sign-out) and asks the platform's viewer to
/// open it. The administrator's call is audited by the backend.
pub async fn open_declaration(
    shell: &Shell,
    auth: &Auth,
    id: &str,
) -> Result<SavedPdf, CommandError> {
    use sha2::Digest;
    let pdf = shell.api.declaration_pdf(auth, id).await?;
    if !pdf.starts_with(b"%PDF-") {
        return Err(CommandError::new(
            ErrorCode::NetworkBadResponse,
            "the answer is not a PDF",
        ));
    }
    let sha256: String = sha2::Sha256::digest(&pdf)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let name: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(64)
        .collect();
    let path = shell.files.join(format!("tavshedserklaering-{name}.pdf"));
    write_private(&path, &pdf).map_err(|e| failed(&format!("saving the PDF: {e}")))?;
    let url = url::Url::from_file_path(&path).map_err(|_| failed("an unusable file path"))?;
    let opened = match shell.viewer.open(url.as_str()) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, "no PDF viewer opened the declaration");
            false
        }
    };
    Ok(SavedPdf {
        path: path.display().to_string(),
        opened,
        sha256,
    })
}

/// A file only its owner can read, in a directory only its owner can enter.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().expect("a file in a directory");
    std::fs::create_dir_all(dir)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}

/// Sign-out: no viewed declaration stays on the device.
pub fn forget_files(shell: &Shell) {
    if let Err(e) = std::fs::remove_dir_all(&shell.files) {
        if e.kind() != std::io::ErrorKind::NotFound {
            tracing::error!(error = %e, "could not delete viewed declarations");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{shell_on, unreachable_url};
    use omsorg_core::api::{CprPerson, IdDocument, Reservation};
    use omsorg_core::bridge::{PadPoint, PadStroke};

    fn draft() -> OrderDraft {
        OrderDraft {
            step: 5,
            id_document: Some(IdDocument::Pas),
            cpr: "010190-1234".into(),
            person: Some(CprPerson {
                name: "Sofie Vikar Jensen".into(),
                cpr_masked: "010190-XXXX".into(),
                birth_date: chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            }),
            name_confirmed: true,
            end_day: None,
            reservation: Some(Reservation {
                user_id: "vik001".into(),
                reserved_until: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            }),
            declaration_version: "2026-1".into(),
            strokes: vec![PadStroke {
                points: vec![
                    PadPoint {
                        x: 0.1,
                        y: 0.1,
                        t: 0.0,
                    },
                    PadPoint {
                        x: 0.4,
                        y: 0.1,
                        t: 300.0,
                    },
                ],
            }],
            signature_png: Some("iVBORw0KGgo=".into()),
        }
    }

    #[tokio::test]
    async fn the_draft_is_kept_sealed_and_opens_only_with_its_key() {
        let (shell, _files) = shell_on(&unreachable_url()).await;
        save_draft(&shell, draft()).unwrap();
        assert_eq!(load_draft(&shell).unwrap(), Some(draft()));
        let sealed = shell.store.draft(ORDER).unwrap().unwrap();
        let raw = String::from_utf8_lossy(&sealed);
        for secret in ["010190", "1234", "Sofie", "vik001"] {
            assert!(!raw.contains(secret), "{secret} readable in the store");
        }
        // Without its key (a wiped keystore) the draft is gone, not garbage.
        shell.sessions.secrets().delete(DRAFT_KEY).unwrap();
        assert_eq!(load_draft(&shell).unwrap(), None);
        assert!(shell.store.draft(ORDER).unwrap().is_none());
    }

    /// `omsorg_core::wizard::may_order`: a shared device's session is
    /// refused here, before anything is sent (the backend refuses it too).
    #[tokio::test]
    async fn a_shared_session_orders_nothing() {
        let (shell, _files) = shell_on(&unreachable_url()).await;
        let me = shell.sessions.person().await.unwrap();
        shell
            .sessions
            .begin_shared(omsorg_core::api::SharedSession {
                token: "shared-1".into(),
                expires_at: Utc::now() + chrono::Duration::hours(1),
                me,
            })
            .await;
        for (cmd, args) in [
            ("lookup_cpr", serde_json::json!({"cpr": "0101901234"})),
            ("reserve_substitute_id", serde_json::json!({})),
            ("my_orders", serde_json::json!({})),
        ] {
            let refused = crate::commands::call(&shell, cmd, args).await.unwrap_err();
            assert_eq!(refused.code, ErrorCode::Forbidden, "{cmd}");
        }
    }

    #[tokio::test]
    async fn a_locked_device_neither_shows_nor_takes_the_draft_and_sign_out_deletes_it() {
        let (shell, _files) = shell_on(&unreachable_url()).await;
        save_draft(&shell, draft()).unwrap();
        shell.lock.lock_now();
        // As the web view asks: through the commands' dispatcher.
        let load = crate::commands::call(&shell, "load_order_draft", serde_json::json!({})).await;
        assert_eq!(load.unwrap_err().code, ErrorCode::SessionLocked);
        let blank = serde_json::json!({ "draft": OrderDraft::default() });
        let save = crate::commands::call(&shell, "save_order_draft", blank).await;
        assert_eq!(save.unwrap_err().code, ErrorCode::SessionLocked);
        shell.lock.end();
        assert_eq!(
            load_draft(&shell).unwrap(),
            Some(draft()),
            "the lock lost nothing"
        );
        shell.sessions.sign_out(&shell.store).await.unwrap();
        assert_eq!(load_draft(&shell).unwrap(), None);
    }

    /// A backend whose order endpoint fails with 502 while `failing` is set,
    /// and records every Idempotency-Key it is sent.
    async fn flaky_backend(
        failing: std::sync::Arc<std::sync::atomic::AtomicBool>,
        keys: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    ) -> String {
        use axum::http::{HeaderMap, StatusCode};
        use std::sync::atomic::Ordering;
        let app = axum::Router::new().route(
            "/api/v1/substitute-accesses",
            axum::routing::post(move |headers: HeaderMap| async move {
                let key = headers["idempotency-key"].to_str().unwrap().to_string();
                keys.lock().unwrap().push(key);
                if failing.load(Ordering::SeqCst) {
                    return (StatusCode::BAD_GATEWAY, "gateway down".to_string());
                }
                let receipt = serde_json::json!({
                    "id": "a1", "user_id": "vik001", "substitute_name": "Sofie Vikar Jensen",
                    "initial_password": "Kx7-pq2-Wm9", "starts_at": "2026-11-24T08:00:00Z",
                    "ends_at": "2026-11-27T08:00:00Z"
                });
                (StatusCode::CREATED, receipt.to_string())
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    }

    #[tokio::test]
    async fn a_lost_answer_is_retried_with_the_same_key_and_an_edited_draft_gets_a_new_one() {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::{Arc, Mutex};
        let (failing, keys) = (
            Arc::new(AtomicBool::new(true)),
            Arc::new(Mutex::new(Vec::new())),
        );
        let url = flaky_backend(Arc::clone(&failing), Arc::clone(&keys)).await;
        let (shell, _files) = shell_on(&url).await;
        save_draft(&shell, draft()).unwrap();

        // No answer at all: four attempts, one key, and the draft is kept.
        let err = submit(&shell).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::NetworkBadResponse);
        let first: Vec<String> = keys.lock().unwrap().clone();
        assert_eq!(first.len(), 4);
        assert!(first.iter().all(|k| k == &first[0]), "{first:?}");
        assert_eq!(load_draft(&shell).unwrap(), Some(draft()));

        // The person taps "Send" again later (the step shown changed): same key.
        save_draft(&shell, OrderDraft { step: 4, ..draft() }).unwrap();
        failing.store(false, Ordering::SeqCst);
        let receipt = submit(&shell).await.unwrap();
        assert_eq!(receipt.user_id, "vik001");
        assert_eq!(keys.lock().unwrap().last(), Some(&first[0]));
        assert_eq!(
            load_draft(&shell).unwrap(),
            None,
            "deleted once the receipt is here"
        );

        // A new order (or an edited one) is another key.
        save_draft(&shell, draft()).unwrap();
        submit(&shell).await.unwrap();
        assert_ne!(keys.lock().unwrap().last(), Some(&first[0]));
        failing.store(true, Ordering::SeqCst);
        save_draft(&shell, draft()).unwrap();
        submit(&shell).await.unwrap_err();
        let sent = keys.lock().unwrap().last().cloned();
        let edited = OrderDraft {
            end_day: Some(Local::now().date_naive() + chrono::Duration::days(5)),
            ..draft()
        };
        save_draft(&shell, edited).unwrap();
        submit(&shell).await.unwrap_err();
        assert_ne!(keys.lock().unwrap().last().cloned(), sent);
    }

    #[tokio::test]
    async fn two_taps_at_once_send_one_order() {
        use std::sync::atomic::AtomicBool;
        use std::sync::{Arc, Mutex};
        let keys = Arc::new(Mutex::new(Vec::new()));
        let url = flaky_backend(Arc::new(AtomicBool::new(false)), Arc::clone(&keys)).await;
        let (shell, _files) = shell_on(&url).await;
        save_draft(&shell, draft()).unwrap();
        let (a, b) = tokio::join!(submit(&shell), submit(&shell));
        let outcomes = [a.is_ok(), b.is_ok()];
        assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "{outcomes:?}");
        assert_eq!(
            keys.lock().unwrap().len(),
            1,
            "one request reached the backend"
        );
    }

    #[test]
    fn an_incomplete_or_too_long_draft_is_refused_before_sending() {
        assert!(request(&draft()).is_ok());
        let unsigned = OrderDraft {
            strokes: vec![],
            ..draft()
        };
        assert_eq!(
            request(&unsigned).unwrap_err().code,
            ErrorCode::RequestInvalid
        );
        // A tap is no signature.
        let tap = PadStroke {
            points: vec![PadPoint {
                x: 0.5,
                y: 0.1,
                t: 0.0,
            }],
        };
        let tapped = OrderDraft {
            strokes: vec![tap],
            ..draft()
        };
        assert_eq!(
            request(&tapped).unwrap_err().code,
            ErrorCode::RequestInvalid
        );
        let unconfirmed = OrderDraft {
            name_confirmed: false,
            ..draft()
        };
        assert_eq!(
            request(&unconfirmed).unwrap_err().code,
            ErrorCode::RequestInvalid
        );
        let day_31 = Local::now().date_naive() + chrono::Duration::days(31);
        let too_long = OrderDraft {
            end_day: Some(day_31),
            ..draft()
        };
        assert_eq!(
            request(&too_long).unwrap_err().code,
            ErrorCode::PeriodTooLong
        );
        let bad_cpr = OrderDraft {
            cpr: "320190-1234".into(),
            ..draft()
        };
        assert_eq!(request(&bad_cpr).unwrap_err().code, ErrorCode::CprInvalid);
    }
}
