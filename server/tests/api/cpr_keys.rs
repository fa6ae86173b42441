//! CPR key rotation. Each sealed CPR number carries its key's ID; a backend
//! given a new `OMSORG_CPR_KEY` without the old one refuses to start rather
//! than show numbers it cannot open; with the old one as previous key
//! everything still opens and is found; `omsorg-server rekey-cpr` re-seals
//! it all under the new key, after which the old key can go.

use serde_json::{json, Value};
use sqlx::AnyPool;

use omsorg_server::config::CprKey;
use omsorg_server::cpr_vault::CprVault;

use crate::helpers::*;

const OLD: [u8; 32] = [9; 32];
const NEW: [u8; 32] = [10; 32];

fn hex(key: &[u8; 32]) -> String {
    key.iter().map(|b| format!("{b:02x}")).collect()
}

/// A backend on the shared database with these keys.
async fn backend(issuer: &str, url: &str, key: [u8; 32], previous: Vec<[u8; 32]>) -> TestApp {
    let scratch = tempfile::tempdir().unwrap();
    spawn_app_configured(issuer, scratch, url.to_string(), move |c| {
        c.cpr_key = CprKey(key);
        c.cpr_previous_keys = previous.into_iter().map(CprKey).collect();
    })
    .await
}

async fn search_cpr(app: &TestApp, bo: &str, cpr: &str) -> Vec<Value> {
    let (status, found) = app
        .call(
            reqwest::Method::POST,
            "/api/v1/declarations/search",
            &format!("Bearer {bo}"),
            &[],
            Some(&json!({"cpr": cpr})),
        )
        .await;
    assert_eq!(status, 200, "{found}");
    found["declarations"].as_array().unwrap().clone()
}

async fn masked_in_list(app: &TestApp, anna: &str) -> Vec<String> {
    let (status, list) = app
        .call(
            reqwest::Method::GET,
            "/api/v1/substitute-accesses",
            &format!("Bearer {anna}"),
            &[],
            None,
        )
        .await;
    assert_eq!(status, 200, "{list}");
    let mut masked: Vec<String> = list["accesses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["cpr_masked"].as_str().unwrap().to_string())
        .collect();
    masked.sort();
    masked
}

#[tokio::test]
async fn a_new_cpr_key_takes_over_everything_after_rekey() {
    let issuer = spawn_issuer().await;
    let dir = tempfile::tempdir().unwrap();
    let url = crate::databases::fresh(dir.path(), "keys").await;
    let bearer = |who: &str| token(KEY, Some("k1"), json!({"iss": issuer, "sub": who}));
    let (anna, bo) = (bearer("anna"), bearer("bo"));

    let first = backend(&issuer, &url, OLD, vec![]).await;
    let body = order_body(
        "010190-1234",
        "Sofie Vikar Jensen",
        &first.reserve(&anna).await,
    );
    let (status, receipt) = first.order(&anna, Some("k-old"), &body).await;
    assert_eq!(status, 201, "{receipt}");

    // The new key alone: the backend will not run blind to what it holds.
    let refused = omsorg_server::Server::start({
        let mut c = test_config(&issuer, &url);
        c.cpr_key = CprKey(NEW);
        c
    })
    .await
    .err()
    .expect("refused to start");
    let why = refused.to_string();
    assert!(why.contains("OMSORG_CPR_KEY_PREVIOUS"), "{why}");
    assert!(
        why.contains(CprVault::new(&OLD).key_id()),
        "names the key: {why}"
    );

    // New key, old one as previous: old rows open and are found; new ones
    // are sealed under the new key.
    let rotating = backend(&issuer, &url, NEW, vec![OLD]).await;
    assert_eq!(masked_in_list(&rotating, &anna).await, ["010190-XXXX"]);
    assert_eq!(search_cpr(&rotating, &bo, "010190-1234").await.len(), 1);
    assert_eq!(rotating.order(&anna, Some("k-old"), &body).await.1, receipt);
    let body2 = order_body(
        "150605-4321",
        "Mikkel Vikar Nielsen",
        &rotating.reserve(&anna).await,
    );
    let (status, receipt2) = rotating.order(&anna, Some("k-new"), &body2).await;
    assert_eq!(status, 201, "{receipt2}");
    let db = AnyPool::connect(&url).await.unwrap();
    let key_ids = || async {
        sqlx::query_as::<_, (String,)>(
            "SELECT cpr_key_id FROM substitute_accesses ORDER BY created_at, id",
        )
        .fetch_all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|(k,)| k)
        .collect::<Vec<_>>()
    };
    let (old_id, new_id) = (
        CprVault::new(&OLD).key_id().to_string(),
        CprVault::new(&NEW).key_id().to_string(),
    );
    let mut ids = key_ids().await;
    ids.sort();
    let mut expected = vec![old_id.clone(), new_id.clone()];
    expected.sort();
    assert_eq!(ids, expected);

    // The command, as an operator runs it.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_omsorg-server"))
        .arg("rekey-cpr")
        .env("OMSORG_DATABASE_URL", &url)
        .env("OMSORG_CPR_KEY", hex(&NEW))
        .env("OMSORG_CPR_KEY_PREVIOUS", hex(&OLD))
        .env("OMSORG_PIN_PEPPER", "test-pepper-of-sixteen")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("re-sealed 1 CPR numbers and 1 receipts"),
        "the old order and its receipt only: {said}"
    );
    assert_eq!(key_ids().await, [new_id.clone(), new_id.clone()]);
    let sealed: Vec<(Vec<u8>,)> = sqlx::query_as("SELECT cpr_sealed FROM substitute_accesses")
        .fetch_all(&db)
        .await
        .unwrap();
    let old_vault = CprVault::new(&OLD);
    assert!(
        sealed.iter().all(|(s,)| old_vault.open(s).is_none()),
        "nothing left under the old key"
    );
    let (rekeyed,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'cpr_key.rekeyed'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(rekeyed, 1);

    // The old key dropped: everything opens, is found, and replays.
    let after = backend(&issuer, &url, NEW, vec![]).await;
    assert_eq!(
        masked_in_list(&after, &anna).await,
        ["010190-XXXX", "150605-XXXX"]
    );
    assert_eq!(search_cpr(&after, &bo, "0101901234").await.len(), 1);
    assert_eq!(search_cpr(&after, &bo, "1506054321").await.len(), 1);
    assert_eq!(after.order(&anna, Some("k-old"), &body).await.1, receipt);
    assert_eq!(after.order(&anna, Some("k-new"), &body2).await.1, receipt2);
}
