//! The permission list comes from the one declaration of the shell's
//! commands (`omsorg_core::ipc::ALL`); `capabilities/default.json` grants
//! exactly these (checked by the shell's tests).

fn main() {
    // tauri-build keeps the list for the whole build: leaked, once.
    let commands: &'static [&'static str] =
        Vec::leak(omsorg_core::ipc::ALL.iter().map(|c| c.name).collect());
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .config_path("../tauri.conf.json")
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri-build failed");
}
