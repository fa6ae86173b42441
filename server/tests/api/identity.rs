//! KOMBIT identity: people, roles and units come from the token's
//! privileges (OIO BPP), provisioned at each token that says something new;
//! a role removed centrally takes effect at the next token; CPR numbers
//! and ordering need NSIS "Betydelig".

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

const KBH: &str = "64942212";
const AARHUS: &str = "55133018";
const NORD: &str = "2f1b7a64-0d7e-4c55-9a43-6a1c1f1e2a01";

fn bearer(issuer: &str, claims: Value) -> String {
    let mut all = json!({"iss": issuer});
    for (k, v) in claims.as_object().unwrap() {
        all[k] = v.clone();
    }
    format!("Bearer {}", token(KEY, Some("k1"), all))
}

async fn me(app: &TestApp, auth: &str) -> (u16, Value) {
    app.call(Method::GET, "/api/v1/me", auth, &[], None).await
}

async fn lookup(app: &TestApp, auth: &str) -> (u16, Value) {
    let body = json!({"cpr": "010190-1234"});
    app.call(Method::POST, "/api/v1/cpr/lookup", auth, &[], Some(&body))
        .await
}

#[tokio::test]
async fn a_person_unknown_to_the_backend_is_provisioned_from_the_token_alone() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let db = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    let known: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE user_id = 'frida'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(known, 0, "nobody made frida");

    // Orderer in Hjemmeplejen Nord and Syd (dev data): the token is all.
    let frida = bearer(&issuer, json!({"sub": "frida"}));
    let (status, body) = me(&app, &frida).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], "Frida Friis");
    assert_eq!(body["municipality_code"], "101");
    assert_eq!(body["roles"], json!(["staff", "orderer"]));
    assert_eq!(
        body["unit"]["name"], "Hjemmeplejen Nord",
        "a top-level unit first"
    );
    assert_eq!(body["may_order_substitutes"], true);
    let mut units: Vec<String> = sqlx::query_scalar(
        "SELECT pu.unit_id FROM person_units pu JOIN people p ON p.id = pu.person_id
         WHERE p.user_id = 'frida'",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    units.sort();
    assert_eq!(
        units,
        [
            "kbh-hjemmepleje-nord",
            "kbh-hjemmepleje-syd",
            "kbh-nord-aftenvagt"
        ],
        "Nord's constraint covers its sub-unit Aftenvagten"
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'person.provisioned' AND subject = 'frida'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    // The same token again learns nothing new and adds nothing.
    assert_eq!(me(&app, &frida).await.0, 200);
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE user_id = 'frida'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(rows, 1);
}

#[tokio::test]
async fn a_role_removed_centrally_takes_effect_at_the_next_token() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let anna = |roles: &[&str]| {
        bearer(
            &issuer,
            json!({"sub": "anna", "privileges_intermediate": privileges(KBH, roles, &[NORD])}),
        )
    };
    let (_, body) = me(&app, &anna(&["medarbejder", "bestiller"])).await;
    assert_eq!(body["may_order_substitutes"], true);

    // The orderer role taken away in the role catalogue: gone at her next token.
    let staff_only = anna(&["medarbejder"]);
    let (_, body) = me(&app, &staff_only).await;
    assert_eq!(body["roles"], json!(["staff"]));
    assert_eq!(body["may_order_substitutes"], false);
    let (status, refused) = lookup(&app, &staff_only).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (403, Some("auth.forbidden"))
    );

    // No Omsorg role left at all: refused, like dora.
    let other_system = {
        use omsorg_core::privileges::{PrivilegeGroup, PrivilegeList};
        let list = PrivilegeList {
            groups: vec![PrivilegeGroup {
                scope: format!("{}{KBH}", omsorg_core::privileges::CVR_SCOPE),
                privileges: vec!["urn:dk:kombit:other-system:role:1".into()],
                constraints: vec![],
            }],
        };
        omsorg_core::privileges::encode(&list.to_xml())
    };
    let none = bearer(
        &issuer,
        json!({"sub": "anna", "privileges_intermediate": other_system}),
    );
    let (status, body) = me(&app, &none).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("account.not_provisioned"))
    );
    // A token without any privilege list: the same.
    let bare = bearer(
        &issuer,
        json!({"sub": "anna", "privileges_intermediate": null}),
    );
    assert_eq!(me(&app, &bare).await.1["code"], "account.not_provisioned");

    // Given back centrally: she is in again, the same person.
    let (status, body) = me(&app, &anna(&["medarbejder", "bestiller"])).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["may_order_substitutes"], true);
}

/// carl's shared session on a tablet ends when a token says he has no
/// Omsorg role any more, and he cannot log in there again.
#[tokio::test]
async fn a_person_deprovisioned_by_the_token_loses_their_shared_sessions() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let eva = bearer(&issuer, json!({"sub": "eva"}));
    let device = format!("Device {}", app.tablet(&eva, "aar-solhaven").await);
    let carl_logs_in = || {
        let body = json!({"user_id": "carl", "pin": "1397"});
        let (app, device) = (&app, device.clone());
        async move {
            app.call(
                Method::POST,
                "/api/v1/shared/sessions",
                &device,
                &[],
                Some(&body),
            )
            .await
        }
    };
    let (status, session) = carl_logs_in().await;
    assert_eq!(status, 201, "{session}");
    let shared = format!("Shared {}", session["token"].as_str().unwrap());
    assert_eq!(me(&app, &shared).await.0, 200);

    let nothing = bearer(
        &issuer,
        json!({"sub": "carl", "privileges_intermediate": privileges(AARHUS, &[], &[])}),
    );
    assert_eq!(
        me(&app, &nothing).await.1["code"],
        "account.not_provisioned"
    );
    assert_eq!(me(&app, &shared).await.0, 401, "the shared session ended");
    let (status, again) = carl_logs_in().await;
    assert_eq!(
        (status, again["code"].as_str()),
        (401, Some("shared.login_failed"))
    );
}

/// A token older than the one that last spoke cannot bring a removed role
/// back (an app still holding it for a few minutes).
#[tokio::test]
async fn an_older_token_does_not_undo_a_newer_ones_word() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let now = chrono::Utc::now().timestamp();
    let at = |iat: i64, roles: &[&str]| {
        bearer(
            &issuer,
            json!({"sub": "anna", "iat": iat,
                   "privileges_intermediate": privileges(KBH, roles, &[NORD])}),
        )
    };
    let old = at(now - 60, &["medarbejder", "bestiller"]);
    assert_eq!(me(&app, &old).await.1["may_order_substitutes"], true);
    assert_eq!(
        me(&app, &at(now, &["medarbejder"])).await.1["may_order_substitutes"],
        false
    );
    assert_eq!(me(&app, &old).await.1["may_order_substitutes"], false);
}

/// Groups for another municipality (even one this issuer serves) and for
/// scopes that are no municipality grant nothing here; the person belongs
/// to the municipality whose group gives an Omsorg role.
#[tokio::test]
async fn only_the_persons_own_municipalitys_groups_count() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    use omsorg_core::privileges::{Constraint, PrivilegeGroup, PrivilegeList};
    let data = omsorg_server::dev_data::get();
    let group = |scope: String, roles: &[&str], unit: Option<&str>| PrivilegeGroup {
        scope,
        privileges: roles.iter().map(|r| data.roles[*r].clone()).collect(),
        constraints: unit
            .map(|u| Constraint {
                name: omsorg_core::privileges::ORG_UNIT_CONSTRAINT.into(),
                value: u.into(),
            })
            .into_iter()
            .collect(),
    };
    let cvr = |n: &str| format!("{}{n}", omsorg_core::privileges::CVR_SCOPE);
    let list = PrivilegeList {
        groups: vec![
            group(cvr(KBH), &["medarbejder"], Some(NORD)),
            group(cvr(AARHUS), &["administrator", "bestiller"], None),
            group(cvr("99999999"), &["administrator"], None),
            group(
                "urn:dk:gov:saml:seNumberIdentifier:12345678".into(),
                &["administrator"],
                None,
            ),
        ],
    };
    let anna = bearer(
        &issuer,
        json!({"sub": "anna", "privileges_intermediate": omsorg_core::privileges::encode(&list.to_xml())}),
    );
    let (status, body) = me(&app, &anna).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["municipality_code"], "101");
    assert_eq!(
        body["roles"],
        json!(["staff"]),
        "Aarhus's roles are not København's"
    );
    let (status, _) = app
        .call(Method::GET, "/api/v1/admin/units", &anna, &[], None)
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_malformed_privilege_list_is_refused_with_a_clear_error() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let dtd = omsorg_core::privileges::encode(
        r#"<!DOCTYPE x [<!ENTITY a "b">]><PrivilegeList xmlns="http://digst.dk/oiosaml/basic_privilege_profile"/>"#,
    );
    for (what, value) in [
        ("a DTD", dtd),
        ("not base64", "%%%".to_string()),
        ("not XML", omsorg_core::privileges::encode("<PrivilegeList")),
        ("oversized", "QUFB".repeat(20_000)),
    ] {
        let auth = bearer(
            &issuer,
            json!({"sub": "bo", "privileges_intermediate": value}),
        );
        let (status, body) = me(&app, &auth).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (401, Some("auth.privileges_invalid")),
            "{what}: {body}"
        );
        assert!(
            body["message"].as_str().unwrap().contains("privilege list"),
            "{body}"
        );
    }
    // bo as he was: nothing was changed by the refused tokens.
    let (_, body) = me(&app, &bearer(&issuer, json!({"sub": "bo"}))).await;
    assert_eq!(body["roles"], json!(["staff", "orderer", "administrator"]));
}

/// gustav logs in at NSIS level "Lav": the app is his, CPR numbers and
/// ordering are not; a token that states no level is treated the same.
#[tokio::test]
async fn cpr_lookup_and_ordering_need_assurance_level_betydelig() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let gustav = bearer(&issuer, json!({"sub": "gustav"}));
    let (status, body) = me(&app, &gustav).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["may_order_substitutes"], true,
        "the role and unit allow it"
    );
    let (status, refused) = lookup(&app, &gustav).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (403, Some("auth.assurance_too_low")),
        "{refused}"
    );
    let (status, refused) = app
        .call(
            Method::POST,
            "/api/v1/substitute-ids/reservations",
            &gustav,
            &[],
            None,
        )
        .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (403, Some("auth.assurance_too_low"))
    );
    let unstated = bearer(&issuer, json!({"sub": "anna", "loa": null}));
    assert_eq!(
        lookup(&app, &unstated).await.1["code"],
        "auth.assurance_too_low"
    );
    // In SAML's URI form, or as `acr`: accepted.
    let acr = bearer(
        &issuer,
        json!({"sub": "anna", "loa": null, "acr": "https://data.gov.dk/concept/core/nsis/loa/Substantial"}),
    );
    assert_eq!(lookup(&app, &acr).await.0, 200);
}

const SYD: &str = "9c3e0d5a-51b2-4f0e-8d7c-2b8e6f1a4b02";

/// frida's privileges cover Hjemmeplejen Nord (with Aftenvagten) and Syd.
/// She acts for one at a time, named per request by the `Omsorg-Unit`
/// header (the app remembers it per device); an order is that unit's, its
/// manager is told. An administrator limited to Syd sees Syd's orders and
/// declarations only.
#[tokio::test]
async fn a_person_with_several_units_acts_for_one_and_administrators_see_their_units_only() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let frida = bearer(&issuer, json!({"sub": "frida"}));
    let (_, body) = me(&app, &frida).await;
    let names: Vec<&str> = body["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Hjemmeplejen Nord", "Hjemmeplejen Syd", "Aftenvagten Nord"]
    );
    assert_eq!(body["unit"]["name"], "Hjemmeplejen Nord");
    let as_unit = |unit: &'static str| [("omsorg-unit", unit)];
    let (_, body) = app
        .call(
            Method::GET,
            "/api/v1/me",
            &frida,
            &as_unit("kbh-hjemmepleje-syd"),
            None,
        )
        .await;
    assert_eq!(body["unit"]["name"], "Hjemmeplejen Syd");
    let (_, body) = app
        .call(
            Method::GET,
            "/api/v1/me",
            &frida,
            &as_unit("aar-solhaven"),
            None,
        )
        .await;
    assert_eq!(
        body["unit"]["name"], "Hjemmeplejen Nord",
        "not hers: ignored"
    );

    // frida orders for Syd; anna for Nord.
    let order = |auth: &str, unit: &'static str, key: &'static str, n: u16| {
        let auth = auth.to_string();
        let app = &app;
        async move {
            let headers = [("omsorg-unit", unit)];
            let (status, r) = app
                .call(
                    Method::POST,
                    "/api/v1/substitute-ids/reservations",
                    &auth,
                    &headers,
                    None,
                )
                .await;
            assert_eq!(status, 201, "{r}");
            let body = test_order_body(n, r["user_id"].as_str().unwrap());
            let headers = [("omsorg-unit", unit), ("idempotency-key", key)];
            let (status, receipt) = app
                .call(
                    Method::POST,
                    "/api/v1/substitute-accesses",
                    &auth,
                    &headers,
                    Some(&body),
                )
                .await;
            assert_eq!(status, 201, "{receipt}");
            receipt["id"].as_str().unwrap().to_string()
        }
    };
    let syd_order = order(&frida, "kbh-hjemmepleje-syd", "f-1", 1).await;
    let anna = bearer(&issuer, json!({"sub": "anna"}));
    let nord_order = order(&anna, "kbh-hjemmepleje-nord", "a-1", 2).await;
    let db = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    let unit_of = |id: String| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT unit_id FROM substitute_accesses WHERE id = $1")
                .bind(id)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    assert_eq!(unit_of(syd_order.clone()).await, "kbh-hjemmepleje-syd");
    assert_eq!(unit_of(nord_order.clone()).await, "kbh-hjemmepleje-nord");
    let to_syd_manager: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_outbox WHERE to_addr = 'soren.sydbo@kbh.example'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(to_syd_manager, 1, "Syd's manager is told of Syd's order");

    // An administrator whose privileges cover Syd only.
    let syd_admin = bearer(
        &issuer,
        json!({"sub": "bo", "privileges_intermediate":
               privileges(KBH, &["medarbejder", "administrator"], &[SYD])}),
    );
    let (_, list) = app
        .call(
            Method::GET,
            "/api/v1/substitute-accesses",
            &syd_admin,
            &[],
            None,
        )
        .await;
    let ids: Vec<&str> = list["accesses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [syd_order.as_str()], "{list}");
    let (_, found) = app
        .call(
            Method::POST,
            "/api/v1/declarations/search",
            &syd_admin,
            &[],
            // frida's substitute (Syd); anna's (Nord) is the second.
            Some(&json!({"cpr": omsorg_server::cpr_register::test_substitute(1).0})),
        )
        .await;
    assert_eq!(
        found["declarations"].as_array().unwrap().len(),
        1,
        "{found}"
    );
    let (_, nord) = app
        .call(
            Method::POST,
            "/api/v1/declarations/search",
            &syd_admin,
            &[],
            Some(&json!({"cpr": omsorg_server::cpr_register::test_substitute(2).0})),
        )
        .await;
    assert_eq!(
        nord["declarations"],
        json!([]),
        "Nord's is not Syd's: {nord}"
    );
    let pdf = |id: &str| format!("/api/v1/declarations/{id}/pdf");
    assert_eq!(
        app.call(Method::GET, &pdf(&nord_order), &syd_admin, &[], None)
            .await
            .0,
        404
    );
    assert_eq!(
        app.call(Method::GET, &pdf(&syd_order), &syd_admin, &[], None)
            .await
            .0,
        200
    );
    let end = format!("/api/v1/substitute-accesses/{nord_order}/end");
    assert_eq!(
        app.call(Method::POST, &end, &syd_admin, &[], None).await.0,
        404
    );
}
