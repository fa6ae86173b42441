//! `omsorg-bundle <release app binary> <out dir>`: the desktop package for
//! the PCs administrators and tablet-only staff use, a `.deb` made by the
//! Tauri bundler from `tauri.conf.json` (name, version, identifier, icon),
//! exactly as `cargo tauri build --bundles deb` would, without installing
//! tauri-cli. Prints the package's path on its last line.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use tauri_bundler::{
    bundle_project, BundleBinary, BundleSettings, DebianSettings, PackageSettings, PackageType,
    SettingsBuilder,
};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [binary, out] = args.as_slice() else {
        bail!("usage: omsorg-bundle <release app binary> <out dir>");
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let conf: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("tauri.conf.json"))?)?;
    let field = |key: &str| -> Result<String> {
        conf[key]
            .as_str()
            .map(str::to_string)
            .with_context(|| format!("tauri.conf.json has no {key}"))
    };
    let binary = PathBuf::from(binary);
    let name = binary
        .file_name()
        .and_then(|n| n.to_str())
        .context("the app binary's name")?
        .to_string();
    // The bundler takes binaries from the project's out directory.
    let out = PathBuf::from(out);
    std::fs::create_dir_all(&out)?;
    if binary.canonicalize()? != out.join(&name).canonicalize().unwrap_or_default() {
        std::fs::copy(&binary, out.join(&name))?;
    }
    let icons = conf["bundle"]["icon"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i.as_str())
                .map(|i| root.join(i).display().to_string())
                .collect()
        })
        .unwrap_or_default();
    let settings = SettingsBuilder::new()
        .project_out_directory(&out)
        .package_types(vec![PackageType::Deb])
        .package_settings(PackageSettings {
            product_name: field("productName")?,
            version: field("version")?,
            description: "Omsorg: KOMBIT login, PIN lock, shared devices and substitute access for care staff"
                .into(),
            homepage: None,
            authors: Some(vec!["Omsorg".into()]),
            default_run: Some(name.clone()),
        })
        .bundle_settings(BundleSettings {
            identifier: Some(field("identifier")?),
            publisher: Some("Omsorg".into()),
            icon: Some(icons),
            short_description: Some("Omsorg for care staff".into()),
            deb: DebianSettings {
                // What the app links (WebKitGTK 4.1, GTK 3) and the Secret
                // Service it keeps the session in.
                depends: Some(vec![
                    "libwebkit2gtk-4.1-0".into(),
                    "libgtk-3-0".into(),
                    "gnome-keyring | kwalletmanager".into(),
                ]),
                section: Some("misc".into()),
                ..Default::default()
            },
            ..Default::default()
        })
        .binaries(vec![BundleBinary::new(name, true)])
        .build()?;
    let bundles = bundle_project(&settings)?;
    let deb = bundles
        .iter()
        .flat_map(|b| b.bundle_paths.iter())
        .find(|p| p.extension().is_some_and(|e| e == "deb"))
        .context("the bundler made no .deb")?;
    println!("{}", deb.display());
    Ok(())
}
