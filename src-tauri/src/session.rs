//! The signed-in person's session. The refresh token lives in the keystore,
//! the access token only in this struct's memory; neither ever leaves the shell.

use std::time::{Duration, Instant};

use omsorg_core::api::Me;
use omsorg_core::ErrorCode;
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot, Mutex};

use crate::api_client::ApiClient;
use crate::error::CommandError;
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

    fn subscribe(&self) -> mpsc::UnboundedReceiver<String> {
        let (tx, rx) = mpsc::unbounded_channel();
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(tx);
        rx
    }
}

struct Active {
    access_token: String,
    expires_at: Option<Instant>,
    me: Me,
}

pub struct Sessions {
    secrets: Box<dyn SecretStore>,
    client_id: String,
    api_audience: String,
    login_timeout: Duration,
    active: Mutex<Option<Active>>,
    cancel: std::sync::Mutex<Option<oneshot::Sender<()>>>,
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
            deep_links: DeepLinks::default(),
        }
    }

    /// Interactive KOMBIT login for the chosen municipality.
    pub async fn login(
        &self,
        store: &Store,
        api: &ApiClient,
        municipality_code: &str,
        browser: &dyn Browser,
    ) -> Result<Me, CommandError> {
        let municipality = store
            .cached_municipalities()?
            .and_then(|(list, _)| list.into_iter().find(|m| m.code == municipality_code))
            .ok_or_else(|| CommandError::new(ErrorCode::RequestInvalid, "unknown municipality"))?;
        store.set_last_municipality(municipality_code)?;
        let (tx, rx) = oneshot::channel();
        *self.cancel.lock().unwrap_or_else(|p| p.into_inner()) = Some(tx);
        let request = LoginRequest {
            issuer: municipality.issuer.clone(),
            client_id: self.client_id.clone(),
            hint: municipality.hint.clone(),
            resource: Some(self.api_audience.clone()),
            timeout: self.login_timeout,
        };
        // Desktop: a loopback port. Mobile: the app's own scheme through the deep-link plugin.
        let target = if cfg!(mobile) {
            RedirectTarget::AppScheme {
                uri: APP_REDIRECT_URI.to_string(),
                urls: self.deep_links.subscribe(),
            }
        } else {
            RedirectTarget::loopback()
                .await
                .map_err(|e| CommandError::new(ErrorCode::Internal, e.to_string()))?
        };
        let flow = async {
            let mut provider = Provider::discover(&request.issuer, &request.client_id).await?;
            let result = provider.login(&request, browser, target).await?;
            Ok::<_, CommandError>((provider, result))
        };
        let (provider, result) = tokio::select! {
            r = flow => r?,
            _ = rx => return Err(CommandError::new(ErrorCode::LoginCancelled, "cancelled in the app")),
        };
        let me = match api.me(&result.access_token).await {
            Ok(me) => me,
            Err(e) => {
                // Not provisioned (or refused): leave nothing behind, not even at the provider.
                if let Some(rt) = &result.refresh_token {
                    provider.revoke(rt).await;
                }
                return Err(e);
            }
        };
        if let Some(refresh_token) = result.refresh_token {
            let stored = StoredSession {
                issuer: result.issuer.clone(),
                municipality_code: municipality_code.to_string(),
                refresh_token,
            };
            self.secrets
                .set(SESSION_KEY, &serde_json::to_string(&stored).expect("json"))?;
        }
        *self.active.lock().await = Some(Active {
            access_token: result.access_token,
            expires_at: result.access_expires_in.map(|d| Instant::now() + d),
            me: me.clone(),
        });
        Ok(me)
    }

    pub fn cancel_login(&self) {
        if let Some(tx) = self.cancel.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = tx.send(());
        }
    }

    /// At start: the session from the keystore's refresh token, without a browser.
    /// `None` when nobody is signed in. A refused refresh or a refused person wipes it.
    pub async fn restore(&self, api: &ApiClient) -> Result<Option<Me>, CommandError> {
        if let Some(active) = self.active.lock().await.as_ref() {
            return Ok(Some(active.me.clone()));
        }
        let Some(raw) = self.secrets.get(SESSION_KEY)? else {
            return Ok(None);
        };
        let Ok(mut stored) = serde_json::from_str::<StoredSession>(&raw) else {
            self.secrets.delete(SESSION_KEY)?;
            return Ok(None);
        };
        let provider = Provider::discover(&stored.issuer, &self.client_id).await?;
        let refreshed = match provider
            .refresh(&stored.refresh_token, Some(&self.api_audience))
            .await
        {
            Ok(r) => r,
            Err(e) if e.code == ErrorCode::InvalidToken => {
                self.secrets.delete(SESSION_KEY)?;
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        if let Some(rotated) = refreshed.refresh_token {
            stored.refresh_token = rotated;
            self.secrets
                .set(SESSION_KEY, &serde_json::to_string(&stored).expect("json"))?;
        }
        let me = match api.me(&refreshed.access_token).await {
            Ok(me) => me,
            Err(e) if is_refusal(e.code) => {
                self.wipe(&provider, &stored.refresh_token).await;
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        *self.active.lock().await = Some(Active {
            access_token: refreshed.access_token,
            expires_at: refreshed.access_expires_in.map(|d| Instant::now() + d),
            me: me.clone(),
        });
        Ok(Some(me))
    }

    /// Revokes at the provider where possible, then forgets everything.
    pub async fn sign_out(&self) -> Result<(), CommandError> {
        self.active.lock().await.take();
        if let Some(stored) = self
            .secrets
            .get(SESSION_KEY)?
            .and_then(|raw| serde_json::from_str::<StoredSession>(&raw).ok())
        {
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
        self.secrets.delete(SESSION_KEY)
    }

    /// After a refusal: revoke, forget, and only log a keystore failure (the
    /// refusal is what the person must see).
    async fn wipe(&self, provider: &Provider, refresh_token: &str) {
        revoke_quietly(provider, refresh_token).await;
        self.active.lock().await.take();
        if let Err(e) = self.secrets.delete(SESSION_KEY) {
            tracing::error!(code = %e.code, "could not wipe the keystore entry");
        }
    }

    /// The access token for a backend call, if the session is live.
    pub async fn access_token(&self) -> Result<String, CommandError> {
        match self.active.lock().await.as_ref() {
            Some(a) if a.expires_at.is_none_or(|t| t > Instant::now()) => {
                Ok(a.access_token.clone())
            }
            _ => Err(CommandError::new(ErrorCode::NoSession, "not signed in")),
        }
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

/// The backend's "this person may not": sign out at once.
pub fn is_refusal(code: ErrorCode) -> bool {
    matches!(code, ErrorCode::InvalidToken | ErrorCode::NotProvisioned)
}
