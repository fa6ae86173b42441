//! Making one order: the rules re-checked, the declaration PDF, the order's
//! transaction (ID in use, row, mail, audit), then the directory account,
//! with the compensation when the directory refuses.

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
    let period = AccessPeriod::new(Utc::now(), body.end)?;
    let now = Utc::now().timestamp();
    let muni = &person.municipality_code;
    if !ids::is_held(&state.db, &body.user_id, muni, person.id, now).await? {
        return Err(ApiError::client(
            ErrorCode::ReservationInvalid,
            "that user ID is not reserved by you (any more)",
        ));
    }
    let signature = signature_of(body)?;
    let found = cpr_register::find(state.cpr_register.as_ref(), &cpr).await?;
    if found.name.trim() != body.confirmed_name.trim() {
        return Err(invalid("the confirmed name is not the register's"));
    }
    let unit = org_directory::unit_of(state.org.as_ref(), person.unit_id.as_deref())
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(Checked {
        cpr,
        name: found.name,
        period,
        signature,
        unit,
    })
}

/// Mail to the orderer and their unit's nearest manager, in Danish, without
/// the CPR number; queued in the order's transaction.
async fn notify(
    tx: &mut sqlx::SqliteConnection,
    person: &Person,
    body: &NewSubstituteAccess,
    checked: &Checked,
    id: &str,
) -> ApiResult<()> {
    let orderer_email = repo::email_of(&mut *tx, person.id).await?;
    let unit = checked.unit.as_ref();
    let unit_name = unit.map_or("—", |u| u.name.as_str()).to_string();
    let subject = format!("Vikaradgang bestilt: {}", body.user_id);
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
        name = checked.name,
        user_id = body.user_id,
        start = danish_time(checked.period.start()),
        end = danish_time(checked.period.end()),
        orderer = person.name,
        version = body.declaration_version,
    );
    let manager = unit
        .and_then(|u| u.manager.as_ref())
        .map(|m| m.email.clone());
    for to in [orderer_email, manager].iter().flatten() {
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

/// The order's transaction: the reserved ID in use, the row, the mail and
/// the audit record, all or nothing.
async fn record(
    state: &AppState,
    person: &Person,
    body: &NewSubstituteAccess,
    checked: &Checked,
    id: &str,
    now: i64,
) -> ApiResult<()> {
    let pdf = declaration(person, body, checked, id, now).await?;
    let pdf_sha256 = secret::sha256_hex_bytes(&pdf);
    let mut tx = state.db.begin().await?;
    let muni = &person.municipality_code;
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
        signature: &checked.signature,
        starts: checked.period.start().timestamp(),
        ends: checked.period.end().timestamp(),
        now,
        pdf: &pdf,
        pdf_sha256: &pdf_sha256,
    };
    repo::insert(&mut tx, &row).await?;
    notify(&mut tx, person, body, checked, id).await?;
    db::audit(&mut *tx, Some(person.id), "substitute_access.created", id).await?;
    tx.commit().await?;
    Ok(())
}

/// Makes the order, then its directory account (another system: AD in
/// production). If the directory refuses, the order is undone and the ID
/// goes back to the orderer's reservation, so no access exists without its
/// account and the same order can be sent again.
pub(super) async fn carry_out(
    state: &AppState,
    person: &Person,
    body: &NewSubstituteAccess,
    checked: Checked,
) -> ApiResult<SubstituteAccessReceipt> {
    let now = Utc::now().timestamp();
    let id = secret::random_token(12);
    record(state, person, body, &checked, &id, now).await?;
    let (starts, ends) = (checked.period.start(), checked.period.end());
    let initial_password = secret::initial_password();
    let account = NewAccount {
        user_id: body.user_id.clone(),
        display_name: checked.name.clone(),
        initial_password: initial_password.clone(),
        expires_at: ends.timestamp(),
    };
    if let Err(e) = state.directory.create_account(&account).await {
        tracing::error!(access = %id, error = %e, "directory refused the account; undoing the order");
        let mut tx = state.db.begin().await?;
        repo::delete(&mut tx, &id).await?;
        ids::give_back(
            &mut tx,
            &body.user_id,
            person.id,
            now + ids::RESERVATION_SECS,
        )
        .await?;
        tx.commit().await?;
        return Err(ApiError::Internal(e.into()));
    }
    tracing::info!(access = %id, orderer = person.id, user_id = %body.user_id, "substitute access created");
    Ok(SubstituteAccessReceipt {
        id,
        user_id: body.user_id.clone(),
        substitute_name: checked.name,
        initial_password: Some(initial_password),
        // Whole seconds, as stored: a replayed receipt is the same.
        starts_at: db::time_of(starts.timestamp()),
        ends_at: db::time_of(ends.timestamp()),
    })
}
