//! Sending the order: built once from the draft by the wizard's own rule,
//! kept with a fresh idempotency key before anything is sent, and sent
//! exactly so again on every retry until the receipt is here.

use std::time::Duration;

use chrono::Utc;
use omsorg_core::api::{NewSubstituteAccess, SubstituteAccessReceipt};
use omsorg_core::bridge::OrderDraft;
use omsorg_core::cpr::Cpr;
use omsorg_core::ErrorCode;

use super::draft::{changing, keep, kept, Pending, ORDER};
use crate::api_client::Auth;
use crate::error::CommandError;
use crate::Shell;

/// Waits before the 2nd, 3rd and 4th attempt of an order that got no answer.
#[cfg(test)]
const RETRY_WAITS: [Duration; 3] = [Duration::from_millis(1); 3];
#[cfg(not(test))]
const RETRY_WAITS: [Duration; 3] = [
    Duration::from_millis(500),
    Duration::from_secs(2),
    Duration::from_secs(4),
];

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

/// The same draft, whatever step it shows and however often it was saved.
fn same_order(a: &OrderDraft, b: &OrderDraft) -> bool {
    OrderDraft {
        step: 0,
        revision: 0,
        ..a.clone()
    } == OrderDraft {
        step: 0,
        revision: 0,
        ..b.clone()
    }
}

fn incomplete(what: &str) -> CommandError {
    CommandError::new(ErrorCode::RequestInvalid, what)
}

/// The request a complete draft stands for, with the period's end fixed now.
pub(super) fn request(draft: &OrderDraft) -> Result<NewSubstituteAccess, CommandError> {
    // The wizard's own rule for every step, as of now.
    let period = draft
        .check(Utc::now(), omsorg_core::danish_time::today(Utc::now()))
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
        end: (draft.end_day.is_some() || draft.end_time.is_some()).then(|| period.end()),
        user_id: reservation.user_id.clone(),
        declaration_version: draft.declaration_version.clone(),
        signature_png: signature_png.clone(),
        agency: omsorg_core::wizard::agency_of(&draft.agency)
            .map_err(|e| CommandError::new(ErrorCode::RequestInvalid, e.to_string()))?,
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
    let pending = {
        let _changing = changing();
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
        pending
    };
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
