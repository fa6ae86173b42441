//! The Omsorg shell. Security decisions live here: the web view asks through
//! commands and renders what it is given; it never talks HTTP, never sees a
//! token, and never reads the store directly.

pub mod api_client;
pub mod care;
pub mod commands;
pub mod config;
pub mod device;
pub mod error;
pub mod exports;
pub mod lock;
pub mod offline_pin;
pub mod oidc;
pub mod orders;
pub mod pin;
pub mod secrets;
pub mod session;
pub mod signout;
pub mod store;
#[cfg(test)]
mod test_support;

use tauri::{Manager, Runtime};

use crate::api_client::ApiClient;
use crate::config::AppConfig;
use crate::device::{Screen, SharedState};
use crate::lock::DeviceLock;
use crate::oidc::browser::{Browser, ProgramBrowser};
#[cfg(not(target_os = "android"))]
use crate::secrets::KeyringStore;
use crate::session::Sessions;
use crate::store::Store;

/// What every command can reach.
pub struct Shell {
    pub api: ApiClient,
    pub store: Store,
    pub sessions: Sessions,
    pub browser: Box<dyn Browser>,
    /// The inactivity clock; every command consults it. A personal device
    /// locks; a shared device signs its person out.
    pub lock: DeviceLock,
    /// How long a shared device's person may leave it unused.
    pub shared_idle: std::time::Duration,
    pub shared: SharedState,
    pub screen: Box<dyn Screen>,
    /// Where declaration PDFs are saved for viewing (in the app's data dir,
    /// owner-only; emptied at start and at sign-out).
    pub files: std::path::PathBuf,
    /// Opens a saved PDF in the platform's viewer (`OMSORG_PDF_VIEWER` for
    /// tests and diagnostics).
    pub viewer: Box<dyn Browser>,
    /// Where administrators' exports are saved (`OMSORG_EXPORT_DIR`, else
    /// the platform's downloads folder). They stay: an export is kept on
    /// purpose.
    pub exports: std::path::PathBuf,
    /// The care record's FHIR client (its token is the session's).
    pub care: care::CareClient,
}

/// The main window, as the shared-device code drives it.
struct MainWindow<R: Runtime>(tauri::AppHandle<R>);

impl<R: Runtime> Screen for MainWindow<R> {
    fn kiosk(&self, on: bool) {
        let Some(w) = self.0.get_webview_window("main") else {
            return;
        };
        // Desktop: each call can fail only if the window is gone; nothing to
        // do then.
        #[cfg(desktop)]
        {
            let _ = w.set_decorations(!on);
            let _ = w.set_fullscreen(on);
            let _ = w.set_closable(!on);
            let _ = w.set_minimizable(!on);
            let _ = w.set_always_on_top(on);
        }
        // Mobile: the app's one window already fills the screen and has no
        // frame to close. Keeping people inside the app is the platform's
        // kiosk (Android's lock-task mode, with the app allow-listed by the
        // MDM as device owner; iOS's Guided Access or single-app mode),
        // set up when the tablet is provisioned, as the README describes.
        #[cfg(mobile)]
        tracing::info!(
            on,
            "kiosk: the platform's lock-task mode keeps the app in front"
        );
        if on {
            let _ = w.set_focus();
        }
    }

    fn reset(&self) {
        if let Some(w) = self.0.get_webview_window("main") {
            if let Err(e) = w.reload() {
                tracing::error!(error = %e, "could not reset the web view");
            }
        }
    }
}

/// The platform's opener (tauri-plugin-opener): the default browser on
/// desktop, the system browser (not an in-app view) on mobile.
struct SystemBrowser<R: Runtime>(tauri::AppHandle<R>);

impl<R: Runtime> Browser for SystemBrowser<R> {
    fn open(&self, url: &str) -> Result<(), String> {
        use tauri_plugin_opener::OpenerExt;
        self.0
            .opener()
            .open_url(url, None::<&str>)
            .map_err(|e| e.to_string())
    }
}

/// Now on the wall clock, in ms since 1970: the start log lines carry it,
/// and start-bench prints when it launched the app on the same clock.
fn epoch_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1e3)
}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .try_init();
    tracing::info!(epoch_ms = epoch_ms(), "start: the shell runs");
    run_app(tauri::Builder::default())
        .run(tauri::generate_context!("../tauri.conf.json"))
        .expect("error while running the Omsorg app");
}

/// Generic over the runtime so tests can build the app on tauri's mock runtime.
pub fn run_app<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    // First, so a second launch hands over to this one (with any deep link) and exits.
    #[cfg(desktop)]
    let builder = builder.plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
        if let Some(window) = app.get_webview_window("main") {
            let _ = window.set_focus();
        }
    }));
    builder
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .setup(|app| {
            let t = std::time::Instant::now();
            tracing::info!(epoch_ms = epoch_ms(), "start: the setup begins");
            let config = AppConfig::from_env(|| app.path().app_data_dir().ok())?;
            let store = Store::open(&config.data_dir.join("omsorg.db"))?;
            let t_store = t.elapsed();
            let api = ApiClient::new(&config.api_url)?;
            let t_api = t.elapsed();
            #[cfg(not(target_os = "android"))]
            let secrets: Box<dyn crate::secrets::SecretStore> =
                Box::new(KeyringStore::new(&config.keystore_service));
            #[cfg(target_os = "android")]
            let secrets: Box<dyn crate::secrets::SecretStore> =
                Box::new(crate::secrets::AndroidStore::new(&config.keystore_service)?);
            let sessions = Sessions::new(
                secrets,
                &config.client_id,
                &config.api_audience,
                config.login_timeout,
            );
            // The system browser, never a web view (RFC 8252); OMSORG_BROWSER for tests.
            let browser: Box<dyn Browser> = match ProgramBrowser::from_env() {
                Some(program) => Box::new(program),
                None => Box::new(SystemBrowser(app.handle().clone())),
            };
            {
                use tauri_plugin_deep_link::DeepLinkExt;
                let links = sessions.deep_links.clone();
                app.deep_link().on_open_url(move |event| {
                    for url in event.urls() {
                        links.deliver(url.to_string());
                    }
                });
            }
            let files = config.data_dir.join("viewed-declarations");
            // Nothing viewed in an earlier run stays behind.
            let _ = std::fs::remove_dir_all(&files);
            let viewer: Box<dyn Browser> = match std::env::var("OMSORG_PDF_VIEWER") {
                Ok(program) if !program.is_empty() => Box::new(ProgramBrowser(program)),
                _ => Box::new(SystemBrowser(app.handle().clone())),
            };
            let exports = match std::env::var_os("OMSORG_EXPORT_DIR") {
                Some(dir) if !dir.is_empty() => dir.into(),
                _ => app
                    .path()
                    .download_dir()
                    .unwrap_or_else(|_| config.data_dir.join("exports")),
            };
            tracing::info!(api = %config.api_url, data_dir = %config.data_dir.display(), "shell ready");
            app.manage(Shell {
                api,
                store,
                sessions,
                browser,
                lock: DeviceLock::new(config.lock_after),
                shared_idle: config.shared_sign_out_after,
                shared: SharedState::default(),
                screen: Box::new(MainWindow(app.handle().clone())),
                files,
                viewer,
                exports,
                care: care::CareClient::new(),
            });
            let t_managed = t.elapsed();
            let shell = app.state::<Shell>();
            shell.api.act_for(shell.store.acting_unit()?);
            let device = shell.store.device()?;
            // The window (as tauri.conf.json describes it) is made here, with
            // the first screen's non-personal facts handed to the page before
            // its scripts run: with nobody signed in and no enrollment the
            // login screen is drawn at once, without waiting for the shell's
            // first answer (a web view's first IPC round trip costs 15-25 ms,
            // later ones 1-3). A reload (a shared sign-out's reset) does not
            // believe them and asks the shell (`app.rs`).
            let start = serde_json::json!({
                "lang": shell.store.language()?.unwrap_or_else(|| "da".into()),
                "enrolled": device.is_some(),
                "signedIn": shell.store.person()?.is_some(),
            });
            let main = app
                .config()
                .app
                .windows
                .iter()
                .find(|w| w.label == "main")
                .cloned()
                .ok_or("tauri.conf.json describes no main window")?;
            tauri::WebviewWindowBuilder::from_config(app.handle(), &main)?
                .initialization_script(format!(
                    "window.__OMSORG_START__ = (performance.navigation && performance.navigation.type === 1) ? null : {start};"
                ))
                .build()?;
            tracing::info!(
                store_ms = t_store.as_secs_f64() * 1e3,
                api_ms = (t_api - t_store).as_secs_f64() * 1e3,
                managed_ms = (t_managed - t_api).as_secs_f64() * 1e3,
                window_ms = (t.elapsed() - t_managed).as_secs_f64() * 1e3,
                "start: the window is made"
            );
            // A wall screen starts in kiosk mode, before anyone sees it.
            device::apply_kiosk(&shell, device.as_ref());
            // Secrets kept without their store rows (the app stopped between
            // two writes) are removed after start, never on the first
            // screen's path.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let shell = handle.state::<Shell>();
                let _ = device::drop_orphaned_credential(&shell);
                let _ = shell.sessions.drop_orphaned_session(&shell.store).await;
            });
            // The shell's own clock: sign-out and lock happen on time even
            // if the web view stops asking.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
                loop {
                    tick.tick().await;
                    let shell = handle.state::<Shell>();
                    pin::observe(&shell, shell.lock.state()).await;
                }
            });
            Ok(())
        })
        // Every command declared in omsorg_core::ipc, its lock policy
        // applied before its body (commands.rs).
        .invoke_handler(commands::handler())
        // Coming back to the app counts as use, unless the time away passed
        // the timeout: then it locks at once, before the web view is seen.
        // In the background (mobile: suspended) nothing counts as use; a
        // repeated suspend or resume changes nothing (lock::to_background).
        .on_window_event(|window, event| match event {
            tauri::WindowEvent::Focused(true) => {
                if let Some(shell) = window.try_state::<Shell>() {
                    shell.lock.to_foreground();
                }
            }
            #[cfg(mobile)]
            tauri::WindowEvent::Resumed => {
                if let Some(shell) = window.try_state::<Shell>() {
                    shell.lock.to_foreground();
                }
            }
            #[cfg(mobile)]
            tauri::WindowEvent::Suspended => {
                if let Some(shell) = window.try_state::<Shell>() {
                    shell.lock.to_background();
                }
            }
            // A wall screen in kiosk mode cannot be closed (Alt+F4, the
            // window manager): only an administrator's PIN suspends it.
            tauri::WindowEvent::CloseRequested { api, .. }
                if window
                    .try_state::<Shell>()
                    .is_some_and(|s| s.shared.kiosk_active()) =>
            {
                tracing::info!("close refused: kiosk mode");
                api.prevent_close();
            }
            _ => {}
        })
}
