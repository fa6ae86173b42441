//! Access-token validation: JWTs signed by a trusted issuer (a municipality's
//! OpenID Provider), checked against that issuer's JWKS, for our audience;
//! then mapped to a provisioned person.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use omsorg_core::wizard::may_order;
use omsorg_core::ErrorCode;
use serde::Deserialize;
use tokio::sync::RwLock;

use crate::error::ApiError;
use crate::AppState;
use omsorg_core::assurance::Loa;

/// Asymmetric algorithms only: never `none`, never HMAC (a public key is no secret).
const ALLOWED: &[Algorithm] = &[Algorithm::RS256, Algorithm::PS256, Algorithm::ES256];
/// An unknown `kid` refetches the JWKS, but not more often than this per issuer.
const REFETCH_AFTER: Duration = Duration::from_secs(10);
const JWKS_TTL: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    /// When the person last authenticated at the provider (OIDC `auth_time`),
    /// carried into the access token; proves a fresh KOMBIT login.
    #[serde(default)]
    pub auth_time: Option<i64>,
    #[serde(default)]
    pub iat: Option<i64>,
    /// The person's user ID in the municipality (else `sub`).
    #[serde(default)]
    pub preferred_username: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// KOMBIT's privileges: base64 OIO BPP (`omsorg_core::privileges`).
    #[serde(default)]
    pub privileges_intermediate: Option<String>,
    /// The NSIS assurance level (`loa`, or `acr` where a broker puts it there).
    #[serde(default)]
    pub loa: Option<String>,
    #[serde(default)]
    pub acr: Option<String>,
}

impl Claims {
    /// The login's NSIS level, if the token states one.
    pub fn loa(&self) -> Option<Loa> {
        [&self.loa, &self.acr]
            .into_iter()
            .flatten()
            .find_map(|v| Loa::from_claim(v))
    }
}

/// An issuer's keys as last fetched, and the last failed fetch.
#[derive(Default)]
struct CachedJwks {
    keys: Option<JwkSet>,
    fetched: Option<Instant>,
    failed: Option<Instant>,
}

impl CachedJwks {
    /// Whether to fetch now: never fetched, past the TTL (or, when
    /// `refresh`, past `REFETCH_AFTER`), and not failed within `REFETCH_AFTER`.
    fn due(&self, refresh: bool) -> bool {
        let older = |t: Option<Instant>, d: Duration| t.is_none_or(|t| t.elapsed() > d);
        let limit = if refresh { REFETCH_AFTER } else { JWKS_TTL };
        older(self.fetched, limit) && older(self.failed, REFETCH_AFTER)
    }
}

/// Why an issuer's keys could not be fetched.
enum FetchError {
    /// Its discovery names another issuer: its tokens are refused.
    Invalid(ApiError),
    /// It could not be reached or answered garbage: an outage, not a bad token.
    Unavailable,
}

pub struct TokenVerifier {
    audience: String,
    /// Seconds of clock skew allowed on `exp` and `nbf` (60 unless set).
    leeway: u64,
    http: reqwest::Client,
    jwks: RwLock<HashMap<String, CachedJwks>>,
    /// One fetch at a time: a burst of requests during a key rotation or
    /// an outage asks the provider once, not once each.
    fetching: tokio::sync::Mutex<()>,
}

/// No key can be had (the provider is down and nothing usable is cached):
/// a 503 the app retries, never a 401 that would sign the person out.
fn unavailable() -> ApiError {
    ApiError::client(
        ErrorCode::IdentityUnavailable,
        "the identity provider's keys cannot be fetched; try again shortly",
    )
}

fn invalid(why: &str) -> ApiError {
    tracing::info!(reason = why, "access token refused");
    ApiError::client(ErrorCode::InvalidToken, "invalid or expired access token")
}

impl TokenVerifier {
    pub fn new(audience: String) -> Arc<TokenVerifier> {
        Self::with_leeway(audience, 60)
    }

    /// A verifier allowing `leeway` seconds of skew (the dev care record
    /// allows none: its tests put a token just past its end).
    pub fn with_leeway(audience: String, leeway: u64) -> Arc<TokenVerifier> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("HTTP client");
        Arc::new(TokenVerifier {
            audience,
            leeway,
            http,
            jwks: RwLock::new(HashMap::new()),
            fetching: tokio::sync::Mutex::new(()),
        })
    }

    /// `trusted` says whether an issuer is one we accept (asked before any fetch,
    /// so a token cannot make us fetch from an address it names).
    pub async fn verify(
        &self,
        token: &str,
        trusted: impl AsyncFnOnce(&str) -> bool,
    ) -> Result<Claims, ApiError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("malformed header"))?;
        if !ALLOWED.contains(&header.alg) {
            return Err(invalid("algorithm not allowed"));
        }
        let iss = unverified_issuer(token).ok_or_else(|| invalid("no issuer"))?;
        if !trusted(&iss).await {
            return Err(invalid("untrusted issuer"));
        }
        let key = match self.key_for(&iss, header.kid.as_deref(), false).await? {
            Some(key) => key,
            // The provider may have rotated its keys: look once more.
            None => self
                .key_for(&iss, header.kid.as_deref(), true)
                .await?
                .ok_or_else(|| invalid("no matching key"))?,
        };
        let mut validation = Validation::new(header.alg);
        validation.set_audience(&[&self.audience]);
        validation.set_issuer(&[&iss]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = self.leeway;
        let data = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map_err(|e| invalid(&format!("{:?}", e.kind())))?;
        Ok(data.claims)
    }

    /// The issuer's key for `kid`, fetching the keys when due (`refresh`:
    /// an unknown `kid`, perhaps a rotation). Past their TTL, cached keys
    /// keep serving while the provider cannot be reached; with no usable
    /// keys at all the answer is 503.
    async fn key_for(
        &self,
        iss: &str,
        kid: Option<&str>,
        refresh: bool,
    ) -> Result<Option<DecodingKey>, ApiError> {
        let due = |c: Option<&CachedJwks>| c.is_none_or(|c| c.due(refresh));
        if due(self.jwks.read().await.get(iss)) {
            let _one_fetch = self.fetching.lock().await;
            // Another request may have fetched while this one waited.
            if due(self.jwks.read().await.get(iss)) {
                let fetched = self.fetch_jwks(iss).await;
                let mut cache = self.jwks.write().await;
                let entry = cache.entry(iss.to_string()).or_default();
                match fetched {
                    Ok(keys) => (entry.keys, entry.fetched) = (Some(keys), Some(Instant::now())),
                    Err(FetchError::Invalid(e)) => return Err(e),
                    Err(FetchError::Unavailable) if refresh => {
                        entry.failed = Some(Instant::now());
                        return Err(unavailable());
                    }
                    Err(FetchError::Unavailable) => entry.failed = Some(Instant::now()),
                }
            }
        }
        let cache = self.jwks.read().await;
        let cached = cache.get(iss);
        let Some(set) = cached.and_then(|c| c.keys.as_ref()) else {
            return Err(unavailable());
        };
        // Looking for a key the cache lacks while the provider is down: its
        // absence proves nothing.
        let down = cached.is_some_and(|c| c.failed > c.fetched);
        if refresh && down {
            return Err(unavailable());
        }
        let jwk = match kid {
            Some(kid) => set.find(kid),
            // Without a kid only an unambiguous set will do.
            None if set.keys.len() == 1 => set.keys.first(),
            None => None,
        };
        Ok(jwk.and_then(|j| DecodingKey::from_jwk(j).ok()))
    }

    /// Ages every cached key set by `by` (for tests of the TTL; nothing
    /// else calls it).
    pub async fn age_keys(&self, by: Duration) {
        for cached in self.jwks.write().await.values_mut() {
            cached.fetched = cached.fetched.and_then(|t| t.checked_sub(by));
        }
    }

    async fn fetch_jwks(&self, iss: &str) -> Result<JwkSet, FetchError> {
        #[derive(Deserialize)]
        struct Discovery {
            issuer: String,
            jwks_uri: String,
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            iss.trim_end_matches('/')
        );
        let discovery: Discovery = self.get_json(iss, &url).await?;
        if discovery.issuer != iss {
            return Err(FetchError::Invalid(invalid("discovery issuer mismatch")));
        }
        self.get_json(iss, &discovery.jwks_uri).await
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        iss: &str,
        url: &str,
    ) -> Result<T, FetchError> {
        let unavailable = |e: reqwest::Error| {
            tracing::warn!(issuer = iss, error = %e.without_url(), "JWKS unavailable");
            FetchError::Unavailable
        };
        self.http
            .get(url)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(unavailable)?
            .json()
            .await
            .map_err(unavailable)
    }
}

fn unverified_issuer(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.get("iss")?.as_str().map(str::to_string)
}

/// A request from a signed-in, provisioned person.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Person {
    pub id: i64,
    pub user_id: String,
    pub name: String,
    pub municipality_code: String,
    pub unit_id: Option<String>,
    #[sqlx(try_from = "crate::db::Flag")]
    pub is_admin: bool,
    /// KOMBIT's "bestiller" role.
    #[sqlx(try_from = "crate::db::Flag")]
    pub is_orderer: bool,
    #[sqlx(try_from = "crate::db::Flag")]
    pub has_pin: bool,
    #[sqlx(try_from = "crate::db::Flag")]
    pub pin_locked: bool,
    /// From the token: when the person last logged in with KOMBIT.
    #[sqlx(skip)]
    pub auth_time: Option<i64>,
    /// Signed in with user ID + PIN on this shared device, not with KOMBIT.
    #[sqlx(skip)]
    pub shared_device: Option<String>,
    /// The KOMBIT login's NSIS level (none on a shared device's session).
    #[sqlx(skip)]
    pub loa: Option<Loa>,
    /// Every unit the person's privileges cover (`unit_id` is one of them:
    /// the one they act for).
    #[sqlx(skip)]
    pub units: Vec<String>,
}

impl Person {
    /// Whether the KOMBIT login behind this request is at most `within` old.
    pub fn logged_in_within(&self, within: std::time::Duration) -> bool {
        let now = chrono::Utc::now().timestamp();
        let within = i64::try_from(within.as_secs()).unwrap_or(i64::MAX);
        // A little slack for clocks that disagree, none for the future.
        self.auth_time
            .is_some_and(|t| t <= now + 60 && now - t <= within)
    }

    /// Ordering substitute access (`omsorg_core::wizard::may_order`; the
    /// unit's setting is read now, not at login), with a login of at least
    /// NSIS "Betydelig" (CPR numbers are handled).
    pub async fn require_orderer(&self, db: &sqlx::AnyPool) -> Result<(), ApiError> {
        let unit_allows: Option<crate::db::Flag> =
            sqlx::query_scalar("SELECT may_order_substitutes FROM units WHERE id = $1")
                .bind(&self.unit_id)
                .fetch_optional(db)
                .await?;
        let shared = self.shared_device.is_some();
        if !may_order(
            self.is_orderer,
            unit_allows == Some(crate::db::Flag(true)),
            shared,
        ) {
            return Err(ApiError::client(
                ErrorCode::Forbidden,
                "your workplace does not order substitute access",
            ));
        }
        if self.loa.is_none_or(|l| l < omsorg_core::assurance::FOR_CPR) {
            tracing::info!(person = self.id, "refused: assurance level below Betydelig");
            return Err(ApiError::client(
                ErrorCode::AssuranceTooLow,
                "CPR numbers and ordering need a login at NSIS level Betydelig (Substantial)",
            ));
        }
        Ok(())
    }

    /// What this person sees of the orders (`access::repo::Viewer`).
    pub fn viewer(&self) -> crate::access::repo::Viewer<'_> {
        crate::access::repo::Viewer {
            person: self.id,
            municipality: &self.municipality_code,
            admin_units: self
                .require_admin()
                .is_ok()
                .then_some(self.units.as_slice()),
        }
    }

    /// Administration needs a KOMBIT login; never a shared device's session.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.is_admin && self.shared_device.is_none() {
            Ok(())
        } else {
            Err(ApiError::client(
                ErrorCode::Forbidden,
                "administrators only",
            ))
        }
    }
}

impl FromRequestParts<AppState> for Person {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(token) = authorization(parts, "Shared ") {
            return shared_person(state, &token).await;
        }
        let token = authorization(parts, "Bearer ").ok_or_else(|| invalid("no bearer token"))?;
        let token = token.as_str();
        let db = state.db.clone();
        let claims = state
            .tokens
            .verify(token, async move |iss| {
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM municipalities WHERE issuer = $1 AND login_enabled",
                )
                .bind(iss)
                .fetch_one(&db)
                .await
                .map(|n| n > 0)
                .unwrap_or(false)
            })
            .await
            .inspect_err(|e| {
                // A refused token, not a provider that is down.
                if matches!(e, ApiError::Client(ErrorCode::InvalidToken, _)) {
                    state.metrics.failed(crate::metrics::Failure::Token);
                }
            })?;
        let id = crate::provisioning::provision(state, &claims).await?;
        let mut person = crate::people::by_id(&state.db, id).await?;
        // The unit chosen on this device, if it is one of theirs.
        let chosen = parts
            .headers
            .get(omsorg_core::api::UNIT_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|u| person.units.iter().any(|mine| mine == u));
        if let Some(unit) = chosen {
            person.unit_id = Some(unit.to_string());
        }
        person.auth_time = claims.auth_time;
        person.loa = claims.loa();
        Ok(person)
    }
}

/// The credential after `scheme` in the Authorization header.
pub fn authorization(parts: &Parts, scheme: &str) -> Option<String> {
    parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix(scheme))
        .map(str::to_string)
}

/// A live shared session on a device that is still enrolled, for a person
/// who is still provisioned.
async fn shared_person(state: &AppState, token: &str) -> Result<Person, ApiError> {
    let now = chrono::Utc::now().timestamp();
    let row: Option<(Person, String)> = sqlx::query_as::<_, PersonOnDevice>(
        "SELECT p.id, p.user_id, p.name, p.municipality_code, p.unit_id, p.is_admin,
                p.is_orderer, p.pin_hash IS NOT NULL AS has_pin, p.pin_locked, s.device_id
         FROM shared_sessions s
         JOIN people p ON p.id = s.person_id
         JOIN devices d ON d.id = s.device_id
         WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > $2
           AND d.revoked_at IS NULL AND p.active",
    )
    .bind(crate::secret::sha256_hex(token))
    .bind(now)
    .fetch_optional(&state.db)
    .await?
    .map(|r| (r.person, r.device_id));
    let (mut person, device) = row.ok_or_else(|| invalid("no live shared session"))?;
    person.units = crate::people::units_of(&state.db, person.id).await?;
    person.shared_device = Some(device);
    Ok(person)
}

#[derive(sqlx::FromRow)]
struct PersonOnDevice {
    #[sqlx(flatten)]
    person: Person,
    device_id: String,
}

/// A request from an enrolled, not revoked shared device
/// (`Authorization: Device <credential>`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Device {
    pub id: String,
    pub unit_id: String,
    pub mode: String,
    pub apartment: Option<String>,
    pub municipality_code: String,
    pub last_seen_at: Option<i64>,
}

impl FromRequestParts<AppState> for Device {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let not_enrolled =
            || ApiError::client(ErrorCode::DeviceNotEnrolled, "this device is not enrolled");
        let credential = authorization(parts, "Device ").ok_or_else(not_enrolled)?;
        let device: Option<Device> = sqlx::query_as(
            "SELECT d.id, d.unit_id, d.mode, d.apartment, u.municipality_code, d.last_seen_at
             FROM devices d JOIN units u ON u.id = d.unit_id
             WHERE d.credential_hash = $1 AND d.revoked_at IS NULL",
        )
        .bind(crate::secret::sha256_hex(&credential))
        .fetch_optional(&state.db)
        .await?;
        let device = device.ok_or_else(not_enrolled)?;
        let now = chrono::Utc::now().timestamp();
        crate::devices::seen(&state.db, &device.id, device.last_seen_at, now).await?;
        Ok(device)
    }
}
