use super::*;
use crate::test_support::{backend_answering, shell_on, unreachable_url};
use axum::http::StatusCode;
use omsorg_core::ipc::{default_args, ALL};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};

/// Calls `name` with its default arguments as the web view would: the
/// real IPC (mock runtime), the real `tauri.conf.json` and capability
/// file (so the ACL applies), and this invoke handler.
fn ask(shell: Shell, name: &str) -> Result<serde_json::Value, serde_json::Value> {
    let app = mock_builder()
        .invoke_handler(handler())
        .build(tauri::generate_context!("../tauri.conf.json"))
        .expect("mock app");
    app.manage(shell);
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("main window");
    let body = default_args(name).unwrap_or_else(|| serde_json::json!({}));
    get_ipc_response(
        &webview,
        tauri::webview::InvokeRequest {
            cmd: name.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(body),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<serde_json::Value>().unwrap())
}

/// A signed-in person's shell (anna), locked or not.
fn personal_shell(locked: bool) -> (Shell, tempfile::TempDir) {
    let (shell, files) = tauri::async_runtime::block_on(shell_on(&unreachable_url()));
    if locked {
        shell.lock.lock_now();
    }
    (shell, files)
}

/// The code of a refusal from the dispatcher; anything else (an ACL
/// refusal is a bare string) fails the test.
fn code_of(name: &str, answer: &Result<serde_json::Value, serde_json::Value>) -> Option<String> {
    match answer {
        Ok(_) => None,
        Err(e) => Some(
            e["code"]
                .as_str()
                .unwrap_or_else(|| panic!("{name}: not the shell's answer: {e}"))
                .to_string(),
        ),
    }
}

#[test]
fn while_locked_only_the_commands_declared_so_run() {
    for declared in ALL {
        let (shell, _files) = personal_shell(true);
        let answer = ask(shell, declared.name);
        let code = code_of(declared.name, &answer);
        let refused = code.as_deref() == Some("session.locked");
        assert_eq!(
            refused,
            declared.policy == LockPolicy::Unlocked,
            "{} ({:?}) answered {answer:?} while locked",
            declared.name,
            declared.policy
        );
    }
}

#[test]
fn unlocked_every_command_passes_the_guard_and_the_acl() {
    for declared in ALL {
        let (shell, _files) = personal_shell(false);
        let answer = ask(shell, declared.name);
        assert_ne!(
            code_of(declared.name, &answer).as_deref(),
            Some("session.locked"),
            "{}",
            declared.name
        );
    }
}

#[test]
fn an_undeclared_command_or_a_slip_in_the_arguments_is_refused() {
    let (shell, _files) = personal_shell(false);
    let answer = ask(shell, "eval");
    assert!(answer.is_err(), "{answer:?}");
    let (shell, _files) = personal_shell(false);
    let slip = tauri::async_runtime::block_on(call(
        &shell,
        "lookup_cpr",
        serde_json::json!({"cpr_number": "0101901234"}),
    ));
    assert_eq!(slip.unwrap_err().code, ErrorCode::RequestInvalid);
}

#[test]
fn the_capability_file_grants_exactly_the_declared_commands() {
    let file = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities/default.json"),
    )
    .unwrap();
    let granted: serde_json::Value = serde_json::from_str(&file).unwrap();
    let mut granted: Vec<String> = granted["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    let mut declared: Vec<String> = ALL.iter().map(|c| ipc::permission(c.name)).collect();
    granted.sort();
    declared.sort();
    assert_eq!(granted, declared);
}

const LIST: &str = r#"{"municipalities":[
    {"code":"751","name":"Aarhus","issuer":"http://i","hint":"751"},
    {"code":"101","name":"København","issuer":"http://i","hint":"101"}]}"#;

#[tokio::test]
async fn live_list_is_cached_and_served_marked_when_the_backend_is_gone() {
    let store = Store::open_in_memory().unwrap();
    let online = ApiClient::new(&backend_answering(StatusCode::OK, LIST).await).unwrap();
    let live = load_municipalities(&online, &store).await.unwrap();
    assert_eq!(live.municipalities.len(), 2);
    assert!(live.cached_at.is_none());
    store.set_last_municipality("101").unwrap();

    for offline in [
        ApiClient::new(&unreachable_url()).unwrap(),
        ApiClient::new(&backend_answering(StatusCode::BAD_GATEWAY, "down").await).unwrap(),
    ] {
        let cached = load_municipalities(&offline, &store).await.unwrap();
        assert_eq!(cached.municipalities, live.municipalities);
        assert!(cached.cached_at.is_some());
        assert_eq!(cached.last_choice.as_deref(), Some("101"));
    }
}

#[tokio::test]
async fn without_a_cache_the_failure_reaches_the_ui() {
    let store = Store::open_in_memory().unwrap();
    let offline = ApiClient::new(&unreachable_url()).unwrap();
    let err = load_municipalities(&offline, &store).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::NetworkUnreachable);
}

/// anna is removed centrally while signed in: the next command the backend
/// refuses signs her out with everything of hers, whatever the web view
/// does next.
#[tokio::test]
async fn a_refusal_mid_session_leaves_nothing_of_the_person_on_the_device() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let refusing = axum::Router::new().fallback(|| async {
        let body = r#"{"code":"account.not_provisioned","message":"removed"}"#;
        (
            StatusCode::FORBIDDEN,
            [("content-type", "application/json")],
            body,
        )
    });
    tokio::spawn(async move { axum::serve(listener, refusing).await });
    let (shell, _files) = shell_on(&url).await;
    // What a signed-in person leaves on a device.
    let issuer = unreachable_url();
    shell.sessions.keep_for_test(&issuer, "rt-anna", "101");
    let me = shell.sessions.person().await.unwrap();
    shell.store.set_person(&me).unwrap();
    crate::offline_pin::remember(shell.sessions.secrets(), &shell.store, "2580")
        .await
        .unwrap();
    let reserved_until = chrono::Utc::now() + chrono::Duration::minutes(30);
    orders::save_draft(
        &shell,
        omsorg_core::wizard::fixture::complete(reserved_until),
    )
    .unwrap();
    std::fs::create_dir_all(&shell.files).unwrap();
    std::fs::write(shell.files.join("viewed.pdf"), b"%PDF-1.7").unwrap();

    let answer = call(&shell, "my_orders", serde_json::json!({})).await;
    assert_eq!(
        answer.map(|_| ()).map_err(|e| e.code),
        Err(ErrorCode::NotProvisioned)
    );

    assert!(shell.sessions.person().await.is_err(), "still in memory");
    assert!(
        !shell.sessions.has_stored_session().unwrap(),
        "still in the keystore"
    );
    assert_eq!(shell.store.person().unwrap(), None, "still in the store");
    assert_eq!(
        shell.store.pin_verifier().unwrap(),
        None,
        "the offline verifier"
    );
    assert_eq!(orders::load_draft(&shell).unwrap(), None, "the draft");
    assert!(!shell.files.exists(), "viewed declarations");
    assert_eq!(shell.lock.state(), None, "the lock");
}
