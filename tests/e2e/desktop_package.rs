//! The desktop package (SPEC: administrators and tablet-only staff use a
//! PC, e.g. to set their PIN): the `.deb` the Tauri bundler made of the
//! release app installs with dpkg, puts the app and its launcher where a
//! desktop finds them, starts from there to the login screen, and removes
//! cleanly.

use anyhow::{bail, Result};
use omsorg_e2e::*;
use tokio::process::Command;

async fn run(program: &str, args: &[&str]) -> Result<String> {
    let out = Command::new(program).args(args).output().await?;
    if !out.status.success() {
        bail!(
            "{program} {args:?}: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[tokio::test]
async fn the_deb_installs_starts_at_the_login_screen_and_removes() -> Result<()> {
    let deb = required_path("OMSORG_E2E_DEB");
    let deb = deb.display().to_string();
    let package = run("dpkg-deb", &["--field", &deb, "Package"]).await?;
    let package = package.trim().to_string();
    let files = run("dpkg-deb", &["--contents", &deb]).await?;
    // `-rwxr-xr-x 0/0 9817360 2026-12-01 19:02 usr/bin/omsorg-app` (with or without "./").
    let binary = files
        .lines()
        .filter(|l| l.starts_with('-'))
        .filter_map(|l| l.split_whitespace().last())
        .map(|p| p.trim_start_matches("./"))
        .find(|p| p.starts_with("usr/bin/"))
        .map(|p| format!("/{p}"))
        .ok_or_else(|| anyhow::anyhow!("no program under /usr/bin in the package:\n{files}"))?;
    assert!(
        files.contains("usr/share/applications/") && files.contains(".desktop"),
        "a launcher for the desktop's menu:\n{files}"
    );
    let depends = run("dpkg-deb", &["--field", &deb, "Depends"]).await?;
    assert!(depends.contains("libwebkit2gtk-4.1-0"), "{depends}");

    run("dpkg", &["--install", &deb]).await?;
    let installed = async {
        let status = run(
            "dpkg-query",
            &["--show", "--showformat=${Status}", &package],
        )
        .await?;
        // Inside this block a failure is an error, never a panic: the
        // package is removed below whatever happens here.
        anyhow::ensure!(status == "install ok installed", "dpkg says {status:?}");
        anyhow::ensure!(
            std::path::Path::new(&binary).exists(),
            "{binary} not installed"
        );

        // Started from where the package put it, in a desktop session with
        // a Secret Service (as a PC has), it shows the login screen and no
        // complaint about its keystore.
        let dir = tempfile::tempdir()?;
        let x = Xvfb::start().await?;
        let keyring = omsorg_e2e::identity::Keyring::start(dir.path()).await?;
        let mut env = vec![(
            "OMSORG_DATA_DIR",
            dir.path().join("app").display().to_string(),
        )];
        env.extend(keyring.env());
        let driver = Driver::start(&x.display, &env).await?;
        let app = driver.launch(std::path::Path::new(&binary)).await?;
        let login = wait_css(&app, "#login-kombit").await?.text().await?;
        anyhow::ensure!(login == "Log ind med KOMBIT", "{login}");
        next_frame(&app).await?;
        anyhow::ensure!(
            app.find(thirtyfour::By::Id("login-notice")).await.is_err(),
            "the installed app started with a notice: {}",
            app.find(thirtyfour::By::Tag("main")).await?.text().await?
        );
        screenshot(&app, "desktop-package-login.png").await?;
        app.quit().await?;
        Ok::<_, anyhow::Error>(())
    }
    .await;
    // Removed whatever happened, so the machine is as it was.
    let removed = run("dpkg", &["--remove", &package]).await;
    installed?;
    removed?;
    assert!(!std::path::Path::new(&binary).exists(), "{binary} removed");
    Ok(())
}
