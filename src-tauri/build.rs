/// Every command the UI may call; capabilities/default.json grants exactly these.
const COMMANDS: &[&str] = &[
    "list_municipalities",
    "get_language",
    "set_language",
    "start_login",
    "cancel_login",
    "restore_session",
    "current_person",
    "lock_state",
    "report_activity",
    "unlock",
    "set_pin",
    "sign_out",
    "device_status",
    "enroll_device",
    "shared_login",
    "shared_sign_out",
    "device_admin",
    "leave_device_admin",
    "unenroll_device",
    "admin_units",
    "create_enrollment_code",
    "load_order_draft",
    "save_order_draft",
    "discard_order_draft",
    "lookup_cpr",
    "reserve_substitute_id",
    "submit_order",
    "my_orders",
    "end_order",
    "extend_order",
    "search_declarations",
    "open_declaration",
    "substitute_ids",
    "add_substitute_ids",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .config_path("../tauri.conf.json")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
