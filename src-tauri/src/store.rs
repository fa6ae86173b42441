//! The app's SQLite store in the app data dir, migrated at open.
//!
//! Invariant: no token, device credential or CPR number is ever written here;
//! those live in the OS keystore or in memory only.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use omsorg_core::api::Municipality;
use rusqlite::{params, Connection, OptionalExtension};

/// Each entry upgrades the schema by one `user_version`; never edit a released one.
const MIGRATIONS: &[&str] = &[
    // 1: municipality list cache (for offline start) and small settings.
    "CREATE TABLE municipality_cache (
         code TEXT PRIMARY KEY NOT NULL,
         name TEXT NOT NULL,
         issuer TEXT NOT NULL,
         hint TEXT,
         position INTEGER NOT NULL
     );
     CREATE TABLE settings (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);",
];

const LAST_MUNICIPALITY: &str = "last_municipality";
const LANGUAGE: &str = "language";
const MUNICIPALITIES_FETCHED_AT: &str = "municipalities_fetched_at";

pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    pub fn open(path: &Path) -> rusqlite::Result<Store> {
        if let Some(dir) = path.parent() {
            // A failure here surfaces as the open error below.
            let _ = std::fs::create_dir_all(dir);
        }
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        Self::with_connection(conn)
    }

    pub fn open_in_memory() -> rusqlite::Result<Store> {
        Self::with_connection(Connection::open_in_memory()?)
    }

    fn with_connection(mut conn: Connection) -> rusqlite::Result<Store> {
        migrate(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (transactions), so go on.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Replaces the cached list in one transaction, keeping the server's order.
    pub fn cache_municipalities(
        &self,
        list: &[Municipality],
        fetched_at: DateTime<Utc>,
    ) -> rusqlite::Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM municipality_cache", [])?;
        for (i, m) in list.iter().enumerate() {
            tx.execute(
                "INSERT INTO municipality_cache (code, name, issuer, hint, position) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![m.code, m.name, m.issuer, m.hint, i as i64],
            )?;
        }
        set_setting(&tx, MUNICIPALITIES_FETCHED_AT, &fetched_at.to_rfc3339())?;
        tx.commit()
    }

    /// The cached list and when it was fetched; `None` if never fetched.
    pub fn cached_municipalities(
        &self,
    ) -> rusqlite::Result<Option<(Vec<Municipality>, DateTime<Utc>)>> {
        let conn = self.conn();
        let Some(at) = get_setting(&conn, MUNICIPALITIES_FETCHED_AT)? else {
            return Ok(None);
        };
        let Ok(at) = DateTime::parse_from_rfc3339(&at) else {
            return Ok(None);
        };
        let mut stmt = conn
            .prepare("SELECT code, name, issuer, hint FROM municipality_cache ORDER BY position")?;
        let list = stmt
            .query_map([], |r| {
                Ok(Municipality {
                    code: r.get(0)?,
                    name: r.get(1)?,
                    issuer: r.get(2)?,
                    hint: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Some((list, at.with_timezone(&Utc))))
    }

    pub fn last_municipality(&self) -> rusqlite::Result<Option<String>> {
        get_setting(&self.conn(), LAST_MUNICIPALITY)
    }

    pub fn set_last_municipality(&self, code: &str) -> rusqlite::Result<()> {
        set_setting(&self.conn(), LAST_MUNICIPALITY, code)
    }

    pub fn language(&self) -> rusqlite::Result<Option<String>> {
        get_setting(&self.conn(), LANGUAGE)
    }

    pub fn set_language(&self, tag: &str) -> rusqlite::Result<()> {
        set_setting(&self.conn(), LANGUAGE, tag)
    }
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let version: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tx.commit()?;
    }
    Ok(())
}

fn get_setting(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
        r.get(0)
    })
    .optional()
}

fn set_setting(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
        [key, value],
    )
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(code: &str, name: &str) -> Municipality {
        Municipality {
            code: code.into(),
            name: name.into(),
            issuer: "https://idp.example".into(),
            hint: Some(code.into()),
        }
    }

    #[test]
    fn cache_round_trips_in_server_order_and_replaces_the_old_list() {
        let store = Store::open_in_memory().unwrap();
        assert!(store.cached_municipalities().unwrap().is_none());
        let t = Utc::now();
        store
            .cache_municipalities(&[m("751", "Aarhus"), m("101", "København")], t)
            .unwrap();
        store
            .cache_municipalities(&[m("101", "København")], t)
            .unwrap();
        let (list, at) = store.cached_municipalities().unwrap().unwrap();
        assert_eq!(list, vec![m("101", "København")]);
        assert_eq!(at.timestamp(), t.timestamp());
    }

    #[test]
    fn reopening_a_file_keeps_data_and_does_not_rerun_migrations() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/omsorg.db");
        let store = Store::open(&path).unwrap();
        store.set_last_municipality("751").unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.last_municipality().unwrap().as_deref(), Some("751"));
    }
}
