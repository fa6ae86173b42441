//! Administrators see their municipality's enrolled devices (kind, unit,
//! apartment, who enrolled it, when it was last seen, and the identifier
//! its own screen shows) and revoke them; nobody else can.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

fn bearer(issuer: &str, who: &str) -> String {
    format!(
        "Bearer {}",
        token(KEY, Some("k1"), json!({"iss": issuer, "sub": who}))
    )
}

async fn devices(app: &TestApp, who: &str) -> (u16, Value) {
    app.call(Method::GET, "/api/v1/admin/devices", who, &[], None)
        .await
}

async fn current(app: &TestApp, credential: &str) -> (u16, Value) {
    let auth = format!("Device {credential}");
    app.call(Method::GET, "/api/v1/devices/current", &auth, &[], None)
        .await
}

#[tokio::test]
async fn administrators_list_their_municipalitys_devices_and_revoke_one_nobody_else_can() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let (bo, eva, anna) = (
        bearer(&issuer, "bo"),
        bearer(&issuer, "eva"),
        bearer(&issuer, "anna"),
    );
    let credential = app.tablet(&bo, "kbh-hjemmepleje-nord").await;
    let (status, me) = current(&app, &credential).await;
    assert_eq!(status, 200, "{me}");
    let id = me["device_id"].as_str().unwrap().to_string();

    let (status, list) = devices(&app, &bo).await;
    assert_eq!(status, 200, "{list}");
    let listed = &list["devices"][0];
    assert_eq!(list["devices"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(listed["device_id"], id.as_str());
    assert_eq!(
        listed["label"],
        omsorg_core::enrollment::device_label(&id),
        "the label the device's own screen shows"
    );
    assert_eq!(listed["mode"], "apartment_tablet");
    assert_eq!(listed["unit"]["id"], "kbh-hjemmepleje-nord");
    assert_eq!(listed["apartment"], "Lejl. 3");
    assert_eq!(listed["enrolled_by"], "Bo Berg");
    assert!(listed["enrolled_at"].is_string(), "{listed}");
    assert!(listed["last_seen"].is_string(), "{listed}");

    // The last contact follows the device (written at most once a minute).
    let hour_ago = chrono::Utc::now().timestamp() - 3600;
    sqlx::query("UPDATE devices SET last_seen_at = $1")
        .bind(hour_ago)
        .execute(&app.state.db)
        .await
        .unwrap();
    let seen = |list: &Value| {
        chrono::DateTime::parse_from_rfc3339(list["devices"][0]["last_seen"].as_str().unwrap())
            .unwrap()
            .timestamp()
    };
    assert_eq!(seen(&devices(&app, &bo).await.1), hour_ago);
    assert_eq!(current(&app, &credential).await.0, 200);
    let now = chrono::Utc::now().timestamp();
    assert!((now - seen(&devices(&app, &bo).await.1)).abs() <= 5);

    // Another municipality's administrator sees nothing of it and cannot
    // revoke it; staff can do neither.
    let (status, theirs) = devices(&app, &eva).await;
    assert_eq!(status, 200, "{theirs}");
    assert_eq!(
        theirs["devices"],
        json!([]),
        "Aarhus sees no København device"
    );
    let path = format!("/api/v1/admin/devices/{id}");
    let (status, refused) = app.call(Method::DELETE, &path, &eva, &[], None).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (404, Some("request.not_found"))
    );
    let (status, refused) = devices(&app, &anna).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (403, Some("auth.forbidden"))
    );
    let (status, refused) = app.call(Method::DELETE, &path, &anna, &[], None).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (403, Some("auth.forbidden"))
    );
    assert_eq!(current(&app, &credential).await.0, 200, "still enrolled");

    // bo revokes it: it leaves the list, and its next contact is refused.
    let (status, _) = app.call(Method::DELETE, &path, &bo, &[], None).await;
    assert_eq!(status, 204);
    assert_eq!(devices(&app, &bo).await.1["devices"], json!([]));
    let (status, refused) = current(&app, &credential).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (401, Some("device.not_enrolled"))
    );
    let (status, _) = app.call(Method::DELETE, &path, &bo, &[], None).await;
    assert_eq!(status, 404, "revoked once");
}
