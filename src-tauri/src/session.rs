//! The signed-in person's session. The refresh token lives in the keystore,
//! the access token only in this struct's memory; neither ever leaves the shell.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use omsorg_core::api::{Me, SharedSession};
use omsorg_core::ErrorCode;
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot, Mutex};

use crate::api_client::{ApiClient, Auth};
use crate::error::CommandError;
use crate::offline_pin;
use crate::oidc::browser::Browser;
use crate::oidc::redirect::{RedirectTarget, APP_REDIRECT_URI};
use crate::oidc::{LoginRequest, Provider};
use crate::secrets::SecretStore;
use crate::store::Store;

const SESSION_KEY: &str = "session";

/// What survives a restart, in the keystore.
#[derive(Serialize, Deserialize)]
struct StoredSession {
    issuer: String,
    municipality_code: String,
    refresh_token: String,
    /// The KOMBIT subject (`sub`): a care-record login must name the same
    /// person. Sessions kept before it was stored have none.
    #[serde(default)]
    subject: Option<String>,
}

/// URLs the OS opens the app with (deep-link plugin), handed to the login
/// waiting for its redirect, if any.
#[derive(Clone, Default)]
pub struct DeepLinks(std::sync::Arc<std::sync::Mutex<Option<mpsc::UnboundedSender<String>>>>);

impl DeepLinks {
    pub fn deliver(&self, url: String) {
        if let Some(tx) = self.0.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            let _ = tx.send(url);
        }
    }

    /// A new login's channel: it replaces the last one, so a link meant for
    /// an earlier login (Android can hand the app its old intent again)
    /// reaches only this login, whose `state` check ignores it.
    pub fn subscribe(&self) -> mpsc::UnboundedReceiver<String> {
        let (tx, rx) = mpsc::unbounded_channel();
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(tx);
        rx
    }
}

struct Active {
    /// `None` after an offline start: the next backend call refreshes it.
    /// On a shared device: the shared session's token.
    access_token: Option<String>,
    expires_at: Option<Instant>,
    me: Me,
    /// Set for a user ID + PIN session on a shared device: when the backend
    /// ends it. Such a session has no refresh token and no keystore entry.
    shared_until: Option<DateTime<Utc>>,
    /// The KOMBIT subject, where known (else the user ID is the subject).
    subject: Option<String>,
    /// The care record's integration session (SPEC C5): its token lives
    /// here only, so it ends with every way this session ends.
    care: Option<CareAccess>,
}

/// A care-record login: its token, when it ends, and where it is for.
pub struct CareAccess {
    pub token: String,
    pub session: omsorg_core::care::IntegrationSession,
    pub settings: omsorg_core::care::CareRecordSettings,
}

/// A token this close to its expiry is refreshed before use.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

/// The session's access token while it is good for a call.
fn usable(active: &Active) -> Option<String> {
    let fresh = active
        .expires_at
        .is_none_or(|t| t > Instant::now() + EXPIRY_MARGIN);
    active.access_token.clone().filter(|_| fresh)
}

pub struct Sessions {
    secrets: Box<dyn SecretStore>,
    client_id: String,
    api_audience: String,
    login_timeout: Duration,
    active: Mutex<Option<Active>>,
    cancel: std::sync::Mutex<Option<oneshot::Sender<()>>>,
    /// Held by the one refresh in flight: a rotating refresh token is
    /// presented once, never by two commands at the same time (the
    /// provider would take the second as theft and end the grant).
    refreshing: Mutex<()>,
    /// Counts sign-outs: a refresh that finishes after one does not write
    /// its refresh token back (and revokes it instead).
    epoch: std::sync::atomic::AtomicU64,
    pub deep_links: DeepLinks,
}

impl Sessions {
    pub fn new(
        secrets: Box<dyn SecretStore>,
        client_id: &str,
        api_audience: &str,
        login_timeout: Duration,
    ) -> Sessions {
        Sessions {
            secrets,
            client_id: client_id.to_string(),
            api_audience: api_audience.to_string(),
            login_timeout,
            active: Mutex::new(None),
            cancel: std::sync::Mutex::new(None),
            refreshing: Mutex::new(()),
            epoch: std::sync::atomic::AtomicU64::new(0),
            deep_links: DeepLinks::default(),
        }
    }

    pub fn secrets(&self) -> &dyn SecretStore {
        self.secrets.as_ref()
    }

    /// A login is starting: from now on "Annuller" in the app cancels it
    /// (also while what comes before the browser still runs).
    pub fn begin_login(&self) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        *self.cancel.lock().unwrap_or_else(|p| p.into_inner()) = Some(tx);
        rx
    }

    /// Interactive KOMBIT login for the chosen municipality; `cancelled`
    /// from `begin_login`.
    pub async fn login(
        &self,
        store: &Store,
        api: &ApiClient,
        municipality_code: &str,
        browser: &dyn Browser,
        cancelled: oneshot::Receiver<()>,
    ) -> Result<Me, CommandError> {
        let municipality = store
            .cached_municipalities()?
            .and_then(|(list, _)| list.into_iter().find(|m| m.code == municipality_code))
            .ok_or_else(|| CommandError::new(ErrorCode::RequestInvalid, "unknown municipality"))?;
        store.set_last_municipality(municipality_code)?;
        let request = LoginRequest {
            issuer: municipality.issuer.clone(),
            client_id: self.client_id.clone(),
            hint: municipality.hint.clone(),
            resource: Some(self.api_audience.clone()),
            timeout: self.login_timeout,
            fresh: store.fresh_login_needed()?,
        };
        let target = self.redirect_target().await?;
        let flow = async {
            let mut provider = Provider::discover(&request.issuer, &request.client_id).await?;
            let result = provider.login(&request, browser, target).await?;
            Ok::<_, CommandError>((provider, result))
        };
        let (provider, result) = tokio::select! {
            r = flow => r?,
            _ = cancelled => return Err(CommandError::new(ErrorCode::LoginCancelled, "cancelled in the app")),
        };
        let me = match api.me(&Auth::Bearer(result.access_token.clone())).await {
            Ok(me) => me,
            Err(e) => {
                // Not provisioned (or refused): leave nothing behind, not even at the provider.
                if let Some(rt) = &result.refresh_token {
                    provider.revoke(rt).await;
                }
                return Err(e);
            }
        };
        // A new person (or the same one, freshly): nothing of an earlier session survives.
        store.wipe_personal()?;
        // Proven now; or, a PIN blocked elsewhere met by a login that passed
        // through: the next one must be fresh (the new PIN needs it).
        store.set_fresh_login_needed(!request.fresh && me.pin_locked)?;
        if let Some(refresh_token) = result.refresh_token {
            let stored = StoredSession {
                issuer: result.issuer.clone(),
                municipality_code: municipality_code.to_string(),
                refresh_token,
                subject: Some(result.subject.clone()),
            };
            self.secrets
                .set(SESSION_KEY, &serde_json::to_string(&stored).expect("json"))?;
        }
        store.set_person(&me)?;
        *self.active.lock().await = Some(Active {
            access_token: Some(result.access_token),
            expires_at: result.access_expires_in.map(|d| Instant::now() + d),
            me: me.clone(),
            shared_until: None,
            subject: Some(result.subject.clone()),
            care: None,
        });
        Ok(me)
    }

    /// "Log ind i Nexus" (SPEC C5) for the person signed in now, at the
    /// care record's authorization server named by `settings`; "Annuller"
    /// (`cancel_login`) cancels it as it does the KOMBIT login.
    pub async fn care_login(
        &self,
        settings: omsorg_core::care::CareRecordSettings,
        hint: Option<String>,
        browser: &dyn Browser,
    ) -> Result<omsorg_core::care::CareStatus, CommandError> {
        for url in [&settings.issuer, &settings.fhir_base] {
            if !crate::config::transport_allowed(url) {
                return Err(CommandError::new(
                    ErrorCode::CareRecordNotConfigured,
                    "the care record is not on https",
                ));
            }
        }
        let cancelled = self.begin_login();
        let request = crate::oidc::CareLoginRequest {
            hint,
            resource: settings.resource.clone(),
            subject: self.subject().await?,
            timeout: self.login_timeout,
        };
        let target = self.redirect_target().await?;
        let flow = async {
            let mut provider = Provider::discover(&settings.issuer, &settings.client_id).await?;
            provider.care_login(&request, browser, target).await
        };
        let token = tokio::select! {
            r = flow => r?,
            _ = cancelled => return Err(CommandError::new(ErrorCode::LoginCancelled, "cancelled in the app")),
        };
        let now = Utc::now();
        let session = omsorg_core::care::IntegrationSession::from_token(
            now,
            token.expires_in.map(|d| d.as_secs()),
        )
        .ok_or_else(|| {
            CommandError::new(
                ErrorCode::LoginInvalidToken,
                "the care record's token has no lifetime",
            )
        })?;
        self.begin_care(CareAccess {
            token: token.access_token,
            session,
            settings,
        })
        .await?;
        tracing::info!("care-record session started");
        Ok(session.status(now))
    }

    /// Where a login's redirect comes back. Desktop: a loopback port.
    /// Mobile: the app's own scheme through the deep-link plugin.
    async fn redirect_target(&self) -> Result<RedirectTarget, CommandError> {
        Ok(if cfg!(mobile) {
            RedirectTarget::AppScheme {
                uri: APP_REDIRECT_URI.to_string(),
                urls: self.deep_links.subscribe(),
            }
        } else {
            RedirectTarget::loopback()
                .await
                .map_err(|e| CommandError::new(ErrorCode::Internal, e.to_string()))?
        })
    }

    pub fn cancel_login(&self) {
        if let Some(tx) = self.cancel.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = tx.send(());
        }
    }

    /// At start: the session from the keystore's refresh token, without a
    /// browser. `None` when nobody is signed in. A refused refresh or a
    /// refused person wipes it. Offline, the person as last seen (the device
    /// stays locked until the PIN is given).
    pub async fn restore(
        &self,
        api: &ApiClient,
        store: &Store,
    ) -> Result<Option<Me>, CommandError> {
        if let Some(active) = self.active.lock().await.as_ref() {
            return Ok(Some(active.me.clone()));
        }
        // The store names the person signed in on this device (written after
        // the keystore at login, wiped after it at sign-out): without one
        // there is nothing to restore, and the first screen does not wait
        // for the keystore (a D-Bus round trip or more). A session the
        // keystore kept without its person is removed off that path
        // (`drop_orphaned_session`).
        if store.person()?.is_none() {
            return Ok(None);
        }
        let Some(raw) = self.secrets.get(SESSION_KEY)? else {
            return Ok(None);
        };
        let Ok(stored) = serde_json::from_str::<StoredSession>(&raw) else {
            self.forget(store).await;
            return Ok(None);
        };
        let subject = stored.subject.clone();
        let (token, expires_at) = match self.refresh(stored, store).await {
            Ok(t) => t,
            Err(e) if e.code.is_offline() => return self.restore_offline(store, e).await,
            Err(e) => return Err(e),
        };
        let me = match api.me(&Auth::Bearer(token.clone())).await {
            Ok(me) => me,
            Err(e) if e.code.is_offline() => return self.restore_offline(store, e).await,
            Err(e) => {
                if e.code.is_refusal() {
                    self.sign_out(store).await?;
                }
                return Err(e);
            }
        };
        store.set_person(&me)?;
        *self.active.lock().await = Some(Active {
            access_token: Some(token),
            expires_at,
            me: me.clone(),
            shared_until: None,
            subject,
            care: None,
        });
        Ok(Some(me))
    }

    async fn restore_offline(
        &self,
        store: &Store,
        cause: CommandError,
    ) -> Result<Option<Me>, CommandError> {
        let Some(me) = store.person()? else {
            return Err(cause);
        };
        tracing::info!(code = %cause.code, "starting offline with the stored session");
        *self.active.lock().await = Some(Active {
            access_token: None,
            expires_at: None,
            me: me.clone(),
            shared_until: None,
            subject: None,
            care: None,
        });
        Ok(Some(me))
    }

    /// A fresh access token from the keystore's refresh token (rotating it
    /// when the provider does). A refused refresh forgets the session; a
    /// sign-out while it ran wins: the rotated token is revoked, not kept.
    async fn refresh(
        &self,
        mut stored: StoredSession,
        store: &Store,
    ) -> Result<(String, Option<Instant>), CommandError> {
        use std::sync::atomic::Ordering;
        let epoch = self.epoch.load(Ordering::SeqCst);
        let provider = Provider::discover(&stored.issuer, &self.client_id).await?;
        let refreshed = match provider
            .refresh(&stored.refresh_token, Some(&self.api_audience))
            .await
        {
            Ok(r) => r,
            Err(e) if e.code == ErrorCode::InvalidToken => {
                self.forget(store).await;
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        // Under the session's lock, so a sign-out cannot slip in between the
        // check and the write.
        // (At a restart there is no active session yet: only a sign-out
        // since this refresh began counts.)
        let active = self.active.lock().await;
        if self.epoch.load(Ordering::SeqCst) != epoch {
            drop(active);
            if let Some(rotated) = &refreshed.refresh_token {
                revoke_quietly(&provider, rotated).await;
            }
            return Err(CommandError::new(
                ErrorCode::NoSession,
                "signed out meanwhile",
            ));
        }
        if let Some(rotated) = refreshed.refresh_token {
            stored.refresh_token = rotated;
            self.secrets
                .set(SESSION_KEY, &serde_json::to_string(&stored).expect("json"))?;
        }
        let expires_at = refreshed.access_expires_in.map(|d| Instant::now() + d);
        Ok((refreshed.access_token, expires_at))
    }

    /// A user ID + PIN session on a shared device: held in memory only.
    pub async fn begin_shared(&self, session: SharedSession) {
        *self.active.lock().await = Some(Active {
            access_token: Some(session.token),
            expires_at: None,
            me: session.me,
            shared_until: Some(session.expires_at),
            subject: None,
            care: None,
        });
    }

    /// A personal session held in memory with `token` (tests of the
    /// commands behind a KOMBIT login, without a provider).
    #[cfg(test)]
    pub async fn begin_personal_for_test(&self, token: &str, me: Me) {
        *self.active.lock().await = Some(Active {
            access_token: Some(token.to_string()),
            expires_at: None,
            me,
            shared_until: None,
            subject: None,
            care: None,
        });
    }

    /// A personal session whose access token has expired and whose refresh
    /// token (`refresh_token`, at `issuer`) is in the keystore.
    #[cfg(test)]
    pub async fn begin_expired_for_test(&self, issuer: &str, refresh_token: &str, me: Me) {
        self.keep_for_test(issuer, refresh_token, &me.municipality_code);
        *self.active.lock().await = Some(Active {
            access_token: Some("expired".to_string()),
            expires_at: Some(Instant::now()),
            me,
            shared_until: None,
            subject: None,
            care: None,
        });
    }

    /// A session in the keystore, as a KOMBIT login leaves it (tests).
    #[cfg(test)]
    pub fn keep_for_test(&self, issuer: &str, refresh_token: &str, municipality_code: &str) {
        let stored = StoredSession {
            issuer: issuer.to_string(),
            municipality_code: municipality_code.to_string(),
            refresh_token: refresh_token.to_string(),
            subject: None,
        };
        let json = serde_json::to_string(&stored).expect("json");
        self.secrets.set(SESSION_KEY, &json).expect("keystore");
    }

    /// Who is signed in, as the identity provider names them.
    pub async fn subject(&self) -> Result<String, CommandError> {
        let active = self.active.lock().await;
        let a = active.as_ref().ok_or_else(no_session)?;
        Ok(a.subject.clone().unwrap_or_else(|| a.me.user_id.clone()))
    }

    /// A care-record login for the person signed in now.
    pub async fn begin_care(&self, care: CareAccess) -> Result<(), CommandError> {
        let mut active = self.active.lock().await;
        active.as_mut().ok_or_else(no_session)?.care = Some(care);
        Ok(())
    }

    /// The care record's token and settings while its session lives;
    /// `care.login_required` otherwise.
    pub async fn care(
        &self,
        now: DateTime<Utc>,
    ) -> Result<(String, omsorg_core::care::CareRecordSettings), CommandError> {
        let active = self.active.lock().await;
        let a = active.as_ref().ok_or_else(no_session)?;
        match &a.care {
            Some(c) if c.session.is_live(now) => Ok((c.token.clone(), c.settings.clone())),
            _ => Err(CommandError::new(
                ErrorCode::CareLoginRequired,
                "no live care-record session",
            )),
        }
    }

    pub async fn care_status(&self, now: DateTime<Utc>) -> omsorg_core::care::CareStatus {
        let active = self.active.lock().await;
        match active.as_ref().and_then(|a| a.care.as_ref()) {
            Some(c) => c.session.status(now),
            None => omsorg_core::care::CareStatus::None,
        }
    }

    /// The care record refused its token: the session is over before its time.
    pub async fn end_care(&self) {
        if let Some(a) = self.active.lock().await.as_mut() {
            if let Some(c) = a.care.as_mut() {
                c.session.expires_at = Utc::now();
            }
        }
    }

    /// The refresh token the keystore holds, if any (tests).
    #[cfg(test)]
    pub fn stored_refresh_token(&self) -> Option<String> {
        self.stored().ok().flatten().map(|s| s.refresh_token)
    }

    /// The shared session's credential and end, if one is active.
    pub async fn shared(&self) -> Option<(Auth, DateTime<Utc>)> {
        let active = self.active.lock().await;
        let a = active.as_ref()?;
        Some((Auth::Shared(a.access_token.clone()?), a.shared_until?))
    }

    /// Credentials for a backend call: a shared session's token until it
    /// ends; a KOMBIT access token, refreshed when it has expired (or was
    /// never there, after an offline start).
    pub async fn access_token(&self, store: &Store) -> Result<Auth, CommandError> {
        let mut active = self.active.lock().await;
        let Some(current) = active.as_mut() else {
            return Err(CommandError::new(ErrorCode::NoSession, "not signed in"));
        };
        if let Some(until) = current.shared_until {
            return match &current.access_token {
                Some(token) if until > Utc::now() => Ok(Auth::Shared(token.clone())),
                _ => Err(CommandError::new(
                    ErrorCode::NoSession,
                    "the shared session ended",
                )),
            };
        }
        if let Some(token) = usable(current) {
            return Ok(Auth::Bearer(token));
        }
        drop(active);
        // One refresh at a time; who waited for it uses its token.
        let _turn = self.refreshing.lock().await;
        if let Some(token) = self.active.lock().await.as_ref().and_then(usable) {
            return Ok(Auth::Bearer(token));
        }
        let stored = self
            .stored()?
            .ok_or_else(|| CommandError::new(ErrorCode::NoSession, "no stored session"))?;
        let (token, expires_at) = self.refresh(stored, store).await?;
        let mut active = self.active.lock().await;
        let current = active
            .as_mut()
            .ok_or_else(|| CommandError::new(ErrorCode::NoSession, "signed out meanwhile"))?;
        current.access_token = Some(token.clone());
        current.expires_at = expires_at;
        Ok(Auth::Bearer(token))
    }

    /// The signed-in person as last seen.
    pub async fn person(&self) -> Result<Me, CommandError> {
        self.active
            .lock()
            .await
            .as_ref()
            .map(|a| a.me.clone())
            .ok_or_else(|| CommandError::new(ErrorCode::NoSession, "not signed in"))
    }

    pub async fn set_person(&self, store: &Store, me: Me) -> Result<(), CommandError> {
        store.set_person(&me)?;
        if let Some(a) = self.active.lock().await.as_mut() {
            a.me = me;
        }
        Ok(())
    }

    /// Revokes at the provider where possible, then forgets everything:
    /// keystore entries and the store's personal items.
    pub async fn sign_out(&self, store: &Store) -> Result<(), CommandError> {
        // A refresh in flight must not write its token back after this.
        self.epoch.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if let Some(stored) = self.stored()? {
            let provider = tokio::time::timeout(
                Duration::from_secs(5),
                Provider::discover(&stored.issuer, &self.client_id),
            )
            .await
            .ok()
            .and_then(Result::ok);
            if let Some(p) = provider {
                revoke_quietly(&p, &stored.refresh_token).await;
            }
        }
        self.active.lock().await.take();
        self.secrets.delete(SESSION_KEY)?;
        offline_pin::forget(self.secrets.as_ref())?;
        store.wipe_personal()?;
        self.secrets.delete(crate::orders::DRAFT_KEY)?;
        Ok(())
    }

    /// A keystore session whose person the store no longer has (the app
    /// stopped between the two writes of a login): nobody can be restored
    /// from it, so it is deleted. Run after start, off the first screen's
    /// path; never while a session is active.
    pub async fn drop_orphaned_session(&self, store: &Store) -> Result<bool, CommandError> {
        let active = self.active.lock().await;
        if active.is_some() || store.person()?.is_some() || self.secrets.get(SESSION_KEY)?.is_none()
        {
            return Ok(false);
        }
        tracing::info!("a kept session without its person: deleted");
        self.secrets.delete(SESSION_KEY)?;
        Ok(true)
    }

    /// After a refusal: forget locally, and only log a failure to do so (the
    /// refusal is what the person must see).
    async fn forget(&self, store: &Store) {
        self.active.lock().await.take();
        for result in [
            self.secrets.delete(SESSION_KEY),
            offline_pin::forget(self.secrets.as_ref()),
            store.wipe_personal().map_err(CommandError::from),
            self.secrets.delete(crate::orders::DRAFT_KEY),
        ] {
            if let Err(e) = result {
                tracing::error!(code = %e.code, "could not wipe personal data");
            }
        }
    }

    /// The keystore's session; `None` when absent or unreadable.
    fn stored(&self) -> Result<Option<StoredSession>, CommandError> {
        Ok(self
            .secrets
            .get(SESSION_KEY)?
            .and_then(|raw| serde_json::from_str(&raw).ok()))
    }

    /// Whether the keystore holds a session (for tests and diagnostics).
    pub fn has_stored_session(&self) -> Result<bool, CommandError> {
        Ok(self.secrets.get(SESSION_KEY)?.is_some())
    }
}

/// Best effort within 5 s: signing out must not wait on an absent provider.
async fn revoke_quietly(provider: &Provider, refresh_token: &str) {
    let _ = tokio::time::timeout(Duration::from_secs(5), provider.revoke(refresh_token)).await;
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;

fn no_session() -> CommandError {
    CommandError::new(ErrorCode::NoSession, "not signed in")
}
