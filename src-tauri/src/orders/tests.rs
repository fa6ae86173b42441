//! The wizard's shell side, tested against loopback backends.

use super::draft::ORDER;
use super::submit::request;
use super::*;
use crate::test_support::{shell_on, unreachable_url};
use chrono::Utc;
use omsorg_core::bridge::OrderDraft;
use omsorg_core::bridge::{PadPoint, PadStroke};
use omsorg_core::ErrorCode;

fn draft() -> OrderDraft {
    let reserved_until = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    omsorg_core::wizard::fixture::complete(reserved_until)
}

#[tokio::test]
async fn the_draft_is_kept_sealed_and_opens_only_with_its_key() {
    let (shell, _files) = shell_on(&unreachable_url()).await;
    save_draft(&shell, draft()).unwrap();
    assert_eq!(load_draft(&shell).unwrap(), Some(draft()));
    let sealed = shell.store.draft(ORDER).unwrap().unwrap();
    let raw = String::from_utf8_lossy(&sealed);
    for secret in ["010190", "1234", "Sofie", "vik001"] {
        assert!(!raw.contains(secret), "{secret} readable in the store");
    }
    // Without its key (a wiped keystore) the draft is gone, not garbage.
    shell.sessions.secrets().delete(DRAFT_KEY).unwrap();
    assert_eq!(load_draft(&shell).unwrap(), None);
    assert!(shell.store.draft(ORDER).unwrap().is_none());
}

/// The shell runs commands concurrently, so a change and the one after it
/// can be saved in either order (the returning-substitute E2E lost a
/// looked-up person so on a busy machine): the later change stays kept.
#[tokio::test]
async fn an_older_save_arriving_last_does_not_undo_a_later_change() {
    let (shell, _files) = shell_on(&unreachable_url()).await;
    let typed = OrderDraft {
        step: 1,
        person: None,
        name_confirmed: false,
        revision: 10,
        ..draft()
    };
    let looked_up = OrderDraft {
        step: 1,
        revision: 11,
        ..draft()
    };
    save_draft(&shell, looked_up.clone()).unwrap();
    save_draft(&shell, typed).unwrap();
    assert_eq!(load_draft(&shell).unwrap(), Some(looked_up.clone()));
    let next = OrderDraft {
        step: 2,
        revision: 12,
        ..looked_up
    };
    save_draft(&shell, next.clone()).unwrap();
    assert_eq!(load_draft(&shell).unwrap(), Some(next));
}

/// `omsorg_core::wizard::may_order`: a shared device's session is
/// refused here, before anything is sent (the backend refuses it too).
#[tokio::test]
async fn a_shared_session_orders_nothing() {
    let (shell, _files) = shell_on(&unreachable_url()).await;
    let me = shell.sessions.person().await.unwrap();
    shell
        .sessions
        .begin_shared(omsorg_core::api::SharedSession {
            token: "shared-1".into(),
            expires_at: Utc::now() + chrono::Duration::hours(1),
            me,
        })
        .await;
    for (cmd, args) in [
        ("lookup_cpr", serde_json::json!({"cpr": "0101901234"})),
        ("reserve_substitute_id", serde_json::json!({})),
        ("my_orders", serde_json::json!({})),
    ] {
        let refused = crate::commands::call(&shell, cmd, args).await.unwrap_err();
        assert_eq!(refused.code, ErrorCode::Forbidden, "{cmd}");
    }
}

#[tokio::test]
async fn a_locked_device_neither_shows_nor_takes_the_draft_and_sign_out_deletes_it() {
    let (shell, _files) = shell_on(&unreachable_url()).await;
    save_draft(&shell, draft()).unwrap();
    shell.lock.lock_now();
    // As the web view asks: through the commands' dispatcher.
    let load = crate::commands::call(&shell, "load_order_draft", serde_json::json!({})).await;
    assert_eq!(load.unwrap_err().code, ErrorCode::SessionLocked);
    let blank = serde_json::json!({ "draft": OrderDraft::default() });
    let save = crate::commands::call(&shell, "save_order_draft", blank).await;
    assert_eq!(save.unwrap_err().code, ErrorCode::SessionLocked);
    shell.lock.end();
    assert_eq!(
        load_draft(&shell).unwrap(),
        Some(draft()),
        "the lock lost nothing"
    );
    shell.sessions.sign_out(&shell.store).await.unwrap();
    assert_eq!(load_draft(&shell).unwrap(), None);
}

/// A backend whose order endpoint fails with 502 while `failing` is set,
/// and records every Idempotency-Key it is sent.
async fn flaky_backend(
    failing: std::sync::Arc<std::sync::atomic::AtomicBool>,
    keys: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
) -> String {
    use axum::http::{HeaderMap, StatusCode};
    use std::sync::atomic::Ordering;
    let app = axum::Router::new().route(
        "/api/v1/substitute-accesses",
        axum::routing::post(move |headers: HeaderMap| async move {
            let key = headers["idempotency-key"].to_str().unwrap().to_string();
            keys.lock().unwrap().push(key);
            if failing.load(Ordering::SeqCst) {
                return (StatusCode::BAD_GATEWAY, "gateway down".to_string());
            }
            let receipt = serde_json::json!({
                "id": "a1", "user_id": "vik001", "substitute_name": "Sofie Vikar Jensen",
                "initial_password": "Kx7-pq2-Wm9", "starts_at": "2026-11-24T08:00:00Z",
                "ends_at": "2026-11-27T08:00:00Z"
            });
            (StatusCode::CREATED, receipt.to_string())
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_lost_answer_is_retried_with_the_same_key_and_an_edited_draft_gets_a_new_one() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    let (failing, keys) = (
        Arc::new(AtomicBool::new(true)),
        Arc::new(Mutex::new(Vec::new())),
    );
    let url = flaky_backend(Arc::clone(&failing), Arc::clone(&keys)).await;
    let (shell, _files) = shell_on(&url).await;
    save_draft(&shell, draft()).unwrap();

    // No answer at all: four attempts, one key, and the draft is kept.
    let err = submit(&shell).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::NetworkBadResponse);
    let first: Vec<String> = keys.lock().unwrap().clone();
    assert_eq!(first.len(), 4);
    assert!(first.iter().all(|k| k == &first[0]), "{first:?}");
    assert_eq!(load_draft(&shell).unwrap(), Some(draft()));

    // The person taps "Send" again later (the step shown changed): same key.
    save_draft(&shell, OrderDraft { step: 4, ..draft() }).unwrap();
    failing.store(false, Ordering::SeqCst);
    let receipt = submit(&shell).await.unwrap();
    assert_eq!(receipt.user_id, "vik001");
    assert_eq!(keys.lock().unwrap().last(), Some(&first[0]));
    assert_eq!(
        load_draft(&shell).unwrap(),
        None,
        "deleted once the receipt is here"
    );

    // A new order (or an edited one) is another key.
    save_draft(&shell, draft()).unwrap();
    submit(&shell).await.unwrap();
    assert_ne!(keys.lock().unwrap().last(), Some(&first[0]));
    failing.store(true, Ordering::SeqCst);
    save_draft(&shell, draft()).unwrap();
    submit(&shell).await.unwrap_err();
    let sent = keys.lock().unwrap().last().cloned();
    let edited = OrderDraft {
        end_day: Some(omsorg_core::danish_time::today(Utc::now()) + chrono::Duration::days(5)),
        ..draft()
    };
    save_draft(&shell, edited).unwrap();
    submit(&shell).await.unwrap_err();
    assert_ne!(keys.lock().unwrap().last().cloned(), sent);
}

#[tokio::test]
async fn two_taps_at_once_send_one_order() {
    use std::sync::atomic::AtomicBool;
    use std::sync::{Arc, Mutex};
    let keys = Arc::new(Mutex::new(Vec::new()));
    let url = flaky_backend(Arc::new(AtomicBool::new(false)), Arc::clone(&keys)).await;
    let (shell, _files) = shell_on(&url).await;
    save_draft(&shell, draft()).unwrap();
    let (a, b) = tokio::join!(submit(&shell), submit(&shell));
    let outcomes = [a.is_ok(), b.is_ok()];
    assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "{outcomes:?}");
    assert_eq!(
        keys.lock().unwrap().len(),
        1,
        "one request reached the backend"
    );
}

#[test]
fn an_incomplete_or_too_long_draft_is_refused_before_sending() {
    assert!(request(&draft()).is_ok());
    let unsigned = OrderDraft {
        strokes: vec![],
        ..draft()
    };
    assert_eq!(
        request(&unsigned).unwrap_err().code,
        ErrorCode::RequestInvalid
    );
    // A tap is no signature.
    let tap = PadStroke {
        points: vec![PadPoint {
            x: 0.5,
            y: 0.1,
            t: 0.0,
        }],
    };
    let tapped = OrderDraft {
        strokes: vec![tap],
        ..draft()
    };
    assert_eq!(
        request(&tapped).unwrap_err().code,
        ErrorCode::RequestInvalid
    );
    let unconfirmed = OrderDraft {
        name_confirmed: false,
        ..draft()
    };
    assert_eq!(
        request(&unconfirmed).unwrap_err().code,
        ErrorCode::RequestInvalid
    );
    let day_31 = omsorg_core::danish_time::today(Utc::now()) + chrono::Duration::days(31);
    let too_long = OrderDraft {
        end_day: Some(day_31),
        ..draft()
    };
    assert_eq!(
        request(&too_long).unwrap_err().code,
        ErrorCode::PeriodTooLong
    );
    let bad_cpr = OrderDraft {
        cpr: "320190-1234".into(),
        ..draft()
    };
    assert_eq!(request(&bad_cpr).unwrap_err().code, ErrorCode::CprInvalid);
}
