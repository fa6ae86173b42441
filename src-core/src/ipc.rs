//! The shell's commands, as the web view calls them: each declared once,
//! here, with its name, its arguments, its answer and its **lock policy**.
//!
//! From this one list come: the shell's dispatcher (every command body is a
//! method of [`Handlers`], so a declared command without a body does not
//! compile, and the lock is applied by one guard before any body runs), the
//! build script's permission list and the capability file (checked by the
//! shell's tests), and the UI's typed call (`call::<ipc::LookupCpr>(&args)`).
//!
//! Arguments travel as a JSON object with camelCase keys; unknown keys are
//! refused, so a slip in the web view is an error, not a silently dropped
//! value.

use std::future::Future;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::api::{
    AddedSubstituteIds, AuditPage, AuditQuery, CprPerson, DeclarationList, DeclarationQuery,
    DeviceInfo, DeviceList, DeviceMode, EnrollmentCode, ExportFormat, IdGenerator, Me,
    NewSubstituteIds, OrderPage, OrderQuery, PeopleList, Reservation, SubstituteAccessList,
    SubstituteAccessReceipt, SubstituteAccessSummary, SubstituteIdList, UnitRef, UnitSettings,
    UnitSettingsChange,
};
use crate::bridge::{DeviceStatus, MunicipalityChoice, OrderDraft, SavedExport, SavedPdf};
use crate::care::{
    CareStatus, Measurement, MeasurementInput, MeasurementList, MedicationDay, ResidentList,
};
use crate::lock::LockState;

/// Whether a command may run while a personal session is locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockPolicy {
    /// The lock screen needs it (unlock, sign out, the lock's state, the
    /// language); it never answers with anything personal.
    WhileLocked,
    /// Refused with `session.locked` while the session is locked.
    Unlocked,
}

/// One shell command: its name on the bridge, what it takes and answers.
pub trait Command {
    const NAME: &'static str;
    const POLICY: LockPolicy;
    type Args: Serialize + for<'de> Deserialize<'de> + Default;
    type Output: Serialize + for<'de> Deserialize<'de>;
}

/// A command as listed in [`ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declared {
    pub name: &'static str,
    pub policy: LockPolicy,
}

/// The declared policy of `name`; `None` for a command that is not declared.
pub fn policy(name: &str) -> Option<LockPolicy> {
    ALL.iter().find(|c| c.name == name).map(|c| c.policy)
}

/// Why a call could not reach its body.
#[derive(Debug, PartialEq)]
pub enum Dispatch<E> {
    /// No such command is declared.
    Unknown(String),
    /// The arguments do not fit the declaration.
    BadArgs(String),
    /// The body ran and refused.
    Failed(E),
}

/// Arguments for a command that takes none (`{}` on the bridge).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoArgs {}

macro_rules! args {
    ($( $(#[doc = $doc:literal])* $name:ident { $($field:ident : $ty:ty),* $(,)? } )*) => {
        $(
            $(#[doc = $doc])*
            #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
            #[serde(rename_all = "camelCase", deny_unknown_fields)]
            pub struct $name { $(pub $field: $ty),* }
        )*
    };
}

args! {
    CodeArgs { code: String }
    TagArgs { tag: String }
    PinArgs { pin: String }
    /// A first PIN, or a change (`current_pin`, unless the KOMBIT login is fresh).
    SetPinArgs { pin: String, current_pin: Option<String> }
    UserPinArgs { user_id: String, pin: String }
    NewCodeArgs { unit_id: String, mode: DeviceMode, apartment: Option<String> }
    DraftArgs { draft: OrderDraft }
    /// A CPR number as typed; the shell parses it before it leaves the device.
    CprArgs { cpr: String }
    IdArgs { id: String }
    /// A new last day for an access (the time of day stays as now).
    ExtendArgs { id: String, day: NaiveDate }
    QueryArgs { query: DeclarationQuery }
    RangeArgs { range: NewSubstituteIds }
    UnitSettingsArgs { id: String, change: UnitSettingsChange }
    /// Part of a name or user ID (empty: everyone).
    SearchArgs { q: String }
    AuditArgs { query: AuditQuery }
    /// The audit rows `query` finds, as a file in `format`.
    AuditExportArgs { query: AuditQuery, format: ExportFormat }
    OrderQueryArgs { query: OrderQuery }
    /// The orders `query` finds, as a file in `format`.
    OrderExportArgs { query: OrderQuery, format: ExportFormat }
    GeneratorArgs { generator: IdGenerator }
    /// "Registrér måling" for `resident`; `key` is made once per form and
    /// sent with every try, so the care record stores it once.
    MeasurementArgs { resident: String, input: MeasurementInput, key: String }
}

macro_rules! commands {
    ($( $(#[doc = $doc:literal])* $ty:ident $method:ident($args:ty) -> $out:ty, $policy:ident; )*) => {
        $(
            $(#[doc = $doc])*
            #[derive(Debug, Clone, Copy)]
            pub enum $ty {}
            impl Command for $ty {
                const NAME: &'static str = stringify!($method);
                const POLICY: LockPolicy = LockPolicy::$policy;
                type Args = $args;
                type Output = $out;
            }
        )*

        /// Every command, in declaration order.
        pub const ALL: &[Declared] = &[
            $( Declared { name: stringify!($method), policy: LockPolicy::$policy } ),*
        ];

        /// The arguments' default value as the bridge carries it, for a
        /// test that calls every command; `None` for an undeclared name.
        pub fn default_args(name: &str) -> Option<serde_json::Value> {
            match name {
                $( stringify!($method) => serde_json::to_value(<$args>::default()).ok(), )*
                _ => None,
            }
        }

        /// The bodies of every command, one method each (the shell's `Shell`).
        pub trait Handlers: Sync {
            type Error;
            $(
                fn $method(&self, args: $args)
                    -> impl Future<Output = Result<$out, Self::Error>> + Send;
            )*
        }

        /// Runs the body of `name` with `args` (a JSON object) and answers
        /// with its output as JSON. The lock policy is the caller's to apply
        /// first ([`policy`]).
        pub async fn dispatch<H: Handlers>(
            handlers: &H,
            name: &str,
            args: serde_json::Value,
        ) -> Result<serde_json::Value, Dispatch<H::Error>> {
            match name {
                $(
                    stringify!($method) => {
                        let args: $args = serde_json::from_value(args)
                            .map_err(|e| Dispatch::BadArgs(format!("{}: {e}", stringify!($method))))?;
                        let out = handlers.$method(args).await.map_err(Dispatch::Failed)?;
                        serde_json::to_value(out)
                            .map_err(|e| Dispatch::BadArgs(format!("{}: {e}", stringify!($method))))
                    }
                )*
                other => Err(Dispatch::Unknown(other.to_string())),
            }
        }
    };
}

commands! {
    /// The municipality picker: the live list, or the cached one offline.
    ListMunicipalities list_municipalities(NoArgs) -> MunicipalityChoice, Unlocked;
    /// The UI language ("da" or "en"); a device setting, so the lock screen
    /// speaks it too.
    GetLanguage get_language(NoArgs) -> String, WhileLocked;
    SetLanguage set_language(TagArgs) -> (), Unlocked;
    /// KOMBIT login for a municipality, in the system browser; answers with
    /// the person once the backend knows them, never with a token.
    StartLogin start_login(CodeArgs) -> Me, Unlocked;
    CancelLogin cancel_login(NoArgs) -> (), Unlocked;
    /// At start: whether someone is signed in, and the lock's state.
    RestoreSession restore_session(NoArgs) -> Option<LockState>, Unlocked;
    CurrentPerson current_person(NoArgs) -> Me, Unlocked;
    /// The unit a person with several acts for on this device (one of
    /// `Me::units`); answers with the person as seen acting for it.
    ChooseUnit choose_unit(IdArgs) -> Me, Unlocked;
    /// `None` when nobody is signed in; carries nothing personal.
    LockStateNow lock_state(NoArgs) -> Option<LockState>, WhileLocked;
    /// The person used the app; after the timeout it reports the lock instead.
    ReportActivity report_activity(NoArgs) -> Option<LockState>, WhileLocked;
    Unlock unlock(PinArgs) -> LockState, WhileLocked;
    SetPin set_pin(SetPinArgs) -> Me, Unlocked;
    SignOut sign_out(NoArgs) -> (), WhileLocked;
    /// `None` on a personal device.
    DeviceStatusNow device_status(NoArgs) -> Option<DeviceStatus>, Unlocked;
    EnrollDevice enroll_device(CodeArgs) -> DeviceInfo, Unlocked;
    SharedLogin shared_login(UserPinArgs) -> Me, Unlocked;
    /// "Log ud" on a shared device (never refused: leaving always works).
    SharedSignOut shared_sign_out(NoArgs) -> (), WhileLocked;
    DeviceAdmin device_admin(UserPinArgs) -> (), Unlocked;
    LeaveDeviceAdmin leave_device_admin(NoArgs) -> (), Unlocked;
    UnenrollDevice unenroll_device(NoArgs) -> (), Unlocked;
    AdminUnits admin_units(NoArgs) -> Vec<UnitRef>, Unlocked;
    CreateEnrollmentCode create_enrollment_code(NewCodeArgs) -> EnrollmentCode, Unlocked;
    LoadOrderDraft load_order_draft(NoArgs) -> Option<OrderDraft>, Unlocked;
    SaveOrderDraft save_order_draft(DraftArgs) -> (), Unlocked;
    DiscardOrderDraft discard_order_draft(NoArgs) -> (), Unlocked;
    LookupCpr lookup_cpr(CprArgs) -> CprPerson, Unlocked;
    ReserveSubstituteId reserve_substitute_id(NoArgs) -> Reservation, Unlocked;
    /// Sends the kept draft; retried with one idempotency key.
    SubmitOrder submit_order(NoArgs) -> SubstituteAccessReceipt, Unlocked;
    MyOrders my_orders(NoArgs) -> SubstituteAccessList, Unlocked;
    EndOrder end_order(IdArgs) -> SubstituteAccessSummary, Unlocked;
    ExtendOrder extend_order(ExtendArgs) -> SubstituteAccessSummary, Unlocked;
    SearchDeclarations search_declarations(QueryArgs) -> DeclarationList, Unlocked;
    OpenDeclaration open_declaration(IdArgs) -> SavedPdf, Unlocked;
    SubstituteIds substitute_ids(NoArgs) -> SubstituteIdList, Unlocked;
    AddSubstituteIds add_substitute_ids(RangeArgs) -> AddedSubstituteIds, Unlocked;
    /// Administrators: the units their privileges cover, with whether each
    /// orders substitutes and its default and longest period.
    ListUnitSettings unit_settings(NoArgs) -> Vec<UnitSettings>, Unlocked;
    SetUnitSettings set_unit_settings(UnitSettingsArgs) -> UnitSettings, Unlocked;
    /// Administrators: their municipality's people, searchable.
    AdminPeople admin_people(SearchArgs) -> PeopleList, Unlocked;
    /// Administrators: "Nulstil PIN-kode" for the person with user ID `id`.
    ResetPin reset_pin(IdArgs) -> (), Unlocked;
    /// Administrators: their municipality's enrolled shared devices.
    AdminDevices admin_devices(NoArgs) -> DeviceList, Unlocked;
    /// Administrators: "Tilbagekald" for the device with ID `id`.
    RevokeDevice revoke_device(IdArgs) -> (), Unlocked;
    /// Administrators: a page of their municipality's audit log.
    AuditLog audit_log(AuditArgs) -> AuditPage, Unlocked;
    /// Administrators: the audit rows found, saved as a file in the
    /// export folder.
    ExportAudit export_audit(AuditExportArgs) -> SavedExport, Unlocked;
    /// Administrators: a page of the orders placed for their units.
    AdminOrders admin_orders(OrderQueryArgs) -> OrderPage, Unlocked;
    /// Administrators: the orders found, saved as a file in the export
    /// folder (no CPR numbers).
    ExportOrders export_orders(OrderExportArgs) -> SavedExport, Unlocked;
    /// Administrators: "Frigiv" for the reserved user ID `id`.
    ReleaseReservation release_reservation(IdArgs) -> (), Unlocked;
    /// Administrators: the municipality's user-ID generator.
    IdGeneratorNow id_generator(NoArgs) -> IdGenerator, Unlocked;
    SetIdGenerator set_id_generator(GeneratorArgs) -> IdGenerator, Unlocked;
    /// The care record's integration session (SPEC C5): its time left.
    CareStatusNow care_status(NoArgs) -> CareStatus, Unlocked;
    /// "Log ind i Nexus" in the system browser; answers with the new
    /// session's time, never with its token.
    CareLogin care_login(NoArgs) -> CareStatus, Unlocked;
    /// "Beboere": the acting unit's residents in the care record.
    CareResidents care_residents(NoArgs) -> ResidentList, Unlocked;
    /// A resident's "Medicin" today (`id`: the resident).
    CareMedication care_medication(IdArgs) -> MedicationDay, Unlocked;
    /// A resident's "Målinger", newest first.
    CareMeasurements care_measurements(IdArgs) -> MeasurementList, Unlocked;
    RegisterMeasurement register_measurement(MeasurementArgs) -> Measurement, Unlocked;
}

/// The capability permission that allows `name` (Tauri's `allow-<kebab>`).
pub fn permission(name: &str) -> String {
    format!("allow-{}", name.replace('_', "-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_snake_case() {
        let mut names: Vec<_> = ALL.iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len(), "a name declared twice");
        assert!(names
            .iter()
            .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '_')));
        assert_eq!(<LookupCpr as Command>::NAME, "lookup_cpr");
        assert_eq!(policy("unlock"), Some(LockPolicy::WhileLocked));
        assert_eq!(policy("lookup_cpr"), Some(LockPolicy::Unlocked));
        assert_eq!(policy("eval"), None);
        assert_eq!(permission("lookup_cpr"), "allow-lookup-cpr");
    }

    #[test]
    fn only_the_lock_screens_commands_run_while_locked() {
        let mut open: Vec<_> = ALL
            .iter()
            .filter(|c| c.policy == LockPolicy::WhileLocked)
            .map(|c| c.name)
            .collect();
        open.sort_unstable();
        assert_eq!(
            open,
            [
                "get_language",
                "lock_state",
                "report_activity",
                "shared_sign_out",
                "sign_out",
                "unlock"
            ]
        );
    }

    #[test]
    fn arguments_are_camel_case_and_strict() {
        let args: SetPinArgs =
            serde_json::from_value(serde_json::json!({"pin": "4826", "currentPin": "1397"}))
                .unwrap();
        assert_eq!(args.current_pin.as_deref(), Some("1397"));
        let slip = serde_json::from_value::<SetPinArgs>(
            serde_json::json!({"pin": "4826", "current_pin": "1397"}),
        );
        assert!(slip.is_err(), "a snake_case key is a slip, not ignored");
        assert!(serde_json::from_value::<NoArgs>(serde_json::json!({"x": 1})).is_err());
    }
}
