//! The app with its dev stack: dev OpenID Provider, backend on an embedded
//! SQLite file with the dev seed, and the app window. Ctrl-C stops all of it.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::util::{cmd, root, target_dir, Managed};
use crate::{build, setup};

fn env_or(key: &str, default: &str) -> String {
    std::env::var(key).unwrap_or_else(|_| default.to_string())
}

/// Starts a service that prints "<prefix> <url>" on stdout when ready.
fn start_service(
    name: &'static str,
    c: &mut std::process::Command,
    prefix: &str,
) -> Result<(Managed, String)> {
    let mut managed = Managed::spawn(name, c.stdout(Stdio::piped()))?;
    let stdout = managed.child.stdout.take().context("no stdout")?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("[{name}] {line}");
            let _ = tx.send(line);
        }
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                if let Some(url) = line.strip_prefix(prefix) {
                    return Ok((managed, url.trim().to_string()));
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Ok(Some(status)) = managed.child.try_wait() {
                    bail!("{name} exited at start ({status}); see its output above");
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => bail!("{name} exited at start"),
        }
    }
    bail!("{name} did not report ready within 60 s")
}

pub fn run() -> Result<()> {
    setup::run()?;
    let app = build::app()?;
    let (server, care_record) = build::server()?;
    let dev_dir = target_dir().join("dev");
    std::fs::create_dir_all(&dev_dir)?;

    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst))?;
    }

    let (_idp, issuer) = start_service(
        "dev-idp",
        cmd("node")
            .arg("server.js")
            .current_dir(root().join("server/dev-idp"))
            .env("PORT", env_or("OMSORG_DEV_IDP_PORT", "3000")),
        "dev-idp listening on",
    )?;
    let (_care, care_url) = start_service(
        "care-record",
        cmd(care_record.to_str().context("path")?)
            .env(
                "OMSORG_CARE_LISTEN",
                format!(
                    "127.0.0.1:{}",
                    env_or("OMSORG_DEV_CARE_RECORD_PORT", "8090")
                ),
            )
            .env("OMSORG_CARE_ISSUER", &issuer),
        "omsorg-dev-care-record listening on",
    )?;
    let (_backend, api_url) = start_service(
        "backend",
        cmd(server.to_str().context("path")?)
            .env(
                "OMSORG_LISTEN",
                format!("127.0.0.1:{}", env_or("OMSORG_DEV_API_PORT", "8080")),
            )
            .env(
                "OMSORG_DATABASE_URL",
                format!("sqlite://{}", dev_dir.join("omsorg-dev.db").display()),
            )
            .env("OMSORG_DEV_SEED", "1")
            .env("OMSORG_DEV_ISSUER", &issuer)
            .env("OMSORG_DEV_CARE_RECORD_URL", &care_url),
        "omsorg-server listening on",
    )?;

    // A machine without a display (CI, SSH) gets a virtual one, and a screenshot.
    let mut xvfb = None;
    let display = match std::env::var("DISPLAY") {
        Ok(d) if !d.is_empty() => d,
        _ => {
            let n = (90..200)
                .find(|n| !std::path::Path::new(&format!("/tmp/.X11-unix/X{n}")).exists())
                .context("no free X display number")?;
            let d = format!(":{n}");
            xvfb = Some(Managed::spawn(
                "Xvfb",
                cmd("Xvfb").args([
                    d.as_str(),
                    "-screen",
                    "0",
                    "1280x800x24",
                    "-nolisten",
                    "tcp",
                ]),
            )?);
            std::thread::sleep(Duration::from_secs(1));
            eprintln!("no DISPLAY: the window runs on the virtual display {d}");
            d
        }
    };
    // Likewise a keystore: without a session bus, a private one with an unlocked keyring.
    let mut keyring = Vec::new();
    let bus = match std::env::var("DBUS_SESSION_BUS_ADDRESS") {
        Ok(b) if !b.is_empty() => b,
        _ => {
            let (dbus, bus) = start_service(
                "dbus-daemon",
                cmd("dbus-daemon").args(["--session", "--nofork", "--print-address=1"]),
                "",
            )?;
            let home = dev_dir.join("keyring-home");
            let runtime = home.join("run");
            std::fs::create_dir_all(&runtime)?;
            std::fs::set_permissions(
                &runtime,
                std::os::unix::fs::PermissionsExt::from_mode(0o700),
            )?;
            let mut gk = Managed::spawn(
                "gnome-keyring-daemon",
                cmd("gnome-keyring-daemon")
                    .args(["--unlock", "--components=secrets", "--foreground"])
                    .env("HOME", &home)
                    .env("XDG_RUNTIME_DIR", &runtime)
                    .env("DBUS_SESSION_BUS_ADDRESS", &bus)
                    .stdin(Stdio::piped())
                    .stdout(Stdio::null()),
            )?;
            if let Some(mut stdin) = gk.child.stdin.take() {
                std::io::Write::write_all(&mut stdin, b"omsorg-dev")?;
            }
            std::thread::sleep(Duration::from_millis(500));
            eprintln!("no D-Bus session: the keystore is a private gnome-keyring on {bus}");
            keyring.push(gk);
            keyring.push(dbus);
            bus
        }
    };
    let mut app = Managed::spawn(
        "omsorg-app",
        cmd(app.to_str().context("path")?)
            .env("DISPLAY", &display)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus)
            .env("OMSORG_API_URL", &api_url)
            .env("OMSORG_DATA_DIR", dev_dir.join("app-data")),
    )?;
    eprintln!(
        "\nOmsorg dev stack is up:\n  dev IdP  {issuer}  (anna, bo, carl, dora, eva, frida, gustav; password <name>-pass; see the README)\n  backend  {api_url}\n  care record (FHIR)  {care_url}\n  app      window on {display}\nCtrl-C stops everything."
    );
    if xvfb.is_some() {
        std::thread::sleep(Duration::from_secs(6));
        let shot = dev_dir.join("screenshot.png");
        let _ = cmd("import")
            .args(["-display", &display, "-window", "root"])
            .arg(&shot)
            .status();
        eprintln!("screenshot of the window: {}", shot.display());
    }
    while !stop.load(Ordering::SeqCst) {
        if let Ok(Some(status)) = app.child.try_wait() {
            eprintln!("the app window closed ({status})");
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok(())
}
