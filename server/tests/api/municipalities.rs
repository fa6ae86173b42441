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

#[tokio::test]
async fn restarting_on_the_same_database_reseeds_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("again.db").display());
    for _ in 0..2 {
        let pool = omsorg_server::db::connect(&url).await.unwrap();
        omsorg_server::db::seed_dev(
            &pool,
            &omsorg_server::config::DevSeed {
                issuer: DEV_ISSUER.into(),
            },
            &omsorg_server::pin::PinHasher::new(b"test-pepper-of-sixteen", 2),
        )
        .await
        .unwrap();
        pool.close().await;
    }
    let pool = omsorg_server::db::connect(&url).await.unwrap();
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM municipalities")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 3);
}
