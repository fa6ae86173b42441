use omsorg_core::api::MunicipalityList;

use crate::helpers::{spawn_app, DEV_ISSUER};

#[tokio::test]
async fn lists_only_municipalities_with_login_enabled_sorted_by_name() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/api/v1/municipalities"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let list: MunicipalityList = res.json().await.unwrap();
    let names: Vec<_> = list
        .municipalities
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(names, ["Aarhus", "København"], "Odense is disabled");
    let kbh = &list.municipalities[1];
    assert_eq!(kbh.code, "101");
    assert_eq!(kbh.issuer, DEV_ISSUER);
    assert_eq!(kbh.hint.as_deref(), Some("101"));
}

/// A restart reseeds the dev data without undoing what happened since: a
/// changed PIN stays, a used substitute ID stays used, people keep their
/// row (and so their orders and audit records), and nothing is added twice.
#[tokio::test]
async fn restarting_on_the_same_database_reseeds_without_undoing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let url = crate::databases::fresh(dir.path(), "again").await;
    let seed = || async {
        let pool = omsorg_server::db::connect(&url).await.unwrap();
        omsorg_server::db::seed_dev(
            &pool,
            &omsorg_server::config::DevSeed {
                issuer: DEV_ISSUER.into(),
                care_record: None,
            },
        )
        .await
        .unwrap();
        pool
    };
    let counts = |pool: sqlx::AnyPool| async move {
        let mut n = Vec::new();
        for table in ["municipalities", "units", "people", "substitute_ids"] {
            let (c,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&pool)
                .await
                .unwrap();
            n.push(c);
        }
        n
    };
    let pool = seed().await;
    let first = counts(pool.clone()).await;
    assert_eq!(
        first,
        [3, 4, 0, 50],
        "no people: they are learnt from their tokens"
    );
    // carl logged in once (as provisioning writes him).
    let carl_id: i64 = sqlx::query_scalar(
        "INSERT INTO people (issuer, subject, user_id, name, municipality_code, unit_id)
         VALUES ('http://old-dev-idp', 'carl', 'carl', 'Carl Christensen', '751', 'aar-solhaven')
         RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let first = counts(pool.clone()).await;
    sqlx::query("UPDATE people SET pin_hash = 'changed-by-carl' WHERE user_id = 'carl'")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE substitute_ids SET state = 'in_use' WHERE user_id = 'vik001'")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let pool = seed().await;
    assert_eq!(counts(pool.clone()).await, first, "nothing added twice");
    let (id, hash, issuer): (i64, String, String) =
        sqlx::query_as("SELECT id, pin_hash, issuer FROM people WHERE user_id = 'carl'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(id, carl_id, "the same row, so his records stay his");
    assert_eq!(hash, "changed-by-carl", "his own PIN, not the seed's");
    assert_eq!(issuer, DEV_ISSUER, "the dev IdP as it runs now");
    let state: String =
        sqlx::query_scalar("SELECT state FROM substitute_ids WHERE user_id = 'vik001'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(state, "in_use", "a used ID is not freed by a restart");
}

/// A database with real data (a municipality or a person the dev seed does
/// not know) refuses the dev seed, and is left as it was.
#[tokio::test]
async fn the_dev_seed_refuses_a_database_with_other_data() {
    let dir = tempfile::tempdir().unwrap();
    let url = crate::databases::fresh(dir.path(), "real").await;
    let pool = omsorg_server::db::connect(&url).await.unwrap();
    sqlx::query(
        "INSERT INTO municipalities (code, name, issuer, hint, login_enabled)
         VALUES ('147', 'Frederiksberg', 'https://idp.example', '147', TRUE)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let seeded = omsorg_server::db::seed_dev(
        &pool,
        &omsorg_server::config::DevSeed {
            issuer: DEV_ISSUER.into(),
            care_record: None,
        },
    )
    .await;
    let refusal = seeded.unwrap_err().to_string();
    assert!(refusal.contains("OMSORG_DEV_SEED refused"), "{refusal}");
    let people: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(people, 0, "no dev people (with known PINs) were added");
}
