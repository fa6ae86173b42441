//! Tauri commands: thin wrappers that call the services below them.

use chrono::{Local, NaiveDate, Utc};
use omsorg_core::api::{
    AddedSubstituteIds, CprPerson, DeclarationList, DeclarationQuery, DeviceInfo, DeviceMode,
    DeviceStatus, EnrollmentCode, ExtendAccess, Me, MunicipalityChoice, NewEnrollmentCode,
    NewSubstituteIds, OrderDraft, Reservation, SavedPdf, SubstituteAccessList,
    SubstituteAccessReceipt, SubstituteAccessSummary, SubstituteIdList, UnitRef,
};
use omsorg_core::cpr::Cpr;
use omsorg_core::lock::LockState;
use omsorg_core::period::end_on_day;
use omsorg_core::ErrorCode;
use tauri::State;

use crate::api_client::ApiClient;
use crate::api_client::Auth;
use crate::device;
use crate::error::CommandError;
use crate::orders;
use crate::pin;
use crate::store::Store;
use crate::Shell;

#[tauri::command]
pub async fn list_municipalities(
    shell: State<'_, Shell>,
) -> Result<MunicipalityChoice, CommandError> {
    shell.lock.guard()?;
    load_municipalities(&shell.api, &shell.store).await
}

/// KOMBIT login for the chosen municipality, in the system browser. Answers
/// with the person once the backend knows them; never with a token.
#[tauri::command]
pub async fn start_login(shell: State<'_, Shell>, code: String) -> Result<Me, CommandError> {
    shell.lock.guard()?;
    refuse_on_shared_device(&shell)?;
    let me = shell
        .sessions
        .login(&shell.store, &shell.api, &code, shell.browser.as_ref())
        .await?;
    shell.lock.begin_unlocked();
    Ok(me)
}

#[tauri::command]
pub fn cancel_login(shell: State<'_, Shell>) -> Result<(), CommandError> {
    shell.lock.guard()?;
    shell.sessions.cancel_login();
    Ok(())
}

/// At start: whether someone is signed in (from the keystore), and the lock's
/// state. A restarted app with a PIN set starts locked. Never the person
/// themself: that is `current_person`, refused while locked.
#[tauri::command]
pub async fn restore_session(shell: State<'_, Shell>) -> Result<Option<LockState>, CommandError> {
    shell.lock.guard()?;
    if device::enrolled(&shell)? {
        // A shared device has no personal session to restore.
        return Ok(None);
    }
    pin::restore(&shell).await
}

/// The signed-in person (for the home and PIN setup screens).
#[tauri::command]
pub async fn current_person(shell: State<'_, Shell>) -> Result<Me, CommandError> {
    shell.lock.guard()?;
    shell.sessions.person().await
}

/// `None` when nobody is signed in. Carries no personal data.
#[tauri::command]
pub async fn lock_state(shell: State<'_, Shell>) -> Result<Option<LockState>, CommandError> {
    Ok(pin::observe(&shell, shell.lock.state()).await)
}

/// The UI saw the person use the app (throttled by the UI). Too late is too
/// late: after the timeout this reports the lock instead of reopening it.
#[tauri::command]
pub async fn report_activity(shell: State<'_, Shell>) -> Result<Option<LockState>, CommandError> {
    Ok(pin::observe(&shell, shell.lock.activity()).await)
}

#[tauri::command]
pub async fn unlock(shell: State<'_, Shell>, pin: String) -> Result<LockState, CommandError> {
    pin::unlock(&shell, &pin).await
}

/// Sets the first PIN, or changes it (`current_pin`, unless the KOMBIT login
/// is fresh). Answers with the person as the backend now sees them.
#[tauri::command]
pub async fn set_pin(
    shell: State<'_, Shell>,
    pin: String,
    current_pin: Option<String>,
) -> Result<Me, CommandError> {
    shell.lock.guard()?;
    pin::set(&shell, &pin, current_pin).await
}

#[tauri::command]
pub async fn sign_out(shell: State<'_, Shell>) -> Result<(), CommandError> {
    shell.lock.end();
    orders::forget_files(&shell);
    shell.sessions.sign_out(&shell.store).await
}

/// KOMBIT is for personal devices; a shared one offers user ID + PIN only.
fn refuse_on_shared_device(shell: &Shell) -> Result<(), CommandError> {
    if device::enrolled(shell)? {
        return Err(CommandError::new(
            ErrorCode::Forbidden,
            "a shared device has no KOMBIT login",
        ));
    }
    Ok(())
}

/// `None` on a personal device. Checked with the backend: a revoked device
/// answers `None` (and has forgotten its enrollment).
#[tauri::command]
pub async fn device_status(shell: State<'_, Shell>) -> Result<Option<DeviceStatus>, CommandError> {
    shell.lock.guard()?;
    Ok(device::status(&shell).await?.map(|device| DeviceStatus {
        device,
        admin: shell.shared.admin_mode(),
    }))
}

#[tauri::command]
pub async fn enroll_device(
    shell: State<'_, Shell>,
    code: String,
) -> Result<DeviceInfo, CommandError> {
    device::enroll(&shell, &code).await
}

#[tauri::command]
pub async fn shared_login(
    shell: State<'_, Shell>,
    user_id: String,
    pin: String,
) -> Result<Me, CommandError> {
    device::login(&shell, &user_id, &pin).await
}

/// "Log ud" on a shared device: the web view is reset after it.
#[tauri::command]
pub async fn shared_sign_out(shell: State<'_, Shell>) -> Result<(), CommandError> {
    device::sign_out(&shell, "Log ud").await;
    Ok(())
}

#[tauri::command]
pub async fn device_admin(
    shell: State<'_, Shell>,
    user_id: String,
    pin: String,
) -> Result<(), CommandError> {
    device::enter_admin(&shell, &user_id, &pin).await
}

#[tauri::command]
pub fn leave_device_admin(shell: State<'_, Shell>) -> Result<(), CommandError> {
    device::leave_admin(&shell)
}

#[tauri::command]
pub async fn unenroll_device(shell: State<'_, Shell>) -> Result<(), CommandError> {
    device::unenroll(&shell).await
}

/// The administrator's KOMBIT session on a personal device (a shared
/// session never administers; the backend refuses it too).
async fn admin_auth(shell: &Shell) -> Result<Auth, CommandError> {
    shell.lock.guard()?;
    match shell.sessions.access_token(&shell.store).await? {
        auth @ Auth::Bearer(_) => Ok(auth),
        _ => Err(CommandError::new(
            ErrorCode::Forbidden,
            "administration needs a KOMBIT login on a personal device",
        )),
    }
}

#[tauri::command]
pub async fn admin_units(shell: State<'_, Shell>) -> Result<Vec<UnitRef>, CommandError> {
    let auth = admin_auth(&shell).await?;
    shell.api.units(&auth).await
}

#[tauri::command]
pub async fn create_enrollment_code(
    shell: State<'_, Shell>,
    unit_id: String,
    mode: DeviceMode,
    apartment: Option<String>,
) -> Result<EnrollmentCode, CommandError> {
    let auth = admin_auth(&shell).await?;
    let body = NewEnrollmentCode {
        unit_id,
        mode,
        apartment,
    };
    shell.api.create_enrollment_code(&auth, &body).await
}

// The substitute-access wizard and its follow-up (SPEC C4).

#[tauri::command]
pub fn load_order_draft(shell: State<'_, Shell>) -> Result<Option<OrderDraft>, CommandError> {
    orders::load_draft(&shell)
}

#[tauri::command]
pub fn save_order_draft(shell: State<'_, Shell>, draft: OrderDraft) -> Result<(), CommandError> {
    orders::save_draft(&shell, draft)
}

#[tauri::command]
pub fn discard_order_draft(shell: State<'_, Shell>) -> Result<(), CommandError> {
    orders::discard_draft(&shell)
}

/// The register's name for a CPR number; a malformed number is refused
/// here, before it leaves the device.
#[tauri::command]
pub async fn lookup_cpr(shell: State<'_, Shell>, cpr: String) -> Result<CprPerson, CommandError> {
    let auth = orders::auth(&shell).await?;
    let cpr = Cpr::parse(&cpr)?;
    shell.api.cpr_lookup(&auth, &cpr.expose_digits()).await
}

#[tauri::command]
pub async fn reserve_substitute_id(shell: State<'_, Shell>) -> Result<Reservation, CommandError> {
    let auth = orders::auth(&shell).await?;
    shell.api.reserve(&auth).await
}

#[tauri::command]
pub async fn submit_order(
    shell: State<'_, Shell>,
) -> Result<SubstituteAccessReceipt, CommandError> {
    orders::submit(&shell).await
}

#[tauri::command]
pub async fn my_orders(shell: State<'_, Shell>) -> Result<SubstituteAccessList, CommandError> {
    let auth = orders::auth(&shell).await?;
    shell.api.orders(&auth).await
}

#[tauri::command]
pub async fn end_order(
    shell: State<'_, Shell>,
    id: String,
) -> Result<SubstituteAccessSummary, CommandError> {
    let auth = orders::auth(&shell).await?;
    shell.api.end_order(&auth, &id).await
}

/// A new last day for an access (same time of day as now).
#[tauri::command]
pub async fn extend_order(
    shell: State<'_, Shell>,
    id: String,
    day: NaiveDate,
) -> Result<SubstituteAccessSummary, CommandError> {
    let auth = orders::auth(&shell).await?;
    let end = end_on_day(Utc::now(), Local::now().date_naive(), day);
    shell
        .api
        .extend_order(&auth, &id, &ExtendAccess { end })
        .await
}

#[tauri::command]
pub async fn search_declarations(
    shell: State<'_, Shell>,
    query: DeclarationQuery,
) -> Result<DeclarationList, CommandError> {
    let auth = admin_auth(&shell).await?;
    if !query.cpr.trim().is_empty() {
        Cpr::parse(&query.cpr)?;
    }
    shell.api.declarations(&auth, &query).await
}

#[tauri::command]
pub async fn open_declaration(
    shell: State<'_, Shell>,
    id: String,
) -> Result<SavedPdf, CommandError> {
    let auth = admin_auth(&shell).await?;
    orders::open_declaration(&shell, &auth, &id).await
}

#[tauri::command]
pub async fn substitute_ids(shell: State<'_, Shell>) -> Result<SubstituteIdList, CommandError> {
    let auth = admin_auth(&shell).await?;
    shell.api.substitute_ids(&auth).await
}

#[tauri::command]
pub async fn add_substitute_ids(
    shell: State<'_, Shell>,
    range: NewSubstituteIds,
) -> Result<AddedSubstituteIds, CommandError> {
    let auth = admin_auth(&shell).await?;
    range
        .user_ids()
        .map_err(|why| CommandError::new(ErrorCode::RequestInvalid, why))?;
    shell.api.add_substitute_ids(&auth, &range).await
}

/// The UI language: "da" (default) or "en". A device setting, not personal,
/// so the lock screen can be shown in the chosen language.
#[tauri::command]
pub fn get_language(shell: State<'_, Shell>) -> Result<String, CommandError> {
    Ok(shell.store.language()?.unwrap_or_else(|| "da".into()))
}

#[tauri::command]
pub fn set_language(shell: State<'_, Shell>, tag: String) -> Result<(), CommandError> {
    shell.lock.guard()?;
    if !matches!(tag.as_str(), "da" | "en") {
        return Err(CommandError::new(
            ErrorCode::RequestInvalid,
            "unknown language",
        ));
    }
    shell.store.set_language(&tag)?;
    Ok(())
}

/// The live list (cached for next time), or, when the backend cannot be
/// reached, the cached list marked with when it was fetched.
pub async fn load_municipalities(
    api: &ApiClient,
    store: &Store,
) -> Result<MunicipalityChoice, CommandError> {
    let last_choice = store.last_municipality()?;
    match api.municipalities().await {
        Ok(list) => {
            store.cache_municipalities(&list, Utc::now())?;
            Ok(MunicipalityChoice {
                municipalities: list,
                cached_at: None,
                last_choice,
            })
        }
        Err(e)
            if matches!(
                e.code,
                ErrorCode::NetworkUnreachable | ErrorCode::NetworkBadResponse
            ) =>
        {
            match store.cached_municipalities()? {
                Some((list, at)) => Ok(MunicipalityChoice {
                    municipalities: list,
                    cached_at: Some(at),
                    last_choice,
                }),
                None => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{backend_answering, unreachable_url};
    use axum::http::StatusCode;

    const LIST: &str = r#"{"municipalities":[
        {"code":"751","name":"Aarhus","issuer":"http://i","hint":"751"},
        {"code":"101","name":"København","issuer":"http://i","hint":"101"}]}"#;

    #[tokio::test]
    async fn live_list_is_cached_and_served_marked_when_the_backend_is_gone() {
        let store = Store::open_in_memory().unwrap();
        let online = ApiClient::new(&backend_answering(StatusCode::OK, LIST).await).unwrap();
        let live = load_municipalities(&online, &store).await.unwrap();
        assert_eq!(live.municipalities.len(), 2);
        assert!(live.cached_at.is_none());
        store.set_last_municipality("101").unwrap();

        for offline in [
            ApiClient::new(&unreachable_url()).unwrap(),
            ApiClient::new(&backend_answering(StatusCode::BAD_GATEWAY, "down").await).unwrap(),
        ] {
            let cached = load_municipalities(&offline, &store).await.unwrap();
            assert_eq!(cached.municipalities, live.municipalities);
            assert!(cached.cached_at.is_some());
            assert_eq!(cached.last_choice.as_deref(), Some("101"));
        }
    }

    #[tokio::test]
    async fn without_a_cache_the_failure_reaches_the_ui() {
        let store = Store::open_in_memory().unwrap();
        let offline = ApiClient::new(&unreachable_url()).unwrap();
        let err = load_municipalities(&offline, &store).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::NetworkUnreachable);
    }
}
