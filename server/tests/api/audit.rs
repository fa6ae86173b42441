//! Every privileged act leaves an audit record: who, when, what (never a
//! searched value).

use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn privileged_acts_are_audited() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let bo = format!(
        "Bearer {}",
        token(KEY, Some("k1"), json!({"iss": issuer, "sub": "bo"}))
    );
    let call = |method: Method, path: &'static str, body: serde_json::Value| {
        let (app, bo) = (&app, bo.clone());
        async move { app.call(method, path, &bo, &[], Some(&body)).await }
    };
    // An enrollment code, a device enrolled with it and revoked.
    let code = call(
        Method::POST,
        "/api/v1/admin/enrollment-codes",
        json!({"unit_id": "kbh-hjemmepleje-nord", "mode": "wall_screen"}),
    )
    .await
    .1;
    let enrolled = app
        .call(
            Method::POST,
            "/api/v1/devices/enroll",
            "",
            &[],
            Some(&json!({"code": code["code"]})),
        )
        .await
        .1;
    let device = enrolled["device"]["device_id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/v1/admin/devices/{device}");
    assert_eq!(app.call(Method::DELETE, &path, &bo, &[], None).await.0, 204);
    // Inventory, a PIN reset, a search by name.
    call(
        Method::POST,
        "/api/v1/admin/substitute-ids",
        json!({"prefix": "vik", "from": 51, "to": 52}),
    )
    .await;
    app.call(
        Method::DELETE,
        "/api/v1/admin/people/anna/pin",
        &bo,
        &[],
        None,
    )
    .await;
    call(
        Method::POST,
        "/api/v1/declarations/search",
        json!({"name": "Quirinus"}),
    )
    .await;

    let db = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    let rows: Vec<(String, Option<i64>, String)> =
        sqlx::query_as("SELECT action, actor_id, subject FROM audit_log ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap();
    let of = |action: &str| rows.iter().find(|r| r.0 == action).cloned();
    let bo_id: i64 = sqlx::query_scalar("SELECT id FROM people WHERE user_id = 'bo'")
        .fetch_one(&db)
        .await
        .unwrap();
    for action in [
        "enrollment_code.created",
        "device.revoked",
        "substitute_ids.added",
        "pin.reset",
        "declarations.searched",
    ] {
        let row = of(action).unwrap_or_else(|| panic!("no {action} in {rows:?}"));
        assert_eq!(row.1, Some(bo_id), "{action} by bo");
    }
    assert!(of("device.enrolled").unwrap().2.starts_with(&device));
    assert!(of("device.revoked").unwrap().2 == device);
    assert_eq!(
        of("substitute_ids.added").unwrap().2,
        "vik051-vik052: 2 new"
    );
    let search = of("declarations.searched").unwrap().2;
    assert!(search.starts_with("by [name]: 0 found"), "{search}");
    assert!(
        !search.contains("Quirinus"),
        "the searched name is not kept: {search}"
    );
}
