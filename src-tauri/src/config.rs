//! The shell's configuration: `OMSORG_API_URL`, `OMSORG_DATA_DIR`.

use std::path::PathBuf;

pub const DEFAULT_API_URL: &str = "http://127.0.0.1:8080";

/// Whether the app may talk to `url`: https anywhere, plain http only on
/// this device's loopback (the dev stack). Tokens, PINs and CPR numbers
/// never cross a network in the clear.
pub fn transport_allowed(url: &str) -> bool {
    let Ok(url) = url::Url::parse(url) else {
        return false;
    };
    match (url.scheme(), url.host()) {
        ("https", Some(_)) => true,
        ("http", Some(url::Host::Ipv4(ip))) => ip.is_loopback(),
        ("http", Some(url::Host::Ipv6(ip))) => ip.is_loopback(),
        ("http", Some(url::Host::Domain(d))) => d == "localhost",
        _ => false,
    }
}

#[derive(Debug, Clone)]
pub struct AppConfig {
    pub api_url: String,
    pub data_dir: PathBuf,
    /// The app's OAuth client ID at the municipalities' providers.
    pub client_id: String,
    /// How long a browser login may take before it is abandoned.
    pub login_timeout: std::time::Duration,
    /// The keystore service name the session is stored under.
    pub keystore_service: String,
    /// The backend's resource indicator at the providers.
    pub api_audience: String,
    /// `OMSORG_LOCK_AFTER` (seconds, default 600): a personal device locks
    /// after this long without use. Never off.
    pub lock_after: std::time::Duration,
    /// `OMSORG_SHARED_SIGN_OUT_AFTER` (seconds, default 600): a shared
    /// device signs its person out after this long without use.
    pub shared_sign_out_after: std::time::Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("OMSORG_API_URL must be an https URL (http only on loopback), got {0:?}")]
    ApiUrl(String),
    #[error("no app data directory: set OMSORG_DATA_DIR")]
    NoDataDir,
    #[error("OMSORG_LOGIN_TIMEOUT_SECS must be a whole number of seconds, got {0:?}")]
    LoginTimeout(String),
    #[error("OMSORG_LOCK_AFTER must be seconds from 1 to 3600 (the lock cannot be turned off), got {0:?}")]
    LockAfter(String),
    #[error("OMSORG_SHARED_SIGN_OUT_AFTER must be seconds from 1 to 3600, got {0:?}")]
    SharedSignOutAfter(String),
}

impl AppConfig {
    /// `default_data_dir` is the platform's app data dir (asked lazily, since
    /// only the running app has one).
    pub fn from_env(
        default_data_dir: impl FnOnce() -> Option<PathBuf>,
    ) -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok(), default_data_dir)
    }

    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        default_data_dir: impl FnOnce() -> Option<PathBuf>,
    ) -> Result<Self, ConfigError> {
        let api_url = lookup("OMSORG_API_URL").unwrap_or_else(|| DEFAULT_API_URL.into());
        if !transport_allowed(&api_url) {
            return Err(ConfigError::ApiUrl(api_url));
        }
        let data_dir = match lookup("OMSORG_DATA_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => default_data_dir().ok_or(ConfigError::NoDataDir)?,
        };
        let login_timeout = match lookup("OMSORG_LOGIN_TIMEOUT_SECS") {
            None => 300,
            Some(v) => v.parse().map_err(|_| ConfigError::LoginTimeout(v))?,
        };
        let idle_secs = |key: &str, err: fn(String) -> ConfigError| match lookup(key) {
            None => Ok(600),
            Some(v) => match v.parse::<u64>() {
                Ok(n) if (1..=3600).contains(&n) => Ok(n),
                _ => Err(err(v)),
            },
        };
        let lock_after = idle_secs("OMSORG_LOCK_AFTER", ConfigError::LockAfter)?;
        let shared_sign_out_after = idle_secs(
            "OMSORG_SHARED_SIGN_OUT_AFTER",
            ConfigError::SharedSignOutAfter,
        )?;
        Ok(AppConfig {
            api_url: api_url.trim_end_matches('/').to_string(),
            data_dir,
            client_id: lookup("OMSORG_CLIENT_ID").unwrap_or_else(|| "omsorg-app".into()),
            login_timeout: std::time::Duration::from_secs(login_timeout),
            keystore_service: lookup("OMSORG_KEYSTORE_SERVICE")
                .unwrap_or_else(|| "dk.omsorg.app".into()),
            api_audience: lookup("OMSORG_API_AUDIENCE").unwrap_or_else(|| "urn:omsorg:api".into()),
            lock_after: std::time::Duration::from_secs(lock_after),
            shared_sign_out_after: std::time::Duration::from_secs(shared_sign_out_after),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_defaults_and_bad_urls_are_refused() {
        let c = AppConfig::from_lookup(|_| None, || Some("/data".into())).unwrap();
        assert_eq!(c.api_url, DEFAULT_API_URL);
        assert_eq!(c.data_dir, PathBuf::from("/data"));

        let c = AppConfig::from_lookup(
            |k| match k {
                "OMSORG_API_URL" => Some("https://api.example/".into()),
                "OMSORG_DATA_DIR" => Some("/tmp/x".into()),
                _ => None,
            },
            || None,
        )
        .unwrap();
        assert_eq!(c.api_url, "https://api.example");
        assert_eq!(c.data_dir, PathBuf::from("/tmp/x"));

        for refused in [
            "ftp://x",
            "http://api.example",
            "http://10.0.0.5:8080",
            "https://",
        ] {
            let e = AppConfig::from_lookup(|_| Some(refused.into()), || None).unwrap_err();
            assert!(matches!(e, ConfigError::ApiUrl(_)), "{refused}");
        }
        for allowed in [
            "https://api.example",
            "http://127.0.0.1:8080",
            "http://[::1]:9",
            "http://localhost:8080",
        ] {
            assert!(transport_allowed(allowed), "{allowed}");
        }
        let e = AppConfig::from_lookup(|_| None, || None).unwrap_err();
        assert!(matches!(e, ConfigError::NoDataDir));
    }

    #[test]
    fn the_lock_defaults_to_ten_minutes_and_cannot_be_turned_off() {
        let lock = |v: &'static str| {
            AppConfig::from_lookup(
                move |k| (k == "OMSORG_LOCK_AFTER").then(|| v.to_string()),
                || Some("/data".into()),
            )
        };
        let default = AppConfig::from_lookup(|_| None, || Some("/d".into())).unwrap();
        assert_eq!(default.lock_after.as_secs(), 600);
        assert_eq!(lock("5").unwrap().lock_after.as_secs(), 5);
        for off in ["0", "-1", "never", "", "3601"] {
            assert!(matches!(lock(off), Err(ConfigError::LockAfter(_))), "{off}");
        }
        assert_eq!(default.shared_sign_out_after.as_secs(), 600);
        let shared = AppConfig::from_lookup(
            |k| (k == "OMSORG_SHARED_SIGN_OUT_AFTER").then(|| "0".to_string()),
            || Some("/d".into()),
        );
        assert!(matches!(shared, Err(ConfigError::SharedSignOutAfter(_))));
    }
}
