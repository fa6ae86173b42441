//! The screen gallery (feature `gallery`, a test-only build that never
//! reaches the release bundle): the shell is replaced by fixture answers
//! for the scene named in the URL's query (`?home`, `?order-3`, …), so
//! every screen can be rendered at every size in the real app window
//! without a backend. The screens themselves are the real ones; only
//! `shell::call` answers from here. `tests/e2e/gallery.rs` drives it.

use chrono::{Duration, NaiveDate, Utc};
use omsorg_core::api::{
    AddedSubstituteIds, AuditActor, AuditEntry, AuditPage, CprPerson, DeclarationList,
    DeclarationSummary, DeviceInfo, DeviceList, DeviceMode, DeviceSummary, EnrollmentCode, Me,
    Municipality, OrderPage, OrderState, PeopleList, PersonSummary, Reservation, Role,
    SubstituteAccessList, SubstituteAccessReceipt, SubstituteAccessSummary, SubstituteId,
    SubstituteIdList, SubstituteIdState, UnitRef, UnitSettings,
};
use omsorg_core::bridge::{DeviceStatus, MunicipalityChoice, OrderDraft, SavedExport, SavedPdf};
use omsorg_core::lock::LockState;
use omsorg_core::period::PeriodPolicy;
use omsorg_core::wizard::fixture;
use omsorg_core::{declaration, ErrorBody, ErrorCode};
use serde::Serialize;
use serde_json::Value;

/// The scene: the URL's query without `?`.
fn scene() -> String {
    gloo::utils::window()
        .location()
        .search()
        .unwrap_or_default()
        .trim_start_matches('?')
        .to_string()
}

fn to<T: Serialize>(value: T) -> Result<Value, ErrorBody> {
    serde_json::to_value(value).map_err(|e| ErrorBody::new(ErrorCode::Internal, e.to_string()))
}

fn unit(id: &str, name: &str) -> UnitRef {
    UnitRef {
        id: id.into(),
        name: name.into(),
    }
}

/// An administrator who also orders, acting for one of two units: every
/// button of the home screen shows.
fn person(has_pin: bool) -> Me {
    let nord = unit("u-nord", "Hjemmeplejen Nord");
    Me {
        user_id: "bo".into(),
        name: "Bo Berg".into(),
        municipality_code: "101".into(),
        unit: Some(nord.clone()),
        units: vec![nord, unit("u-syd", "Hjemmeplejen Syd")],
        roles: vec![Role::Staff, Role::Orderer, Role::Administrator],
        has_pin,
        pin_locked: false,
        may_order_substitutes: true,
        pin_min_len: 4,
        period: Default::default(),
    }
}

fn device(scene: &str) -> DeviceInfo {
    let wall = scene.contains("wall") || scene == "device-admin";
    DeviceInfo {
        device_id: "dev-7f3a".into(),
        mode: if wall {
            DeviceMode::WallScreen
        } else {
            DeviceMode::ApartmentTablet
        },
        unit: unit("u-solhaven", "Plejehjemmet Solhaven"),
        apartment: (!wall).then(|| "Lejlighed 12".into()),
    }
}

/// The wizard's draft at step `n` (0 = a new order): every earlier step done.
fn draft(n: u8) -> Option<OrderDraft> {
    if n == 0 {
        return None;
    }
    let mut d = fixture::complete(Utc::now() + Duration::minutes(30));
    d.declaration_version = declaration::current().0.to_string();
    d.step = n;
    if n < 4 {
        d.strokes.clear();
        d.signature_png = None;
    }
    if n < 3 {
        d.reservation = None;
    }
    Some(d)
}

fn order(i: u32, ended: bool) -> SubstituteAccessSummary {
    let start = Utc::now() - Duration::days(i64::from(i));
    SubstituteAccessSummary {
        id: format!("a-{i}"),
        user_id: format!("vik{:03}", i + 1),
        substitute_name: [
            "Sofie Vikar Jensen",
            "Mads Nørgaard-Kristiansen",
            "Aisha Ali",
        ][i as usize % 3]
            .into(),
        cpr_masked: "010190-XXXX".into(),
        orderer_name: "Bo Berg".into(),
        unit: Some(unit("u-nord", "Hjemmeplejen Nord")),
        starts_at: start,
        ends_at: start + Duration::days(3),
        ended_at: ended.then_some(start + Duration::days(1)),
        state: if ended {
            OrderState::Ended
        } else {
            OrderState::Active
        },
        agency: i.is_multiple_of(2).then(|| "Vikarhuset A/S".into()),
    }
}

/// The shell's answer to `name` in this scene.
pub async fn answer(name: &str) -> Result<Value, ErrorBody> {
    let scene = scene();
    let shared = scene.starts_with("shared") || scene == "device-admin";
    match name {
        "get_language" => to(if scene.ends_with("-en") { "en" } else { "da" }),
        "device_status" if shared => to(Some(DeviceStatus {
            device: device(&scene),
            admin: scene == "device-admin",
        })),
        "device_status" => to(None::<DeviceStatus>),
        "restore_session" | "lock_state" | "report_activity" => to(match scene.as_str() {
            "lock" => Some(LockState::Locked { attempts_left: 3 }),
            "login" | "login-en" => None,
            _ if shared => None,
            _ => Some(LockState::Unlocked),
        }),
        "current_person" | "choose_unit" | "set_pin" => to(person(scene != "pin-setup")),
        "shared_login" => to(Me {
            roles: vec![Role::Staff],
            units: vec![],
            ..person(true)
        }),
        "list_municipalities" => to(MunicipalityChoice {
            municipalities: [("101", "København"), ("751", "Aarhus"), ("461", "Odense")]
                .into_iter()
                .map(|(code, name)| Municipality {
                    code: code.into(),
                    name: name.into(),
                    issuer: format!("https://broker.example/{code}"),
                    hint: Some(code.into()),
                })
                .collect(),
            cached_at: None,
            last_choice: Some("101".into()),
        }),
        // The browser is open: the login waits for as long as the scene lasts.
        "start_login" => std::future::pending::<Result<Value, ErrorBody>>().await,
        "load_order_draft" => to(scene
            .strip_prefix("order-")
            .and_then(|n| n.parse().ok())
            .and_then(draft)),
        "lookup_cpr" => to(CprPerson {
            name: "Sofie Vikar Jensen".into(),
            cpr_masked: "010190-XXXX".into(),
            birth_date: NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or_default(),
            returning: None,
        }),
        "reserve_substitute_id" => to(Reservation {
            user_id: "vik001".into(),
            reserved_until: Utc::now() + Duration::minutes(30),
            same_as_before: false,
        }),
        "submit_order" => to(SubstituteAccessReceipt {
            id: "a-0".into(),
            user_id: "vik001".into(),
            substitute_name: "Sofie Vikar Jensen".into(),
            initial_password: Some("Tulipan-Regn-4821".into()),
            starts_at: Utc::now(),
            ends_at: Utc::now() + Duration::days(3),
            systems: vec![
                "Nexus – Hjemmeplejen Nord".into(),
                "FMK-medicinmodul".into(),
            ],
        }),
        "my_orders" => to(SubstituteAccessList {
            accesses: (0..4).map(|i| order(i, i == 3)).collect(),
        }),
        "end_order" | "extend_order" => to(order(0, name == "end_order")),
        "admin_units" => to(vec![
            unit("u-nord", "Hjemmeplejen Nord"),
            unit("u-syd", "Hjemmeplejen Syd"),
            unit("u-solhaven", "Plejehjemmet Solhaven"),
        ]),
        "create_enrollment_code" => to(EnrollmentCode {
            code: "K7QF-2M9X".into(),
            expires_at: Utc::now() + Duration::minutes(15),
        }),
        "enroll_device" => to(device("shared-tablet")),
        "search_declarations" => to(DeclarationList {
            declarations: (0..3)
                .map(|i| {
                    let o = order(i, false);
                    DeclarationSummary {
                        access_id: o.id,
                        substitute_name: o.substitute_name,
                        cpr_masked: o.cpr_masked,
                        user_id: o.user_id,
                        unit: o.unit,
                        orderer_name: o.orderer_name,
                        signed_at: o.starts_at,
                        declaration_version: declaration::current().0.to_string(),
                    }
                })
                .collect(),
        }),
        "open_declaration" => to(SavedPdf {
            path: "/tmp/omsorg/viewed-declarations/a-0.pdf".into(),
            opened: true,
            sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        }),
        "substitute_ids" => to(SubstituteIdList {
            ids: (1..=12)
                .map(|i| SubstituteId {
                    user_id: format!("vik{i:03}"),
                    state: match i % 4 {
                        0 => SubstituteIdState::Free,
                        1 => SubstituteIdState::InUse,
                        2 => SubstituteIdState::Reserved,
                        _ => SubstituteIdState::Archived,
                    },
                    reserved_until: (i % 4 == 2).then(|| Utc::now() + Duration::minutes(20)),
                    free_again_at: (i % 4 == 3).then(|| Utc::now() + Duration::days(29)),
                })
                .collect(),
        }),
        "add_substitute_ids" => to(AddedSubstituteIds { added: 10 }),
        "admin_people" => to(PeopleList {
            people: vec![
                PersonSummary {
                    user_id: "anna".into(),
                    name: "Anna Andersen".into(),
                    units: vec![unit("u-nord", "Hjemmeplejen Nord")],
                    roles: vec![Role::Staff, Role::Orderer],
                    has_pin: true,
                    pin_blocked: false,
                    last_login: Some(Utc::now() - Duration::hours(3)),
                },
                PersonSummary {
                    user_id: "carl".into(),
                    name: "Carl Christensen".into(),
                    units: vec![unit("u-syd", "Hjemmeplejen Syd")],
                    roles: vec![Role::Staff],
                    has_pin: true,
                    pin_blocked: true,
                    last_login: None,
                },
            ],
            more: false,
        }),
        "admin_devices" => to(DeviceList {
            devices: vec![
                DeviceSummary {
                    device_id: "q2Vh3kLx9RtP0aZw".into(),
                    label: omsorg_core::enrollment::device_label("q2Vh3kLx9RtP0aZw"),
                    mode: DeviceMode::ApartmentTablet,
                    unit: unit("u-nord", "Hjemmeplejen Nord"),
                    apartment: Some("Lejl. 12".into()),
                    enrolled_by: Some("Bo Berg".into()),
                    enrolled_at: Utc::now() - Duration::days(40),
                    last_seen: Some(Utc::now() - Duration::minutes(4)),
                },
                DeviceSummary {
                    device_id: "Zx81mNq0pLk7VbT2".into(),
                    label: omsorg_core::enrollment::device_label("Zx81mNq0pLk7VbT2"),
                    mode: DeviceMode::WallScreen,
                    unit: unit("u-nord", "Hjemmeplejen Nord"),
                    apartment: None,
                    enrolled_by: None,
                    enrolled_at: Utc::now() - Duration::days(200),
                    last_seen: None,
                },
            ],
        }),
        "revoke_device" => to(()),
        "audit_log" => to(AuditPage {
            entries: (0..6)
                .map(|i| AuditEntry {
                    id: 100 - i,
                    at: Utc::now() - Duration::minutes(17 * i),
                    actor: (i % 3 != 2).then(|| AuditActor {
                        user_id: "bo".into(),
                        name: "Bo Berg".into(),
                    }),
                    action: ["pin.reset", "device.revoked", "device.enrolled"][i as usize % 3]
                        .into(),
                    subject: ["anna", "q2Vh3kLx9RtP0aZw", "Zx81mNq0pLk7VbT2 in u-nord"]
                        [i as usize % 3]
                        .into(),
                })
                .collect(),
            next_before: Some(94),
        }),
        "export_audit" | "export_orders" => to(SavedExport {
            path: "/home/bo/Overførsler/omsorg-revisionslog-2026-12-02-0930.csv".into(),
            bytes: 2048,
        }),
        "id_generator" | "set_id_generator" => to(omsorg_core::api::IdGenerator {
            prefix: "vik".into(),
            min_free: 10,
        }),
        "release_reservation" => to(()),
        "admin_orders" => to(OrderPage {
            orders: (0..4).map(|i| order(i, i % 2 == 1)).collect(),
            more: true,
        }),
        "unit_settings" => to(vec![
            UnitSettings {
                id: "u-nord".into(),
                name: "Hjemmeplejen Nord".into(),
                parent_id: None,
                manager_name: Some("Mette Madsen".into()),
                may_order_substitutes: true,
                period: PeriodPolicy::default(),
                groups: vec![
                    "Nexus – Hjemmeplejen Nord".into(),
                    "FMK-medicinmodul".into(),
                ],
            },
            UnitSettings {
                id: "u-nord-aften".into(),
                name: "Aftenvagten, Hjemmeplejen Nord".into(),
                parent_id: Some("u-nord".into()),
                manager_name: None,
                may_order_substitutes: false,
                period: PeriodPolicy::new(2, 10).expect("within SPEC"),
                groups: vec![],
            },
        ]),
        "unlock" => to(LockState::Unlocked),
        // Everything else changes something and answers nothing.
        _ => Ok(Value::Null),
    }
}
