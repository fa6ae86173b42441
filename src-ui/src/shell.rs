//! Calls into the Rust shell (Tauri commands). The only way out of the web view.

use chrono::NaiveDate;
use omsorg_core::api::{
    AddedSubstituteIds, CprPerson, DeclarationList, DeclarationQuery, DeviceInfo, DeviceMode,
    DeviceStatus, EnrollmentCode, Me, MunicipalityChoice, NewSubstituteIds, OrderDraft,
    Reservation, SavedPdf, SubstituteAccessList, SubstituteAccessReceipt, SubstituteAccessSummary,
    SubstituteIdList, UnitRef,
};
use omsorg_core::lock::LockState;
use omsorg_core::{ErrorBody, ErrorCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], catch, js_name = invoke)]
    async fn tauri_invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;
}

async fn call<A: Serialize, T: DeserializeOwned>(cmd: &str, args: &A) -> Result<T, ErrorBody> {
    let args = serde_wasm_bindgen::to_value(args).map_err(internal)?;
    match tauri_invoke(cmd, args).await {
        Ok(value) => serde_wasm_bindgen::from_value(value).map_err(internal),
        // The shell's errors are `{code, message}`; anything else is a bug in the bridge.
        Err(err) => Err(serde_wasm_bindgen::from_value(err.clone())
            .unwrap_or_else(|_| internal(format!("{err:?}")))),
    }
}

fn internal(e: impl std::fmt::Display) -> ErrorBody {
    ErrorBody::new(ErrorCode::Internal, e.to_string())
}

#[derive(Serialize)]
struct NoArgs {}

#[derive(Serialize)]
struct CodeArg<'a> {
    code: &'a str,
}

#[derive(Serialize)]
struct TagArg<'a> {
    tag: &'a str,
}

pub async fn language() -> Result<String, ErrorBody> {
    call("get_language", &NoArgs {}).await
}

pub async fn set_language(tag: &str) -> Result<(), ErrorBody> {
    call("set_language", &TagArg { tag }).await
}

pub async fn list_municipalities() -> Result<MunicipalityChoice, ErrorBody> {
    call("list_municipalities", &NoArgs {}).await
}

/// Resolves when the person has finished (or abandoned) the browser login.
pub async fn start_login(code: &str) -> Result<Me, ErrorBody> {
    call("start_login", &CodeArg { code }).await
}

pub async fn cancel_login() -> Result<(), ErrorBody> {
    call("cancel_login", &NoArgs {}).await
}

/// `None`: nobody signed in; otherwise the lock's state (a restart with a PIN starts locked).
pub async fn restore_session() -> Result<Option<LockState>, ErrorBody> {
    call("restore_session", &NoArgs {}).await
}

pub async fn current_person() -> Result<Me, ErrorBody> {
    call("current_person", &NoArgs {}).await
}

pub async fn lock_state() -> Result<Option<LockState>, ErrorBody> {
    call("lock_state", &NoArgs {}).await
}

pub async fn report_activity() -> Result<Option<LockState>, ErrorBody> {
    call("report_activity", &NoArgs {}).await
}

#[derive(Serialize)]
struct PinArg<'a> {
    pin: &'a str,
}

pub async fn unlock(pin: &str) -> Result<LockState, ErrorBody> {
    call("unlock", &PinArg { pin }).await
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SetPinArgs<'a> {
    pin: &'a str,
    current_pin: Option<&'a str>,
}

pub async fn set_pin(pin: &str, current_pin: Option<&str>) -> Result<Me, ErrorBody> {
    call("set_pin", &SetPinArgs { pin, current_pin }).await
}

pub async fn sign_out() -> Result<(), ErrorBody> {
    call("sign_out", &NoArgs {}).await
}

/// `None` on a personal device.
pub async fn device_status() -> Result<Option<DeviceStatus>, ErrorBody> {
    call("device_status", &NoArgs {}).await
}

pub async fn enroll_device(code: &str) -> Result<DeviceInfo, ErrorBody> {
    call("enroll_device", &CodeArg { code }).await
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserPinArgs<'a> {
    user_id: &'a str,
    pin: &'a str,
}

pub async fn shared_login(user_id: &str, pin: &str) -> Result<Me, ErrorBody> {
    call("shared_login", &UserPinArgs { user_id, pin }).await
}

/// The shell resets the web view after it: nothing of the person survives.
pub async fn shared_sign_out() -> Result<(), ErrorBody> {
    call("shared_sign_out", &NoArgs {}).await
}

pub async fn device_admin(user_id: &str, pin: &str) -> Result<(), ErrorBody> {
    call("device_admin", &UserPinArgs { user_id, pin }).await
}

pub async fn leave_device_admin() -> Result<(), ErrorBody> {
    call("leave_device_admin", &NoArgs {}).await
}

pub async fn unenroll_device() -> Result<(), ErrorBody> {
    call("unenroll_device", &NoArgs {}).await
}

pub async fn admin_units() -> Result<Vec<UnitRef>, ErrorBody> {
    call("admin_units", &NoArgs {}).await
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NewCodeArgs<'a> {
    unit_id: &'a str,
    mode: DeviceMode,
    apartment: Option<&'a str>,
}

pub async fn create_enrollment_code(
    unit_id: &str,
    mode: DeviceMode,
    apartment: Option<&str>,
) -> Result<EnrollmentCode, ErrorBody> {
    call(
        "create_enrollment_code",
        &NewCodeArgs {
            unit_id,
            mode,
            apartment,
        },
    )
    .await
}

// The substitute-access wizard and its follow-up (SPEC C4).

pub async fn load_order_draft() -> Result<Option<OrderDraft>, ErrorBody> {
    call("load_order_draft", &NoArgs {}).await
}

#[derive(Serialize)]
struct DraftArg<'a> {
    draft: &'a OrderDraft,
}

pub async fn save_order_draft(draft: &OrderDraft) -> Result<(), ErrorBody> {
    call("save_order_draft", &DraftArg { draft }).await
}

pub async fn discard_order_draft() -> Result<(), ErrorBody> {
    call("discard_order_draft", &NoArgs {}).await
}

#[derive(Serialize)]
struct CprArg<'a> {
    cpr: &'a str,
}

pub async fn lookup_cpr(cpr: &str) -> Result<CprPerson, ErrorBody> {
    call("lookup_cpr", &CprArg { cpr }).await
}

pub async fn reserve_substitute_id() -> Result<Reservation, ErrorBody> {
    call("reserve_substitute_id", &NoArgs {}).await
}

/// Sends the kept draft; the shell retries with the same idempotency key.
pub async fn submit_order() -> Result<SubstituteAccessReceipt, ErrorBody> {
    call("submit_order", &NoArgs {}).await
}

pub async fn my_orders() -> Result<SubstituteAccessList, ErrorBody> {
    call("my_orders", &NoArgs {}).await
}

#[derive(Serialize)]
struct IdArg<'a> {
    id: &'a str,
}

pub async fn end_order(id: &str) -> Result<SubstituteAccessSummary, ErrorBody> {
    call("end_order", &IdArg { id }).await
}

#[derive(Serialize)]
struct ExtendArgs<'a> {
    id: &'a str,
    day: NaiveDate,
}

pub async fn extend_order(id: &str, day: NaiveDate) -> Result<SubstituteAccessSummary, ErrorBody> {
    call("extend_order", &ExtendArgs { id, day }).await
}

#[derive(Serialize)]
struct QueryArg<'a> {
    query: &'a DeclarationQuery,
}

pub async fn search_declarations(query: &DeclarationQuery) -> Result<DeclarationList, ErrorBody> {
    call("search_declarations", &QueryArg { query }).await
}

pub async fn open_declaration(id: &str) -> Result<SavedPdf, ErrorBody> {
    call("open_declaration", &IdArg { id }).await
}

pub async fn substitute_ids() -> Result<SubstituteIdList, ErrorBody> {
    call("substitute_ids", &NoArgs {}).await
}

#[derive(Serialize)]
struct RangeArg<'a> {
    range: &'a NewSubstituteIds,
}

pub async fn add_substitute_ids(range: &NewSubstituteIds) -> Result<AddedSubstituteIds, ErrorBody> {
    call("add_substitute_ids", &RangeArg { range }).await
}
