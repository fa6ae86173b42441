//! Making one order, as one recoverable unit under its idempotency key's
//! claim: the rules re-checked, the declaration PDF, the order recorded (ID
//! in use, row, sealed receipt) in one transaction; then made whole (the
//! directory account, then receipt, mail and audit in one transaction) by
//! this request or, after a crash, by whoever claims the key next; undone
//! (no mail, audited as undone) when the directory refuses.

use base64::Engine;
use chrono::Utc;
use omsorg_core::api::{NewSubstituteAccess, SubstituteAccessReceipt};
use omsorg_core::cpr::Cpr;
use omsorg_core::period::AccessPeriod;
use omsorg_core::{declaration, ErrorCode};

use super::repo;
use crate::auth::Person;
use crate::declaration_pdf::{self, danish_time, PdfError};
use crate::directory::NewAccount;
use crate::error::{ApiError, ApiResult};
use crate::org_directory::{self, OrgUnit};
use crate::substitute_ids as ids;
use crate::AppState;
use crate::{cpr_register, db, secret};

/// The largest signature image accepted.
pub const MAX_SIGNATURE_BYTES: usize = 256 * 1024;
const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

pub(super) fn invalid(message: &str) -> ApiError {
    ApiError::client(ErrorCode::RequestInvalid, message)
}

fn already_active() -> ApiError {
    ApiError::client(
        ErrorCode::SubstituteAlreadyActive,
        "the substitute has a live access here: extend it",
    )
}

/// The signature image, refused unless it is a PNG of at most 256 KiB
/// whose header declares a size a signature pad makes (read before
/// anything decodes it).
fn signature_of(body: &NewSubstituteAccess) -> Result<Vec<u8>, ApiError> {
    let signature = base64::engine::general_purpose::STANDARD
        .decode(body.signature_png.trim())
        .map_err(|_| invalid("the signature is not base64"))?;
    if !signature.starts_with(PNG_MAGIC) || signature.len() > MAX_SIGNATURE_BYTES {
        return Err(invalid(
            "the signature must be a PNG image of at most 256 KiB",
        ));
    }
    match omsorg_core::signature::png_size(&signature) {
        Some((w, h)) if omsorg_core::signature::png_size_allowed(w, h) => Ok(signature),
        Some((w, h)) => Err(ApiError::client(
            ErrorCode::SignatureTooLarge,
            format!("a signature of {w} × {h} px; at most 1800 × 600"),
        )),
        None => Err(invalid("the signature is not a readable PNG image")),
    }
}

/// PDFs rendered at once: each holds its decoded signature and fonts.
fn renders() -> &'static tokio::sync::Semaphore {
    static RENDERS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    RENDERS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        tokio::sync::Semaphore::new(cores)
    })
}

/// What the order will be, checked before anything is written.
pub(super) struct Checked {
    cpr: Cpr,
    name: String,
    period: AccessPeriod,
    signature: Vec<u8>,
    /// The orderer's unit and its nearest manager (org directory).
    unit: Option<OrgUnit>,
    agency: Option<String>,
    /// The systems the orderer's unit's template names now.
    groups: Vec<String>,
}

pub(super) async fn check(
    state: &AppState,
    person: &Person,
    body: &NewSubstituteAccess,
) -> Result<Checked, ApiError> {
    // The cheap checks first: nothing is decoded, asked or rendered for an
    // order that cannot be made.
    let cpr = Cpr::parse(&body.cpr)?;
    if declaration::text(&body.declaration_version).is_none() {
        return Err(invalid("unknown declaration version"));
    }
    // Under the unit's period as it is now (its administrator may have
    // shortened it since the app loaded it).
    let policy = crate::units::policy(&state.db, person.unit_id.as_deref()).await?;
    let period = AccessPeriod::new(Utc::now(), body.end, policy)?;
    let now = Utc::now().timestamp();
    let muni = &person.municipality_code;
    if !ids::is_held(&state.db, &body.user_id, muni, person.id, now).await? {
        return Err(ApiError::client(
            ErrorCode::ReservationInvalid,
            "that user ID is not reserved by you (any more)",
        ));
    }
    let agency = omsorg_core::wizard::agency_of(body.agency.as_deref().unwrap_or_default())
        .map_err(|e| invalid(&e.to_string()))?;
    let signature = signature_of(body)?;
    let found = cpr_register::find(state.cpr_register.as_ref(), &cpr).await?;
    if found.name.trim() != body.confirmed_name.trim() {
        return Err(invalid("the confirmed name is not the register's"));
    }
    let keys = state.cpr_vault.search_keys(&cpr);
    if crate::returning::live(&state.db, muni, &keys)
        .await?
        .is_some()
    {
        return Err(already_active());
    }
    let groups = crate::units::groups_of(&state.db, person.unit_id.as_deref()).await?;
    let unit = org_directory::unit_of(state.org.as_ref(), person.unit_id.as_deref())
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(Checked {
        cpr,
        name: found.name,
        period,
        signature,
        unit,
        agency,
        groups,
    })
}

/// Mail to the orderer and their unit's nearest manager, in Danish, without
/// the CPR number; queued in the transaction that makes the order whole.
async fn notify(
    tx: &mut sqlx::AnyConnection,
    order: &repo::Pending,
    receipt: &SubstituteAccessReceipt,
    unit: Option<&OrgUnit>,
) -> ApiResult<()> {
    let unit_name = unit.map_or("—", |u| u.name.as_str()).to_string();
    let subject = format!("Vikaradgang bestilt: {}", receipt.user_id);
    let text = format!(
        "Der er bestilt midlertidig IT-adgang til en vikar.\n\n\
         Vikar: {name}\n\
         Bruger-id: {user_id}\n\
         Arbejdssted: {unit_name}\n\
         Gyldig fra {start} til {end}\n\
         Bestilt af: {orderer}\n\
         Ordrenummer: {id}\n\n\
         Tavshedserklæringen (version {version}) er underskrevet og gemt.\n\
         Adgangen lukker af sig selv ved udløb. Den kan afsluttes før tid eller forlænges i Omsorg.\n",
        name = receipt.substitute_name,
        user_id = receipt.user_id,
        start = danish_time(receipt.starts_at),
        end = danish_time(receipt.ends_at),
        orderer = order.orderer_name,
        id = receipt.id,
        version = order.declaration_version,
    );
    let manager = unit
        .and_then(|u| u.manager.as_ref())
        .map(|m| m.email.clone());
    for to in [order.orderer_email.clone(), manager].iter().flatten() {
        crate::mail::enqueue(&mut *tx, to, &subject, &text).await?;
    }
    Ok(())
}

/// The signed declaration as PDF/A, made off the async workers.
async fn declaration(
    person: &Person,
    body: &NewSubstituteAccess,
    checked: &Checked,
    id: &str,
    now: i64,
) -> ApiResult<Vec<u8>> {
    let text = declaration::text(&body.declaration_version).unwrap_or_default();
    let (order_id, name, cpr_masked) = (id.to_string(), checked.name.clone(), checked.cpr.masked());
    let (user_id, orderer, version) = (
        body.user_id.clone(),
        person.name.clone(),
        body.declaration_version.clone(),
    );
    let unit_name = checked
        .unit
        .as_ref()
        .map_or_else(|| "—".to_string(), |u| u.name.clone());
    let (signature, ends_at) = (checked.signature.clone(), checked.period.end());
    let agency = checked.agency.clone();
    let systems = checked.groups.clone();
    let _turn = renders()
        .acquire()
        .await
        .map_err(|e| anyhow::anyhow!("render permits: {e}"))?;
    let made = tokio::task::spawn_blocking(move || {
        declaration_pdf::render(&declaration_pdf::Facts {
            order_id: &order_id,
            substitute_name: &name,
            cpr_masked: &cpr_masked,
            user_id: &user_id,
            unit_name: &unit_name,
            orderer_name: &orderer,
            signed_at: db::time_of(now),
            ends_at,
            version: &version,
            text,
            signature_png: &signature,
            agency: agency.as_deref(),
            systems: &systems,
        })
    })
    .await
    .map_err(|e| anyhow::anyhow!("the PDF task: {e}"))?;
    match made {
        Ok(pdf) => Ok(pdf),
        Err(PdfError::Signature(_)) => Err(invalid("the signature is not a readable PNG image")),
        Err(e) => Err(ApiError::Internal(e.into())),
    }
}

fn lost_claim() -> ApiError {
    // Another request took the key over (this one outlived its lease): its
    // answer is the order's; the client's retry gets it.
    ApiError::Throttled(1)
}

/// The order's transaction: the reserved ID in use, the row (not yet whole)
/// and its sealed receipt under the key, all or nothing, while the claim is ours.
async fn record(
    state: &AppState,
    person: &Person,
    body: &NewSubstituteAccess,
    checked: &Checked,
    receipt: &SubstituteAccessReceipt,
    claim: &repo::Claim,
) -> ApiResult<()> {
    let (id, now) = (&receipt.id, receipt.starts_at.timestamp());
    let pdf = declaration(person, body, checked, id, now).await?;
    let pdf_sha256 = secret::sha256_hex_bytes(&pdf);
    // Written to at once (on SQLite, the write lock now): the check for a
    // live access and the insert are one step for every order.
    let mut tx = db::begin_writing(&state.db).await?;
    let muni = &person.municipality_code;
    // One live access per person: two orders for them at once (by two
    // orderers) meet here, one after the other.
    let keys = state.cpr_vault.search_keys(&checked.cpr);
    db::lock(&mut tx, &format!("substitute {}", keys[0])).await?;
    if crate::returning::live(&mut *tx, muni, &keys)
        .await?
        .is_some()
    {
        return Err(already_active());
    }
    if !ids::take_for_order(&mut tx, &body.user_id, muni, person.id, now).await? {
        return Err(ApiError::client(
            ErrorCode::ReservationInvalid,
            "that user ID is not reserved by you (any more)",
        ));
    }
    let row = repo::NewRow {
        id,
        orderer: person.id,
        unit_id: person.unit_id.as_deref(),
        municipality: muni,
        body,
        substitute_name: &checked.name,
        cpr_sealed: state.cpr_vault.seal(&checked.cpr),
        cpr_search: state.cpr_vault.search_key(&checked.cpr),
        cpr_key_id: state.cpr_vault.key_id(),
        signature: &checked.signature,
        starts: checked.period.start().timestamp(),
        ends: checked.period.end().timestamp(),
        now,
        pdf: &pdf,
        pdf_sha256: &pdf_sha256,
        agency: checked.agency.clone(),
        groups: &checked.groups,
    };
    repo::insert(&mut tx, &row).await?;
    let sealed = state
        .cpr_vault
        .seal_receipt(&serde_json::to_vec(receipt).expect("json"));
    if !repo::mark_recorded(&mut tx, claim, id, &sealed).await? {
        return Err(lost_claim());
    }
    tx.commit().await?;
    Ok(())
}

/// Records the order under the claim, then makes it whole (`finish`).
pub(super) async fn carry_out(
    state: &AppState,
    person: &Person,
    body: &NewSubstituteAccess,
    checked: Checked,
    claim: &repo::Claim,
) -> ApiResult<SubstituteAccessReceipt> {
    let receipt = SubstituteAccessReceipt {
        id: secret::random_token(12),
        user_id: body.user_id.clone(),
        substitute_name: checked.name.clone(),
        initial_password: Some(secret::initial_password()),
        // Whole seconds, as stored: a replayed receipt is the same.
        starts_at: db::time_of(checked.period.start().timestamp()),
        ends_at: db::time_of(checked.period.end().timestamp()),
        systems: checked.groups.clone(),
    };
    record(state, person, body, &checked, &receipt, claim).await?;
    finish(state, claim).await
}

/// Makes a recorded order whole: its directory account (another system: AD
/// in production; creating it again is harmless, with the same one-time
/// password), then in one transaction its receipt, its mail and its audit.
/// A crash anywhere here leaves the order recorded, and the next claim on
/// its key (a retry, or the recovery job) runs this again. If the directory
/// refuses, the order is undone and the ID goes back to the orderer's
/// reservation, so no access exists without its account, no mail goes out,
/// and the same order can be sent again.
pub(super) async fn finish(
    state: &AppState,
    claim: &repo::Claim,
) -> ApiResult<SubstituteAccessReceipt> {
    let Some(order) = repo::pending(&state.db, claim).await? else {
        return Err(lost_claim());
    };
    let receipt: SubstituteAccessReceipt = state
        .cpr_vault
        .open_receipt(&order.receipt_pending)
        .and_then(|json| serde_json::from_slice(&json).ok())
        .ok_or_else(|| anyhow::anyhow!("a recorded order's receipt does not open"))?;
    let account = NewAccount {
        municipality: order.municipality_code.clone(),
        user_id: receipt.user_id.clone(),
        display_name: receipt.substitute_name.clone(),
        initial_password: receipt.initial_password.clone().unwrap_or_default(),
        expires_at: receipt.ends_at.timestamp(),
        groups: receipt.systems.clone(),
    };
    if let Err(e) = state.directory.create_account(&account).await {
        tracing::error!(access = %receipt.id, error = %e, "directory refused the account; undoing the order");
        undo(state, claim, &order, &receipt).await?;
        return Err(ApiError::Internal(e.into()));
    }
    let unit = org_directory::unit_of(state.org.as_ref(), order.unit_id.as_deref())
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let now = Utc::now().timestamp();
    let mut tx = state.db.begin().await?;
    if !repo::complete(&mut tx, claim, &receipt.id, now).await? {
        return Err(lost_claim());
    }
    notify(&mut tx, &order, &receipt, unit.as_ref()).await?;
    db::audit(
        &mut *tx,
        Some(order.orderer_id),
        "substitute_access.created",
        &receipt.id,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(access = %receipt.id, orderer = order.orderer_id, user_id = %receipt.user_id, "substitute access created");
    Ok(receipt)
}

/// The compensation: the account disabled in case the directory made it
/// before failing, then the order deleted, its ID reserved for the orderer
/// again and the key let go, in one transaction while the claim is ours.
async fn undo(
    state: &AppState,
    claim: &repo::Claim,
    order: &repo::Pending,
    receipt: &SubstituteAccessReceipt,
) -> ApiResult<()> {
    let muni = &order.municipality_code;
    if let Err(e) = state
        .directory
        .disable_account(muni, &receipt.user_id)
        .await
    {
        tracing::warn!(access = %receipt.id, error = %e, "could not disable an undone order's account");
    }
    let now = Utc::now().timestamp();
    let mut tx = state.db.begin().await?;
    if repo::release_key(&mut *tx, claim, true).await?
        && repo::delete_unfinished(&mut tx, &receipt.id).await?
    {
        let until = now + ids::RESERVATION_SECS;
        ids::give_back(&mut tx, &receipt.user_id, muni, order.orderer_id, until).await?;
        db::audit(
            &mut *tx,
            Some(order.orderer_id),
            "substitute_access.undone",
            &receipt.id,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
