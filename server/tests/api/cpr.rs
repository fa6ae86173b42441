//! CPR lookup for the substitute wizard (SPEC C4, step 2): orderers only,
//! clear refusals, numbers without a modulus-11 check digit accepted, and
//! the number never in the logs.

use serde_json::{json, Value};

use crate::helpers::*;

async fn lookup(app: &TestApp, issuer: &str, who: &str, cpr: Value) -> (u16, Value) {
    let bearer = token(KEY, Some("k1"), json!({"iss": issuer, "sub": who}));
    let body = json!({ "cpr": cpr });
    app.call(
        reqwest::Method::POST,
        "/api/v1/cpr/lookup",
        &format!("Bearer {bearer}"),
        &[],
        Some(&body),
    )
    .await
}

#[tokio::test]
async fn orderers_find_substitutes_and_get_clear_refusals() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;

    // 010190-1234 has no valid modulus-11 check digit: fully valid anyway.
    let (status, found) = lookup(&app, &issuer, "anna", json!("010190-1234")).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["name"], "Sofie Vikar Jensen");
    assert_eq!(found["cpr_masked"], "010190-XXXX");
    assert_eq!(found["birth_date"], "1990-01-01");
    assert!(!found.to_string().contains("1234"), "masked in the answer");
    // Ten digits without the dash; the 2000s by the 7th digit.
    let (_, young) = lookup(&app, &issuer, "anna", json!("1506054321")).await;
    assert_eq!(young["birth_date"], "2005-06-15");
    // Administrators may order too.
    assert_eq!(
        lookup(&app, &issuer, "bo", json!("010190-1234")).await.0,
        200
    );

    // carl's workplace does not order substitute access.
    let (status, refused) = lookup(&app, &issuer, "carl", json!("010190-1234")).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (403, Some("auth.forbidden"))
    );

    for bad in [
        json!("310290-1234"),
        json!("0101901234x"),
        json!(""),
        json!("01-01-90-1234"),
    ] {
        let (status, body) = lookup(&app, &issuer, "anna", bad.clone()).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (400, Some("cpr.invalid")),
            "{bad}"
        );
    }
    let (status, body) = lookup(&app, &issuer, "anna", json!(101901234)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("request.invalid")),
        "a number, not a string"
    );

    let (status, body) = lookup(&app, &issuer, "anna", json!("020290-0000")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("cpr.not_found"))
    );

    let logs = captured_logs();
    // A birth date with its dash (masked forms too); bare runs of six
    // digits turn up in timings in the logs of the tests beside this one.
    for digits in [
        "0101901234",
        "010190-1234",
        "1506054321",
        "020290-",
        "010190-",
    ] {
        assert!(!logs.contains(digits), "{digits} in the logs");
    }
    assert!(
        logs.contains("CPR lookup: found"),
        "the lookups were logged: {logs}"
    );
}

/// Forty lookups at once by one orderer: twenty are asked (each audited,
/// by a keyed hash, never the number), the rest get a clear 429; another
/// orderer is not held up.
#[tokio::test]
async fn lookups_are_limited_per_orderer_and_each_one_audited() {
    let issuer = spawn_issuer().await;
    let app = std::sync::Arc::new(spawn_app_trusting(&issuer).await);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..40u32 {
        let (app, issuer) = (app.clone(), issuer.clone());
        // Half of them a number the register knows, half one it does not.
        let cpr = if i % 2 == 0 {
            "010190-1234"
        } else {
            "020290-4321"
        };
        tasks.spawn(async move { lookup(&app, &issuer, "anna", json!(cpr)).await });
    }
    let (mut asked, mut refused) = (0, 0);
    while let Some(answer) = tasks.join_next().await {
        let (status, body) = answer.unwrap();
        match status {
            200 | 404 => asked += 1,
            429 => {
                assert_eq!(body["code"], "cpr.too_many_lookups", "{body}");
                refused += 1;
            }
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!((asked, refused), (20, 20));
    assert_eq!(
        lookup(&app, &issuer, "bo", json!("010190-1234")).await.0,
        200
    );

    let db = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    let rows: Vec<(Option<i64>, String)> =
        sqlx::query_as("SELECT actor_id, subject FROM audit_log WHERE action = 'cpr.lookup'")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(
        rows.len(),
        21,
        "every lookup that was asked, and only those"
    );
    let outcomes: Vec<&str> = rows
        .iter()
        .map(|(_, s)| s.rsplit(' ').next().unwrap())
        .collect();
    assert!(
        outcomes.contains(&"found") && outcomes.contains(&"not_found"),
        "{outcomes:?}"
    );
    for (actor, subject) in &rows {
        assert!(actor.is_some());
        assert!(
            !subject.contains("010190") && !subject.contains("1234"),
            "{subject}"
        );
        assert!(
            !subject.contains("020290") && !subject.contains("4321"),
            "{subject}"
        );
    }
}
