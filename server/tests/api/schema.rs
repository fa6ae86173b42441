//! SQLite's and PostgreSQL's schemas kept in step.

use omsorg_server::db::Backend;

use crate::databases::cluster;

/// The tables and columns a database has after every migration (sqlx's
/// own bookkeeping aside), sorted.
async fn schema_of(url: &str) -> Vec<(String, String)> {
    let pool = omsorg_server::db::connect(url).await.unwrap();
    let sql = match Backend::of_pool(&pool) {
        Backend::Sqlite => {
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT)
             FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'"
        }
    };
    let mut columns: Vec<(String, String)> = sqlx::query_as(sql).fetch_all(&pool).await.unwrap();
    pool.close().await;
    columns.sort();
    columns
}

/// SQLite's and PostgreSQL's migrations, each applied from nothing, give
/// the same tables with the same columns: a migration added to one and not
/// the other fails here.
#[tokio::test]
async fn both_databases_migrate_to_the_same_tables_and_columns() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = schema_of(&format!("sqlite://{}", dir.path().join("s.db").display())).await;
    let postgres = schema_of(&cluster().create_database().await).await;
    assert!(sqlite.len() > 50, "{sqlite:?}");
    let only = |a: &[(String, String)], b: &[(String, String)]| -> Vec<(String, String)> {
        a.iter().filter(|c| !b.contains(c)).cloned().collect()
    };
    assert_eq!(only(&sqlite, &postgres), [], "only on SQLite");
    assert_eq!(only(&postgres, &sqlite), [], "only on PostgreSQL");
}

/// Instances that start together on one new database all come up: each
/// migration is applied once, and the dev seed runs once at a time (on
/// PostgreSQL two concurrent seeds once met in the municipalities' CVR
/// index and one instance failed to start).
#[tokio::test]
async fn four_instances_starting_together_on_a_new_database_all_come_up() {
    let issuer = crate::helpers::spawn_issuer().await;
    for round in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::databases::fresh(dir.path(), &format!("together-{round}")).await;
        let start = || omsorg_server::Server::start(crate::helpers::test_config(&issuer, &url));
        let (a, b, c, d) = tokio::join!(start(), start(), start(), start());
        for started in [a, b, c, d] {
            started.unwrap_or_else(|e| panic!("round {round}: {e:#}"));
        }
    }
}
