//! Configuration from `OMSORG_*` environment variables, checked once at start.

use std::net::SocketAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// What the development seed needs to know about the dev stack.
#[derive(Debug, Clone)]
pub struct DevSeed {
    /// The dev OpenID Provider's issuer URL (it runs on a port chosen at start).
    pub issuer: String,
    /// `OMSORG_DEV_CARE_RECORD_URL`: the dev care record's FHIR base; each
    /// municipality's care record is set to it, logged in to at the dev IdP.
    pub care_record: Option<String>,
}

/// `Debug` shows every setting but the secrets (pepper, CPR key).
#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    pub log_format: LogFormat,
    pub dev_seed: Option<DevSeed>,
    /// The `aud` access tokens must carry.
    pub api_audience: String,
    /// Server-side secret mixed into every PIN hash (Argon2 secret).
    pub pin_pepper: String,
    /// The deployment's minimum PIN length (4–8).
    pub pin_min_len: usize,
    /// `OMSORG_FRESH_LOGIN_SECS` (default 600): a KOMBIT login this recent may
    /// set a new PIN without the current one (e.g. after five wrong).
    pub fresh_login: std::time::Duration,
    /// `OMSORG_SHARED_SESSION_SECS` (default 1800): the longest a user-ID +
    /// PIN session on a shared device lives (the device signs out on
    /// inactivity well before).
    pub shared_session_ttl: std::time::Duration,
    /// `OMSORG_CPR_KEY`: 64 hex digits; seals CPR numbers at rest and keys
    /// their search hash. Required outside development.
    pub cpr_key: CprKey,
    /// `OMSORG_CPR_KEY_PREVIOUS`: earlier keys (comma-separated, 64 hex
    /// digits each) still opening what they sealed until `rekey-cpr` has
    /// re-sealed it under `OMSORG_CPR_KEY`.
    pub cpr_previous_keys: Vec<CprKey>,
    /// `OMSORG_SMTP_URL`, e.g. `smtp://127.0.0.1:2525` or
    /// `smtps://user:password@mail.example:465`. Unset: mail is queued only.
    pub smtp_url: Option<String>,
    /// `OMSORG_MAIL_FROM` (default `Omsorg <omsorg@localhost>`).
    pub mail_from: String,
    /// `OMSORG_RETAIN_{DECLARATION,MAIL,SESSIONS,IDEMPOTENCY}_DAYS`: how long
    /// personal data is kept (`retention.rs` has the defaults).
    pub retention: crate::retention::Retention,
    /// `OMSORG_ORDER_LEASE_SECS` (default 60): how long an order's claim on
    /// its idempotency key holds; a claim its instance outlived (a crash) is
    /// taken over after it, by a retry or the recovery job.
    pub order_lease: std::time::Duration,
    /// `OMSORG_DEV_DIRECTORY_LATENCY_MS` (default 0): how long the dev
    /// directory takes for each change (create, extend, disable), as a real
    /// AD's LDAP round trips and replication do (the crash and fleet tests
    /// kill the backend inside it).
    pub dev_directory_latency: std::time::Duration,
    /// `OMSORG_JOB_LEASE_SECS` (default 120) and `OMSORG_JOB_EVERY_SECS`
    /// (default: each job's own interval): how long a background job's
    /// claim holds (`jobs.rs`), and how often the jobs run.
    pub jobs: crate::jobs::Timing,
    /// `OMSORG_ID_QUARANTINE_DAYS` (default 30): how long an archived
    /// substitute user ID waits before it is free again.
    pub id_quarantine_days: i64,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("database_url", &self.database_url)
            .field("log_format", &self.log_format)
            .field("dev_seed", &self.dev_seed)
            .field("api_audience", &self.api_audience)
            .field("pin_pepper", &"<hidden>")
            .field("pin_min_len", &self.pin_min_len)
            .field("fresh_login", &self.fresh_login)
            .field("shared_session_ttl", &self.shared_session_ttl)
            .field("cpr_key", &self.cpr_key)
            .field("cpr_previous_keys", &self.cpr_previous_keys.len())
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "<set>"))
            .field("mail_from", &self.mail_from)
            .field("retention", &self.retention)
            .field("order_lease", &self.order_lease)
            .field("dev_directory_latency", &self.dev_directory_latency)
            .field("jobs", &self.jobs)
            .field("id_quarantine_days", &self.id_quarantine_days)
            .finish()
    }
}

/// The CPR key; never printed.
#[derive(Clone)]
pub struct CprKey(pub [u8; 32]);

impl std::fmt::Debug for CprKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CprKey(<hidden>)")
    }
}

/// Development only (with `OMSORG_DEV_SEED=1`); in the source, so not secret.
const DEV_CPR_KEY: [u8; 32] = *b"omsorg-dev-cpr-key-not-secret-32";

#[derive(Debug, thiserror::Error)]
#[error("{var}: {problem}")]
pub struct ConfigError {
    var: &'static str,
    problem: String,
}

impl Config {
    /// The CPR vault: sealing under `cpr_key`, opening under it and the previous keys.
    pub fn cpr_vault(&self) -> crate::cpr_vault::CprVault {
        let previous: Vec<[u8; 32]> = self.cpr_previous_keys.iter().map(|k| k.0).collect();
        crate::cpr_vault::CprVault::new(&self.cpr_key.0).with_previous(&previous)
    }

    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// `lookup` stands in for the environment so tests need not mutate it.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let err = |var, problem: &str| ConfigError {
            var,
            problem: problem.to_string(),
        };
        let listen = lookup("OMSORG_LISTEN")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .map_err(|_| {
                err(
                    "OMSORG_LISTEN",
                    "expected an address such as 127.0.0.1:8080",
                )
            })?;
        let database_url =
            lookup("OMSORG_DATABASE_URL").unwrap_or_else(|| "sqlite://omsorg.db".into());
        if crate::db::Backend::of_url(&database_url).is_none() {
            return Err(err(
                "OMSORG_DATABASE_URL",
                "expected a sqlite: URL such as sqlite://omsorg.db or a postgres: URL \
                 such as postgres://omsorg@db.internal/omsorg",
            ));
        }
        let log_format = match lookup("OMSORG_LOG_FORMAT").as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(_) => return Err(err("OMSORG_LOG_FORMAT", "expected pretty or json")),
        };
        let dev_seed = match lookup("OMSORG_DEV_SEED").as_deref() {
            None | Some("0") | Some("") => None,
            Some("1") if !std::net::SocketAddr::ip(&listen).is_loopback() => {
                return Err(err(
                    "OMSORG_DEV_SEED",
                    "the dev seed (known passwords, a public CPR key) only with OMSORG_LISTEN on loopback",
                ))
            }
            Some("1") => {
                let issuer = lookup("OMSORG_DEV_ISSUER").ok_or_else(|| {
                    err(
                        "OMSORG_DEV_ISSUER",
                        "required with OMSORG_DEV_SEED=1: the dev OpenID Provider's issuer URL",
                    )
                })?;
                let care_record = lookup("OMSORG_DEV_CARE_RECORD_URL").filter(|u| !u.is_empty());
                Some(DevSeed {
                    issuer,
                    care_record,
                })
            }
            Some(_) => return Err(err("OMSORG_DEV_SEED", "expected 0 or 1")),
        };
        let api_audience = lookup("OMSORG_API_AUDIENCE").unwrap_or_else(|| "urn:omsorg:api".into());
        // Development has a fixed pepper; anywhere else it must be configured.
        let pin_pepper = match (lookup("OMSORG_PIN_PEPPER"), &dev_seed) {
            (Some(p), _) if p.len() >= 16 => p,
            (Some(_), _) => return Err(err("OMSORG_PIN_PEPPER", "must be at least 16 characters")),
            (None, Some(_)) => "omsorg-dev-pepper-not-secret".into(),
            (None, None) => {
                return Err(err(
                    "OMSORG_PIN_PEPPER",
                    "required: a secret of at least 16 characters for PIN hashes",
                ))
            }
        };
        let pin_min_len = match lookup("OMSORG_PIN_MIN_LEN") {
            None => omsorg_core::pin::MIN_LEN,
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (omsorg_core::pin::MIN_LEN..=omsorg_core::pin::MAX_LEN).contains(&n) => n,
                _ => {
                    return Err(err(
                        "OMSORG_PIN_MIN_LEN",
                        "expected a whole number from 4 to 8",
                    ))
                }
            },
        };
        let fresh_login = match lookup("OMSORG_FRESH_LOGIN_SECS") {
            None => std::time::Duration::from_secs(600),
            Some(v) => match v.parse::<u64>() {
                Ok(n) if (30..=3600).contains(&n) => std::time::Duration::from_secs(n),
                _ => {
                    return Err(err(
                        "OMSORG_FRESH_LOGIN_SECS",
                        "expected seconds from 30 to 3600",
                    ))
                }
            },
        };
        let shared_session_ttl = match lookup("OMSORG_SHARED_SESSION_SECS") {
            None => std::time::Duration::from_secs(1800),
            Some(v) => match v.parse::<u64>() {
                Ok(n) if (10..=43_200).contains(&n) => std::time::Duration::from_secs(n),
                _ => {
                    return Err(err(
                        "OMSORG_SHARED_SESSION_SECS",
                        "expected seconds from 10 to 43200",
                    ))
                }
            },
        };
        // A whole number in `range` (spaces around it allowed), else `problem`.
        let bounded = |var: &'static str,
                       default: u64,
                       range: std::ops::RangeInclusive<u64>,
                       problem: &str| match lookup(var) {
            None => Ok(default),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| range.contains(n))
                .ok_or_else(|| err(var, problem)),
        };
        let order_lease = std::time::Duration::from_secs(bounded(
            "OMSORG_ORDER_LEASE_SECS",
            60,
            1..=3600,
            "expected seconds from 1 to 3600",
        )?);
        let dev_directory_latency = std::time::Duration::from_millis(bounded(
            "OMSORG_DEV_DIRECTORY_LATENCY_MS",
            0,
            0..=60_000,
            "expected milliseconds from 0 to 60000",
        )?);
        let jobs = crate::jobs::Timing {
            lease: std::time::Duration::from_secs(bounded(
                "OMSORG_JOB_LEASE_SECS",
                120,
                2..=3600,
                "expected seconds from 2 to 3600",
            )?),
            every: match lookup("OMSORG_JOB_EVERY_SECS") {
                None => None,
                Some(_) => Some(std::time::Duration::from_secs(bounded(
                    "OMSORG_JOB_EVERY_SECS",
                    30,
                    1..=3600,
                    "expected seconds from 1 to 3600",
                )?)),
            },
        };
        let cpr_key = match (lookup("OMSORG_CPR_KEY"), &dev_seed) {
            (Some(hex), _) => CprKey(crate::cpr_vault::parse_key(&hex).ok_or_else(|| {
                err("OMSORG_CPR_KEY", "expected 64 hex digits (32 random bytes)")
            })?),
            (None, Some(_)) => CprKey(DEV_CPR_KEY),
            (None, None) => {
                return Err(err(
                    "OMSORG_CPR_KEY",
                    "required: 64 hex digits that seal CPR numbers at rest",
                ))
            }
        };
        let cpr_previous_keys = match lookup("OMSORG_CPR_KEY_PREVIOUS") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .filter(|k| !k.trim().is_empty())
                .map(|k| crate::cpr_vault::parse_key(k).map(CprKey))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    err(
                        "OMSORG_CPR_KEY_PREVIOUS",
                        "expected keys of 64 hex digits, separated by commas",
                    )
                })?,
        };
        let defaults = crate::retention::Retention::default();
        let days = |var: &'static str, default: i64| {
            let problem = "expected a whole number of days from 1 to 36500";
            bounded(var, default.unsigned_abs(), 1..=36_500, problem)
                .map(|d| i64::try_from(d).expect("at most 36500"))
        };
        let retention = crate::retention::Retention {
            declarations_days: days("OMSORG_RETAIN_DECLARATION_DAYS", defaults.declarations_days)?,
            mail_days: days("OMSORG_RETAIN_MAIL_DAYS", defaults.mail_days)?,
            sessions_days: days("OMSORG_RETAIN_SESSIONS_DAYS", defaults.sessions_days)?,
            idempotency_days: days("OMSORG_RETAIN_IDEMPOTENCY_DAYS", defaults.idempotency_days)?,
        };
        let id_quarantine_days = i64::try_from(bounded(
            "OMSORG_ID_QUARANTINE_DAYS",
            30,
            1..=3650,
            "expected a whole number of days from 1 to 3650",
        )?)
        .expect("at most 3650");
        Ok(Config {
            id_quarantine_days,
            jobs,
            retention,
            order_lease,
            dev_directory_latency,
            listen,
            database_url,
            log_format,
            dev_seed,
            api_audience,
            pin_pepper,
            pin_min_len,
            fresh_login,
            shared_session_ttl,
            cpr_key,
            cpr_previous_keys,
            smtp_url: lookup("OMSORG_SMTP_URL").filter(|u| !u.trim().is_empty()),
            mail_from: lookup("OMSORG_MAIL_FROM")
                .unwrap_or_else(|| "Omsorg <omsorg@localhost>".into()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    const KEY: &str = "0f1e2d3c4b5a69780f1e2d3c4b5a69780f1e2d3c4b5a69780f1e2d3c4b5a6978";

    #[test]
    fn defaults_give_an_embedded_sqlite_backend_on_loopback() {
        let c = parse(&[
            ("OMSORG_PIN_PEPPER", "a-long-enough-secret"),
            ("OMSORG_CPR_KEY", KEY),
        ])
        .unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.cpr_key.0[0], 0x0f);
        let shown = format!("{c:?}");
        assert!(!shown.contains("0f"), "the key is never printed");
        assert!(!shown.contains("a-long-enough-secret"), "nor the pepper");
        assert!(c.database_url.starts_with("sqlite:"));
        assert!(c.dev_seed.is_none());
    }

    #[test]
    fn bad_values_name_the_variable() {
        const CASES: &[(&[(&str, &str)], &str)] = &[
            (&[("OMSORG_LISTEN", "nowhere")], "OMSORG_LISTEN"),
            (
                &[("OMSORG_DATABASE_URL", "mysql://x")],
                "OMSORG_DATABASE_URL",
            ),
            (&[("OMSORG_LOG_FORMAT", "xml")], "OMSORG_LOG_FORMAT"),
            (&[("OMSORG_DEV_SEED", "1")], "OMSORG_DEV_ISSUER"),
            (&[("OMSORG_DEV_SEED", "yes")], "OMSORG_DEV_SEED"),
            (
                &[
                    ("OMSORG_PIN_PEPPER", "a-long-enough-secret"),
                    ("OMSORG_CPR_KEY", KEY),
                    ("OMSORG_RETAIN_MAIL_DAYS", "0"),
                ],
                "OMSORG_RETAIN_MAIL_DAYS",
            ),
            (
                &[
                    ("OMSORG_DEV_SEED", "1"),
                    ("OMSORG_DEV_ISSUER", "http://127.0.0.1:3000"),
                    ("OMSORG_LISTEN", "0.0.0.0:8080"),
                ],
                "OMSORG_DEV_SEED",
            ),
            (&[], "OMSORG_PIN_PEPPER"),
            (&[("OMSORG_PIN_PEPPER", "short")], "OMSORG_PIN_PEPPER"),
            (
                &[
                    ("OMSORG_PIN_PEPPER", "a-long-enough-secret"),
                    ("OMSORG_PIN_MIN_LEN", "3"),
                ],
                "OMSORG_PIN_MIN_LEN",
            ),
            (
                &[("OMSORG_PIN_PEPPER", "a-long-enough-secret")],
                "OMSORG_CPR_KEY",
            ),
            (
                &[
                    ("OMSORG_PIN_PEPPER", "a-long-enough-secret"),
                    ("OMSORG_CPR_KEY", "not-hex"),
                ],
                "OMSORG_CPR_KEY",
            ),
        ];
        for (vars, var) in CASES {
            let e = parse(vars).unwrap_err().to_string();
            assert!(e.starts_with(var), "{vars:?} gave {e}");
        }
    }
}
