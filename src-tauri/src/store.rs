//! The app's SQLite store in the app data dir, migrated at open.
//!
//! Invariant: no token, device credential or CPR number is ever written here
//! in the clear; those live in the OS keystore or in memory only. Unfinished
//! work that holds a CPR number (the order wizard) is stored sealed, with its
//! key in the keystore.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use omsorg_core::api::{DeviceInfo, Me, Municipality};
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
    // 2: unfinished work, sealed (AES-256-GCM, the key in the keystore).
    "CREATE TABLE drafts (
         kind TEXT PRIMARY KEY NOT NULL,
         sealed BLOB NOT NULL,
         saved_at INTEGER NOT NULL
     );",
];

const LAST_MUNICIPALITY: &str = "last_municipality";
const LANGUAGE: &str = "language";
const MUNICIPALITIES_FETCHED_AT: &str = "municipalities_fetched_at";
/// The signed-in person as the backend last described them (for an offline
/// start behind the lock). Personal: wiped at sign-out.
const PERSON: &str = "person";
/// The offline PIN verifier: a PHC Argon2id hash keyed with the device
/// secret, which lives in the keystore. Personal: wiped at sign-out.
const PIN_VERIFIER: &str = "pin_verifier";
/// Unlock attempts left, so a restart does not reset the count.
const LOCK_ATTEMPTS_LEFT: &str = "lock_attempts_left";
/// A shared device's enrollment as the backend described it (no secret: the
/// credential is in the keystore). A device setting: kept at sign-out.
const DEVICE: &str = "device";
/// The next KOMBIT login must be fresh (a PIN was blocked here): kept
/// across sign-outs, it is the device's, not the person's.
const FRESH_LOGIN_NEEDED: &str = "fresh_login_needed";
/// The unit last chosen on this device by someone with several (a device
/// setting: the backend ignores it for a person it is not a unit of).
const ACTING_UNIT: &str = "acting_unit";
const PERSONAL: &[&str] = &[PERSON, PIN_VERIFIER, LOCK_ATTEMPTS_LEFT];

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

    pub fn person(&self) -> rusqlite::Result<Option<Me>> {
        Ok(get_setting(&self.conn(), PERSON)?.and_then(|j| serde_json::from_str(&j).ok()))
    }

    pub fn set_person(&self, me: &Me) -> rusqlite::Result<()> {
        set_setting(
            &self.conn(),
            PERSON,
            &serde_json::to_string(me).expect("json"),
        )
    }

    pub fn pin_verifier(&self) -> rusqlite::Result<Option<String>> {
        get_setting(&self.conn(), PIN_VERIFIER)
    }

    pub fn set_pin_verifier(&self, phc: &str) -> rusqlite::Result<()> {
        set_setting(&self.conn(), PIN_VERIFIER, phc)
    }

    /// `None`: no failed attempt since the last unlock.
    pub fn lock_attempts_left(&self) -> rusqlite::Result<Option<u8>> {
        Ok(get_setting(&self.conn(), LOCK_ATTEMPTS_LEFT)?.and_then(|v| v.parse().ok()))
    }

    pub fn set_lock_attempts_left(&self, left: Option<u8>) -> rusqlite::Result<()> {
        match left {
            Some(n) => set_setting(&self.conn(), LOCK_ATTEMPTS_LEFT, &n.to_string()),
            None => self
                .conn()
                .execute("DELETE FROM settings WHERE key = ?1", [LOCK_ATTEMPTS_LEFT])
                .map(|_| ()),
        }
    }

    pub fn acting_unit(&self) -> rusqlite::Result<Option<String>> {
        get_setting(&self.conn(), ACTING_UNIT)
    }

    pub fn set_acting_unit(&self, unit: &str) -> rusqlite::Result<()> {
        set_setting(&self.conn(), ACTING_UNIT, unit)
    }

    pub fn fresh_login_needed(&self) -> rusqlite::Result<bool> {
        Ok(get_setting(&self.conn(), FRESH_LOGIN_NEEDED)?.is_some())
    }

    pub fn set_fresh_login_needed(&self, needed: bool) -> rusqlite::Result<()> {
        if needed {
            set_setting(&self.conn(), FRESH_LOGIN_NEEDED, "1")
        } else {
            self.conn()
                .execute("DELETE FROM settings WHERE key = ?1", [FRESH_LOGIN_NEEDED])
                .map(|_| ())
        }
    }

    pub fn device(&self) -> rusqlite::Result<Option<DeviceInfo>> {
        Ok(get_setting(&self.conn(), DEVICE)?.and_then(|j| serde_json::from_str(&j).ok()))
    }

    /// `None`: not (or no longer) a shared device.
    pub fn set_device(&self, device: Option<&DeviceInfo>) -> rusqlite::Result<()> {
        match device {
            Some(d) => set_setting(
                &self.conn(),
                DEVICE,
                &serde_json::to_string(d).expect("json"),
            ),
            None => self
                .conn()
                .execute("DELETE FROM settings WHERE key = ?1", [DEVICE])
                .map(|_| ()),
        }
    }

    /// A sealed draft of `kind`, as stored.
    pub fn draft(&self, kind: &str) -> rusqlite::Result<Option<Vec<u8>>> {
        self.conn()
            .query_row("SELECT sealed FROM drafts WHERE kind = ?1", [kind], |r| {
                r.get(0)
            })
            .optional()
    }

    /// Stores (or, with `None`, deletes) the sealed draft of `kind`.
    pub fn set_draft(&self, kind: &str, sealed: Option<&[u8]>) -> rusqlite::Result<()> {
        let conn = self.conn();
        match sealed {
            Some(bytes) => conn.execute(
                "INSERT INTO drafts (kind, sealed, saved_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (kind) DO UPDATE SET sealed = ?2, saved_at = ?3",
                params![kind, bytes, Utc::now().timestamp()],
            )?,
            None => conn.execute("DELETE FROM drafts WHERE kind = ?1", [kind])?,
        };
        Ok(())
    }

    /// Sign-out: every personal item goes, drafts too; device settings
    /// (language, last municipality, the municipality list) stay.
    pub fn wipe_personal(&self) -> rusqlite::Result<()> {
        let conn = self.conn();
        conn.execute("DELETE FROM drafts", [])?;
        for key in PERSONAL {
            conn.execute("DELETE FROM settings WHERE key = ?1", [key])?;
        }
        Ok(())
    }
}

/// Every pending migration in one transaction: all or none of them, and
/// one disk sync on the first start's path (before the window) instead of
/// one each.
fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let version: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version >= MIGRATIONS.len() {
        return Ok(());
    }
    let tx = conn.transaction()?;
    for sql in &MIGRATIONS[version..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", MIGRATIONS.len())?;
    tx.commit()
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
    fn sign_out_wipes_personal_items_and_keeps_device_settings() {
        let store = Store::open_in_memory().unwrap();
        let me: Me = serde_json::from_value(serde_json::json!({
            "user_id": "anna", "name": "Anna Andersen", "municipality_code": "101",
            "unit": null, "roles": ["staff"], "has_pin": true, "may_order_substitutes": true
        }))
        .unwrap();
        store.set_person(&me).unwrap();
        store.set_pin_verifier("$argon2id$v=19$x").unwrap();
        store.set_lock_attempts_left(Some(3)).unwrap();
        store.set_language("en").unwrap();
        assert_eq!(store.person().unwrap(), Some(me));
        assert_eq!(store.lock_attempts_left().unwrap(), Some(3));

        store.wipe_personal().unwrap();
        assert_eq!(store.person().unwrap(), None);
        assert_eq!(store.pin_verifier().unwrap(), None);
        assert_eq!(store.lock_attempts_left().unwrap(), None);
        assert_eq!(store.language().unwrap().as_deref(), Some("en"));
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

    #[test]
    fn a_store_of_an_older_version_is_upgraded_keeping_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("omsorg.db");
        // As the first release left it: migration 1 only, a setting in it.
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            set_setting(&conn, LAST_MUNICIPALITY, "751").unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.last_municipality().unwrap().as_deref(), Some("751"));
        let version: usize = store
            .conn()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len());
        // The later tables are there: unfinished work can be kept.
        let tables: i64 = store
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(tables > 2, "only {tables} tables after the upgrade");
    }
}
