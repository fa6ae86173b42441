//! Administrators see their own municipality's people as KOMBIT
//! provisioned them, searchable, with whether each has a PIN and whether it
//! is blocked; a reset shows at once. Nobody else sees them.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

fn bearer(issuer: &str, who: &str) -> String {
    format!(
        "Bearer {}",
        token(KEY, Some("k1"), json!({"iss": issuer, "sub": who}))
    )
}

async fn people(app: &TestApp, who: &str, q: &str) -> (u16, Value) {
    let path = format!(
        "/api/v1/admin/people?q={}",
        url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
    );
    app.call(Method::GET, &path, who, &[], None).await
}

fn find<'a>(list: &'a Value, user_id: &str) -> Option<&'a Value> {
    list["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["user_id"] == user_id)
}

#[tokio::test]
async fn administrators_find_their_municipalitys_people_and_see_a_blocked_pin_and_its_reset() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let eva = bearer(&issuer, "eva");

    let (status, all) = people(&app, &eva, "").await;
    assert_eq!(status, 200, "{all}");
    let carl = find(&all, "carl").expect("carl is Aarhus's").clone();
    assert_eq!(carl["name"], "Carl Christensen");
    assert_eq!(carl["roles"], json!(["staff"]));
    assert_eq!(carl["units"][0]["id"], "aar-solhaven");
    assert_eq!(
        (carl["has_pin"].as_bool(), carl["pin_blocked"].as_bool()),
        (Some(true), Some(false))
    );
    assert!(carl["last_login"].is_string(), "{carl}");
    assert!(
        find(&all, "anna").is_none(),
        "København's people are not Aarhus's"
    );
    assert_eq!(all["more"], false);

    // Searching: any case, by name or user ID; % and _ are letters.
    let (_, found) = people(&app, &eva, "CHRIST").await;
    assert_eq!(found["people"].as_array().unwrap().len(), 1, "{found}");
    let (_, none) = people(&app, &eva, "%").await;
    assert_eq!(none["people"], json!([]));

    // Five wrong on a tablet block carl's user ID; the list says so.
    let tablet = app.tablet(&eva, "aar-solhaven").await;
    for pin in ["1111", "2222", "3333", "4444", "5555"] {
        let body = json!({"user_id": "carl", "pin": pin});
        let device = format!("Device {tablet}");
        app.call(
            Method::POST,
            "/api/v1/shared/sessions",
            &device,
            &[],
            Some(&body),
        )
        .await;
    }
    let (_, after) = people(&app, &eva, "carl").await;
    assert_eq!(
        find(&after, "carl").unwrap()["pin_blocked"],
        true,
        "{after}"
    );

    // The reset: no PIN, nothing blocked.
    let (status, _) = app
        .call(
            Method::DELETE,
            "/api/v1/admin/people/carl/pin",
            &eva,
            &[],
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (_, reset) = people(&app, &eva, "carl").await;
    let carl = find(&reset, "carl").unwrap();
    assert_eq!(
        (carl["has_pin"].as_bool(), carl["pin_blocked"].as_bool()),
        (Some(false), Some(false))
    );

    // Staff and orderers see nobody.
    for who in ["carl", "anna"] {
        assert_eq!(
            people(&app, &bearer(&issuer, who), "").await.0,
            403,
            "{who}"
        );
    }
}
