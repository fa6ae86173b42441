fn main() {
    // The app's commands are listed so capabilities/ can grant exactly them.
    let manifest =
        tauri_build::AppManifest::new().commands(&["list_municipalities", "choose_municipality"]);
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .config_path("../tauri.conf.json")
            .app_manifest(manifest),
    )
    .expect("tauri-build failed");
}
