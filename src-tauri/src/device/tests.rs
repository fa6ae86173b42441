use super::*;

use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Json;
use chrono::Utc;
use omsorg_core::lock::LockState;
use serde_json::json;

use crate::api_client::ApiClient;
use crate::lock::{DeviceLock, ManualClock};
use crate::secrets::MemoryStore;
use crate::session::Sessions;
use crate::store::Store;

#[derive(Default)]
struct Recorded {
    kiosk: Mutex<Vec<bool>>,
    resets: AtomicUsize,
}

struct Recorder(Arc<Recorded>);

impl Screen for Recorder {
    fn kiosk(&self, on: bool) {
        self.0.kiosk.lock().unwrap().push(on);
    }
    fn reset(&self) {
        self.0.resets.fetch_add(1, Ordering::SeqCst);
    }
}

struct NoBrowser;

impl crate::oidc::browser::Browser for NoBrowser {
    fn open(&self, _url: &str) -> Result<(), String> {
        Err("no browser here".into())
    }
}

/// A backend with one wall screen to enroll, carl (staff) and eva
/// (administrator) to log in, and a switch that revokes the device.
async fn backend(revoked: Arc<AtomicBool>, logouts: Arc<AtomicUsize>) -> String {
    let device = json!({"device_id": "d1", "mode": "wall_screen",
        "unit": {"id": "aar-solhaven", "name": "Plejehjemmet Solhaven"}, "apartment": null});
    let me = json!({"user_id": "carl", "name": "Carl Christensen", "municipality_code": "751",
        "unit": null, "roles": ["staff"], "has_pin": true, "may_order_substitutes": false});
    let enrolled = json!({"device": device.clone(), "credential": "cred-1"});
    let app = axum::Router::new()
        .route(
            "/api/v1/devices/enroll",
            post(move || async move { (StatusCode::CREATED, Json(enrolled)) }),
        )
        .route(
            "/api/v1/devices/current",
            get(move || async move {
                if revoked.load(Ordering::SeqCst) {
                    let body = json!({"code": "device.not_enrolled", "message": "revoked"});
                    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
                } else {
                    Json(device).into_response()
                }
            }),
        )
        .route(
            "/api/v1/shared/sessions",
            post(move |Json(login): Json<serde_json::Value>| async move {
                let until = (Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
                let mut me = me;
                if login["user_id"] == "eva" {
                    me["user_id"] = json!("eva");
                    me["name"] = json!("Eva Eriksen");
                    me["roles"] = json!(["staff", "administrator"]);
                }
                let body = json!({"token": "tok-1", "expires_at": until, "me": me});
                (StatusCode::CREATED, Json(body))
            }),
        )
        .route(
            "/api/v1/shared/sessions/current",
            axum::routing::delete(move || async move {
                logouts.fetch_add(1, Ordering::SeqCst);
                StatusCode::NO_CONTENT
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

struct Fixture {
    shell: Shell,
    screen: Arc<Recorded>,
    revoked: Arc<AtomicBool>,
    logouts: Arc<AtomicUsize>,
}

async fn enrolled_wall_screen(idle: Duration, clock: Arc<ManualClock>) -> Fixture {
    let (revoked, logouts) = (Arc::default(), Arc::new(AtomicUsize::new(0)));
    let url = backend(Arc::clone(&revoked), Arc::clone(&logouts)).await;
    let screen = Arc::new(Recorded::default());
    let shell = Shell {
        api: ApiClient::new(&url).unwrap(),
        store: Store::open_in_memory().unwrap(),
        sessions: Sessions::new(
            Box::new(MemoryStore::default()),
            "omsorg-app",
            "urn:omsorg:api",
            Duration::from_secs(5),
        ),
        browser: Box::new(NoBrowser),
        lock: DeviceLock::with_clock(Duration::from_secs(600), Box::new(clock)),
        shared_idle: idle,
        shared: SharedState::default(),
        screen: Box::new(Recorder(Arc::clone(&screen))),
        files: std::env::temp_dir().join("omsorg-device-test-files"),
        viewer: Box::new(NoBrowser),
        exports: std::env::temp_dir().join("omsorg-test-exports"),
        care: crate::care::CareClient::new(),
    };
    let device = enroll(&shell, "k7qm-2xzp").await.unwrap();
    assert_eq!(device.mode, DeviceMode::WallScreen);
    Fixture {
        shell,
        screen,
        revoked,
        logouts,
    }
}

/// A personal device (nothing enrolled in the store) answers at once,
/// without the keystore; a credential the keystore kept without its
/// enrollment is deleted after start.
#[tokio::test]
async fn a_personal_device_starts_without_the_keystore_and_drops_a_stray_credential() {
    use crate::secrets::SecretStore;
    let secrets = Arc::new(MemoryStore::default());
    let (shell, _files) = crate::test_support::shell_with_secrets(
        &crate::test_support::unreachable_url(),
        Box::new(crate::test_support::SharedSecrets(Arc::clone(&secrets))),
    )
    .await;
    secrets.set(CREDENTIAL_KEY, "left-by-a-crash").unwrap();
    let reads = secrets.reads();
    assert_eq!(status(&shell).await.unwrap(), None);
    assert_eq!(secrets.reads(), reads, "the keystore was not asked");
    assert!(drop_orphaned_credential(&shell).unwrap());
    assert_eq!(secrets.get(CREDENTIAL_KEY).unwrap(), None);
    assert!(!drop_orphaned_credential(&shell).unwrap(), "nothing left");
}

#[tokio::test]
async fn a_wall_screen_is_a_kiosk_and_its_person_is_signed_out_when_idle() {
    let clock = Arc::new(ManualClock::default());
    let f = enrolled_wall_screen(Duration::from_secs(600), Arc::clone(&clock)).await;
    let shell = &f.shell;
    let secret = shell.sessions.secrets().get(CREDENTIAL_KEY).unwrap();
    assert_eq!(
        secret.as_deref(),
        Some("cred-1"),
        "the credential is in the keystore"
    );
    assert!(shell.shared.kiosk_active());
    assert_eq!(f.screen.kiosk.lock().unwrap().last(), Some(&true));
    let again = enroll(shell, "k7qm-2xzp").await.unwrap_err();
    assert_eq!(again.code, ErrorCode::Forbidden, "enrolled once");

    let me = login(shell, "carl", "1397").await.unwrap();
    assert_eq!(me.name, "Carl Christensen");
    assert_eq!(shell.store.person().unwrap(), None, "never written to disk");
    let auth = shell.sessions.access_token(&shell.store).await.unwrap();
    assert!(matches!(auth, Auth::Shared(t) if t == "tok-1"));
    let now = crate::pin::observe(shell, shell.lock.state()).await;
    assert_eq!(now, Some(LockState::Unlocked));

    clock.advance(Duration::from_secs(599));
    let still = crate::pin::observe(shell, shell.lock.state()).await;
    assert_eq!(still, Some(LockState::Unlocked), "not before the time");
    clock.advance(Duration::from_secs(2));
    let idle = crate::pin::observe(shell, shell.lock.state()).await;
    assert_eq!(idle, Some(LockState::SignedOut), "signed out, not locked");
    let gone = shell.sessions.person().await.unwrap_err();
    assert_eq!(gone.code, ErrorCode::NoSession);
    assert_eq!(shell.lock.state(), None);
    assert_eq!(f.logouts.load(Ordering::SeqCst), 1, "ended at the backend");
    assert_eq!(f.screen.resets.load(Ordering::SeqCst), 1, "web view reset");
    assert!(shell.shared.kiosk_active(), "still a kiosk");
}

#[tokio::test]
async fn only_an_administrator_opens_it_and_a_revoked_device_forgets_itself() {
    let f = enrolled_wall_screen(Duration::from_secs(600), Arc::default()).await;
    let shell = &f.shell;
    let staff = enter_admin(shell, "carl", "1397").await.unwrap_err();
    assert_eq!(staff.code, ErrorCode::Forbidden);
    assert_eq!(
        f.logouts.load(Ordering::SeqCst),
        1,
        "the check's session ended"
    );
    assert!(shell.shared.kiosk_active() && !shell.shared.admin_mode());
    let refused = unenroll(shell).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::Forbidden);

    f.revoked.store(true, Ordering::SeqCst);
    assert_eq!(status(shell).await.unwrap(), None);
    assert_eq!(shell.sessions.secrets().get(CREDENTIAL_KEY).unwrap(), None);
    assert_eq!(shell.store.device().unwrap(), None);
    assert!(!shell.shared.kiosk_active());
    assert_eq!(f.screen.kiosk.lock().unwrap().last(), Some(&false));
    let no_login = login(shell, "carl", "1397").await.unwrap_err();
    assert_eq!(no_login.code, ErrorCode::DeviceNotEnrolled);
}

/// The administration a wall screen opens for an administrator ends as a
/// shared session does: left idle for the shared idle time, the kiosk is
/// back and nothing an administrator may do is open any more.
#[tokio::test]
async fn the_administration_closes_by_itself_when_left_idle() {
    let clock = Arc::new(ManualClock::default());
    let f = enrolled_wall_screen(Duration::from_secs(600), Arc::clone(&clock)).await;
    let shell = &f.shell;
    enter_admin(shell, "eva", "2468").await.unwrap();
    assert!(shell.shared.admin_mode() && !shell.shared.kiosk_active());
    let observe = || crate::pin::observe(shell, shell.lock.state());

    clock.advance(Duration::from_secs(599));
    let used = crate::pin::observe(shell, shell.lock.activity()).await;
    assert_eq!(used, Some(LockState::Unlocked), "used: counts from now");
    clock.advance(Duration::from_secs(599));
    assert_eq!(
        observe().await,
        Some(LockState::Unlocked),
        "not before the time"
    );
    assert!(shell.shared.admin_mode());
    clock.advance(Duration::from_secs(2));
    assert_eq!(observe().await, Some(LockState::SignedOut), "closed");
    assert!(!shell.shared.admin_mode());
    assert!(shell.shared.kiosk_active(), "a kiosk again");
    assert_eq!(f.screen.kiosk.lock().unwrap().last(), Some(&true));
    assert_eq!(shell.lock.state(), None, "nobody is there");
    let refused = unenroll(shell).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::Forbidden);

    // Leaving by hand closes it the same way.
    enter_admin(shell, "eva", "2468").await.unwrap();
    leave_admin(shell).unwrap();
    assert!(!shell.shared.admin_mode() && shell.shared.kiosk_active());
    assert_eq!(shell.lock.state(), None);
}

#[test]
fn slips_are_refused_before_anything_is_sent() {
    for (user, pin) in [
        ("", "1397"),
        ("   ", "1397"),
        ("carl", "13"),
        ("carl", "13a7"),
        ("carl", "123456789"),
        ("c\u{0}arl", "1397"),
    ] {
        let e = parse_login(user, pin).unwrap_err();
        assert_eq!(e.code, ErrorCode::RequestInvalid, "{user:?} {pin:?}");
    }
    let ok = parse_login("  Carl ", "1397").unwrap();
    assert_eq!(ok.user_id, "Carl");
}
