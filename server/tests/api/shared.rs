//! Shared devices: enrollment by an administrator's one-time code, user ID +
//! PIN sessions, revocation, and guessing stopped (SPEC C3).

use serde_json::{json, Value};

use crate::helpers::*;

struct Api<'a> {
    app: &'a TestApp,
}

impl Api<'_> {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        auth: Option<String>,
        body: Option<Value>,
    ) -> (u16, Value, Option<String>) {
        let mut req = self.app.client.request(method, self.app.url(path));
        if let Some(auth) = auth {
            req = req.header("authorization", auth);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let retry = res
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_string());
        (status, res.json().await.unwrap_or(Value::Null), retry)
    }

    async fn code(&self, admin: &str, body: Value) -> (u16, Value) {
        let (s, b, _) = self
            .call(
                reqwest::Method::POST,
                "/api/v1/admin/enrollment-codes",
                Some(admin.into()),
                Some(body),
            )
            .await;
        (s, b)
    }

    async fn enroll(&self, code: &str) -> (u16, Value) {
        let (s, b, _) = self
            .call(
                reqwest::Method::POST,
                "/api/v1/devices/enroll",
                None,
                Some(json!({ "code": code })),
            )
            .await;
        (s, b)
    }

    async fn login(&self, device: &str, user_id: &str, pin: &str) -> (u16, Value, Option<String>) {
        self.call(
            reqwest::Method::POST,
            "/api/v1/shared/sessions",
            Some(format!("Device {device}")),
            Some(json!({ "user_id": user_id, "pin": pin })),
        )
        .await
    }
}

fn bearer(issuer: &str, sub: &str) -> String {
    format!(
        "Bearer {}",
        token(KEY, Some("k1"), json!({"iss": issuer, "sub": sub}))
    )
}

/// A tablet in anna's unit (Hjemmeplejen Nord, København), enrolled with a code from bo.
async fn tablet(api: &Api<'_>, issuer: &str) -> (String, Value) {
    let (status, code) = api
        .code(
            &bearer(issuer, "bo"),
            json!({"unit_id": "kbh-hjemmepleje-nord",
                                             "mode": "apartment_tablet", "apartment": "Lejl. 12"}),
        )
        .await;
    assert_eq!(status, 201, "{code}");
    let (status, enrolled) = api
        .enroll(&code["code"].as_str().unwrap().to_lowercase())
        .await;
    assert_eq!(status, 201, "typed in lower case still works: {enrolled}");
    (
        enrolled["credential"].as_str().unwrap().to_string(),
        enrolled,
    )
}

#[tokio::test]
async fn an_administrator_enrolls_a_tablet_once_and_can_revoke_it() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let api = Api { app: &app };
    let bo = bearer(&issuer, "bo");

    // Only administrators, only their own municipality's units, well-formed.
    let tablet_body =
        json!({"unit_id": "kbh-hjemmepleje-nord", "mode": "apartment_tablet", "apartment": "12"});
    assert_eq!(
        api.code(&bearer(&issuer, "anna"), tablet_body.clone())
            .await
            .1["code"],
        "auth.forbidden"
    );
    assert_eq!(
        api.code(
            &bo,
            json!({"unit_id": "aar-solhaven", "mode": "wall_screen"})
        )
        .await
        .1["code"],
        "request.not_found"
    );
    assert_eq!(
        api.code(
            &bo,
            json!({"unit_id": "kbh-hjemmepleje-nord", "mode": "apartment_tablet"})
        )
        .await
        .0,
        400,
        "a tablet needs its apartment"
    );
    assert_eq!(
        api.code(&bo, json!({"unit_id": "x", "mode": "toaster"}))
            .await
            .0,
        400
    );

    let (_, code) = api.code(&bo, tablet_body).await;
    let code = code["code"].as_str().unwrap().to_string();
    let (status, enrolled) = api.enroll(&code).await;
    assert_eq!(status, 201);
    assert_eq!(enrolled["device"]["mode"], "apartment_tablet");
    assert_eq!(enrolled["device"]["apartment"], "12");
    assert_eq!(enrolled["device"]["unit"]["name"], "Hjemmeplejen Nord");
    // Single use; nonsense is refused the same way.
    for again in [code.as_str(), "AAAA-AAAA", ""] {
        assert_eq!(
            api.enroll(again).await.1["code"],
            "device.enrollment_invalid",
            "{again}"
        );
    }

    let credential = enrolled["credential"].as_str().unwrap();
    let device_id = enrolled["device"]["device_id"].as_str().unwrap();
    let current = |auth: String| {
        api.call(
            reqwest::Method::GET,
            "/api/v1/devices/current",
            Some(auth),
            None,
        )
    };
    assert_eq!(current(format!("Device {credential}")).await.0, 200);
    assert_eq!(
        current("Device not-a-credential".into()).await.1["code"],
        "device.not_enrolled"
    );

    // carl logs in here? No: he works in Aarhus. anna has no PIN yet. bo does.
    let (status, session, _) = api.login(credential, "bo", "2580").await;
    assert_eq!(status, 201, "{session}");
    let shared = format!("Shared {}", session["token"].as_str().unwrap());
    assert_eq!(
        current(shared.clone()).await.0,
        401,
        "a session is no device credential"
    );
    let me = api
        .call(
            reqwest::Method::GET,
            "/api/v1/me",
            Some(shared.clone()),
            None,
        )
        .await;
    assert_eq!(me.1["name"], "Bo Berg");
    // A shared session cannot administer, even for an administrator.
    assert_eq!(
        api.code(
            &shared,
            json!({"unit_id": "kbh-hjemmepleje-nord", "mode": "wall_screen"})
        )
        .await
        .1["code"],
        "auth.forbidden"
    );

    let (status, _, _) = api
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/admin/devices/{device_id}"),
            Some(bo.clone()),
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        current(format!("Device {credential}")).await.1["code"],
        "device.not_enrolled"
    );
    assert_eq!(
        api.login(credential, "bo", "2580").await.1["code"],
        "device.not_enrolled"
    );
    assert_eq!(
        api.call(reqwest::Method::GET, "/api/v1/me", Some(shared), None)
            .await
            .0,
        401,
        "revoking ends the device's sessions"
    );
}

#[tokio::test]
async fn sessions_end_on_logout_and_people_removed_centrally_cannot_log_in() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let api = Api { app: &app };
    let (device, _) = tablet(&api, &issuer).await;
    let (_, session, _) = api.login(&device, "BO", "2580").await;
    let shared = format!("Shared {}", session["token"].as_str().unwrap());
    let (status, _, _) = api
        .call(
            reqwest::Method::DELETE,
            "/api/v1/shared/sessions/current",
            Some(shared.clone()),
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        api.call(reqwest::Method::GET, "/api/v1/me", Some(shared), None)
            .await
            .0,
        401
    );

    let db = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    sqlx::query("UPDATE people SET active = FALSE WHERE user_id = 'bo'")
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        api.login(&device, "bo", "2580").await.1["code"],
        "shared.login_failed"
    );
}

#[tokio::test]
async fn five_wrong_block_a_user_id_and_unknown_ids_look_the_same() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let api = Api { app: &app };
    let (device, _) = tablet(&api, &issuer).await;

    // Unknown user ID and wrong PIN: the same status and body.
    let unknown = api.login(&device, "nobody", "2580").await;
    let wrong = api.login(&device, "bo", "1111").await;
    assert_eq!((unknown.0, &unknown.1), (401, &wrong.1));
    assert_eq!(wrong.1["code"], "shared.login_failed");

    // bo: four more wrong → blocked, even with the right PIN; the unknown ID too.
    for _ in 0..3 {
        assert_eq!(
            api.login(&device, "bo", "1111").await.1["code"],
            "shared.login_failed"
        );
    }
    let fifth = api.login(&device, "bo", "1111").await;
    assert_eq!(
        (fifth.0, fifth.1["code"].clone()),
        (403, json!("pin.locked"))
    );
    assert_eq!(
        api.login(&device, "bo", "2580").await.1["code"],
        "pin.locked"
    );
    let (second, _) = tablet(&api, &issuer).await;
    for _ in 0..4 {
        api.login(&second, "nobody", "2580").await;
    }
    assert_eq!(
        api.login(&second, "nobody", "2580").await.1,
        fifth.1,
        "an unknown ID blocks alike"
    );

    // bo sets a new PIN after a fresh KOMBIT login: shared login works again.
    let fresh = token(
        KEY,
        Some("k1"),
        json!({"iss": issuer, "sub": "bo",
                                              "auth_time": chrono::Utc::now().timestamp()}),
    );
    let res = app
        .client
        .put(app.url("/api/v1/me/pin"))
        .bearer_auth(&fresh)
        .json(&json!({"pin": "6049"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    // The first tablet tries other user IDs: after 10 failed attempts in 10
    // minutes (the blocked user ID's right PIN above was one) it waits,
    // whatever it sends.
    for other in ["anna", "carl", "x1"] {
        assert_eq!(api.login(&device, other, "1397").await.0, 401, "{other}");
    }
    let throttled = api.login(&device, "bo", "6049").await;
    assert_eq!(
        (throttled.0, throttled.1["code"].clone()),
        (429, json!("request.throttled"))
    );
    let wait: u64 = throttled.2.expect("Retry-After").parse().unwrap();
    assert!((1..=600).contains(&wait), "{wait}");

    // Another tablet is not held up by this one, and bo's block is lifted.
    assert_eq!(api.login(&second, "bo", "6049").await.0, 201);
}

#[tokio::test]
async fn administrators_list_their_own_units_and_a_device_can_un_enroll_itself() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let api = Api { app: &app };
    let units = |who: &str| {
        api.call(
            reqwest::Method::GET,
            "/api/v1/admin/units",
            Some(bearer(&issuer, who)),
            None,
        )
    };
    let (status, list, _) = units("eva").await;
    assert_eq!(status, 200, "{list}");
    let names: Vec<&str> = list["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Plejehjemmet Solhaven"], "Aarhus's units only");
    let (_, list, _) = units("bo").await;
    assert!(list["units"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["id"].as_str().unwrap().starts_with("kbh-")));
    assert_eq!(units("carl").await.1["code"], "auth.forbidden");

    let (device, _) = tablet(&api, &issuer).await;
    let (_, session, _) = api.login(&device, "bo", "2580").await;
    let shared = format!("Shared {}", session["token"].as_str().unwrap());
    let leave = || {
        api.call(
            reqwest::Method::DELETE,
            "/api/v1/devices/current",
            Some(format!("Device {device}")),
            None,
        )
    };
    assert_eq!(leave().await.0, 204);
    assert_eq!(leave().await.1["code"], "device.not_enrolled", "only once");
    assert_eq!(
        api.call(reqwest::Method::GET, "/api/v1/me", Some(shared), None)
            .await
            .0,
        401,
        "its sessions end with it"
    );
}

/// A shared device's session never orders substitute access, not even an
/// administrator's (`omsorg_core::wizard::may_order`): `/me` says so and the
/// ordering endpoints refuse; the same person's KOMBIT login may.
#[tokio::test]
async fn a_shared_session_never_orders_substitute_access() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let api = Api { app: &app };
    let (device, _) = tablet(&api, &issuer).await;
    let (status, session, _) = api.login(&device, "bo", "2580").await;
    assert_eq!(status, 201, "{session}");
    assert_eq!(session["me"]["may_order_substitutes"], false, "{session}");
    let shared = format!("Shared {}", session["token"].as_str().unwrap());
    let (_, me, _) = api
        .call(
            reqwest::Method::GET,
            "/api/v1/me",
            Some(shared.clone()),
            None,
        )
        .await;
    assert_eq!(me["may_order_substitutes"], false, "{me}");
    for (path, body) in [
        ("/api/v1/substitute-ids/reservations", None),
        ("/api/v1/cpr/lookup", Some(json!({"cpr": "0101901234"}))),
    ] {
        let (status, refused, _) = api
            .call(
                reqwest::Method::POST,
                path,
                Some(shared.clone()),
                body.clone(),
            )
            .await;
        assert_eq!(
            (status, refused["code"].as_str()),
            (403, Some("auth.forbidden")),
            "{path}"
        );
        let (status, allowed, _) = api
            .call(
                reqwest::Method::POST,
                path,
                Some(bearer(&issuer, "bo")),
                body,
            )
            .await;
        assert!(status < 300, "{path} with KOMBIT: {status} {allowed}");
    }
}

/// A tablet admits only staff whose KOMBIT privileges cover its unit (the
/// municipality's default, to protect residents): anna, of Hjemmeplejen
/// Nord, is refused on Syd's tablet exactly like a wrong PIN, and it is
/// audited; her own unit's tablet admits her; a municipality that admits
/// all its staff on every device lets her in on Syd's too.
#[tokio::test]
async fn a_tablet_admits_only_its_units_staff_unless_the_municipality_says_all() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let api = Api { app: &app };
    let anna = bearer(&issuer, "anna");
    let (status, _) = app
        .call(
            reqwest::Method::PUT,
            "/api/v1/me/pin",
            &anna,
            &[],
            Some(&json!({"pin": "4826"})),
        )
        .await;
    assert!(status < 300, "{status}");
    let bo = bearer(&issuer, "bo");
    let syd = app.tablet(&bo, "kbh-hjemmepleje-syd").await;
    let nord = app.tablet(&bo, "kbh-hjemmepleje-nord").await;

    let (status, refused, _) = api.login(&syd, "anna", "4826").await;
    let (wrong_status, wrong, _) = api.login(&syd, "anna", "0000").await;
    assert_eq!(
        (status, &refused),
        (wrong_status, &wrong),
        "reads like a wrong PIN"
    );
    assert_eq!(refused["code"], "shared.login_failed");
    let db = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'shared.refused_unit' AND subject LIKE 'anna on %'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(audited, 1);

    assert_eq!(
        api.login(&nord, "anna", "4826").await.0,
        201,
        "her own unit"
    );
    sqlx::query(
        "UPDATE municipalities SET shared_devices_whole_municipality = TRUE WHERE code = '101'",
    )
    .execute(&db)
    .await
    .unwrap();
    assert_eq!(
        api.login(&syd, "anna", "4826").await.0,
        201,
        "the whole municipality"
    );
}

/// A user ID + PIN login finds its person through an index, never by
/// reading every person: on SQLite the login's own statement's plan scans
/// no table; on PostgreSQL (whose planner scans a table this small anyway)
/// the index it would use exists.
#[tokio::test]
async fn a_login_finds_its_person_without_reading_everyone() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    match crate::databases::backend() {
        omsorg_server::db::Backend::Sqlite => {
            let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(&format!(
                "EXPLAIN QUERY PLAN {}",
                omsorg_server::people::SHARED_LOGIN_PERSON
            ))
            .bind("Bo")
            .bind("101")
            .bind("kbh-hjemmepleje-nord")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
            let steps: Vec<&str> = plan.iter().map(|row| row.3.as_str()).collect();
            assert!(
                steps.iter().any(|s| s.contains("people_by_user_id")),
                "{steps:?}"
            );
            assert!(!steps.iter().any(|s| s.starts_with("SCAN")), "{steps:?}");
        }
        omsorg_server::db::Backend::Postgres => {
            let definition: String = sqlx::query_scalar(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'people_by_user_id'",
            )
            .fetch_one(&app.state.db)
            .await
            .unwrap();
            assert!(definition.contains("lower(user_id)"), "{definition}");
        }
    }
}
