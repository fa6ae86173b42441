//! OpenID Connect login for a native app (RFC 8252): authorization code flow
//! with PKCE S256, `state` and `nonce`, in the system browser, redirect to a
//! loopback port; every token validated before it is believed.
//!
//! Used by the app and by the `omsorg-login-check` diagnostic, so both behave alike.

pub mod browser;
pub mod loopback;
pub mod redirect;

use std::collections::HashMap;
use std::time::Duration;

use chrono::Utc;
use omsorg_core::ErrorCode;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthenticationFlow, CoreClaimName, CoreClaimType, CoreClient,
    CoreClientAuthMethod, CoreGrantType, CoreIdTokenVerifier, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm, CoreJwsSigningAlgorithm,
    CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType, CoreUserInfoClaims,
};
use openidconnect::{
    AdditionalProviderMetadata, AuthorizationCode, ClaimsVerificationError, ClientId, CsrfToken,
    IssuerUrl, JsonWebKeySet, Nonce, OAuth2TokenResponse, PkceCodeChallenge, ProviderMetadata,
    RedirectUrl, RefreshToken, Scope, SignatureVerificationError, TokenResponse,
};
use serde::{Deserialize, Serialize};

use crate::error::CommandError;
use browser::Browser;
use redirect::RedirectTarget;

/// Only asymmetric signatures; `none` and HMAC are never accepted.
const ALLOWED_ALGS: &[CoreJwsSigningAlgorithm] = &[
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
];
/// How far the device clock may be from the provider's.
const MAX_SKEW: chrono::Duration = chrono::Duration::minutes(5);
const ISSUED_IN_FUTURE: &str = "issued in the future";

/// Discovery fields beyond OpenID Connect Core that we use.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct ExtraMetadata {
    pub revocation_endpoint: Option<String>,
    /// RFC 9207: the provider puts `iss` in every authorization response.
    pub authorization_response_iss_parameter_supported: Option<bool>,
}
impl AdditionalProviderMetadata for ExtraMetadata {}

type Metadata = ProviderMetadata<
    ExtraMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// What to log in to.
#[derive(Debug, Clone)]
pub struct LoginRequest {
    pub issuer: String,
    pub client_id: String,
    /// Sent as `login_hint` so the broker picks the municipality.
    pub hint: Option<String>,
    /// The backend's resource indicator (RFC 8707): the access token the app
    /// keeps is one for this audience, obtained after UserInfo.
    pub resource: Option<String>,
    pub timeout: Duration,
    /// The person must authenticate now (`max_age=0`), not pass through on
    /// the provider's session: after a PIN block, whoever holds the device
    /// must know the password. The ID token's `auth_time` is checked.
    pub fresh: bool,
}

/// How one authorization code flow is asked for.
struct Authorize<'a> {
    scopes: &'a [&'a str],
    hint: Option<&'a str>,
    resource: Option<&'a str>,
    /// The code exchange itself asks for `resource` (the care record's
    /// token); otherwise it yields the provider's own and the app's API
    /// token comes from a refresh grant.
    resource_at_exchange: bool,
    consent: bool,
    fresh: bool,
    timeout: Duration,
}

/// The care record's login ("Log ind i Nexus", SPEC C5).
#[derive(Debug, Clone)]
pub struct CareLoginRequest {
    pub hint: Option<String>,
    /// The care record's resource indicator: the token's audience.
    pub resource: String,
    /// Who is signed in to Omsorg: the care record's login must be them.
    pub subject: String,
    pub timeout: Duration,
}

/// The care record's access token; it stays in the shell's memory.
pub struct CareToken {
    pub access_token: String,
    pub expires_in: Option<Duration>,
}

/// A verified login. The tokens stay in the shell; `Debug` hides them.
pub struct LoginResult {
    pub issuer: String,
    pub subject: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub access_token: String,
    pub access_expires_in: Option<Duration>,
    pub refresh_token: Option<String>,
}

impl std::fmt::Debug for LoginResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginResult")
            .field("issuer", &self.issuer)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// Fresh tokens from a refresh grant.
pub struct Refreshed {
    pub access_token: String,
    pub access_expires_in: Option<Duration>,
    /// Set when the provider rotated the refresh token.
    pub refresh_token: Option<String>,
}

fn fail(code: ErrorCode, message: impl Into<String>) -> CommandError {
    let e = CommandError::new(code, message);
    tracing::warn!(code = %e.code, reason = %e.message, "login failed");
    e
}

fn unreachable(e: impl std::fmt::Display) -> CommandError {
    fail(ErrorCode::LoginProviderUnreachable, e.to_string())
}

fn invalid(e: impl std::fmt::Display) -> CommandError {
    fail(ErrorCode::LoginInvalidToken, e.to_string())
}

pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        // Following redirects from a provider is an SSRF vector (openidconnect's advice).
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        .build()
        .expect("HTTP client")
}

/// A provider, discovered. Discovery also checks that the document's
/// The redirect that answers this login: the first with our `state`. One
/// with another state (a page or another program on the device calling
/// the loopback address) is not believed, and does not end the wait.
async fn answer(
    target: &mut RedirectTarget,
    state: &str,
) -> std::io::Result<HashMap<String, String>> {
    loop {
        let params = target.receive().await?;
        let returned = params
            .get("state")
            .map(String::as_bytes)
            .unwrap_or_default();
        if constant_time_eq(returned, state.as_bytes()) {
            return Ok(params);
        }
        tracing::warn!("a redirect with another state: ignored");
    }
}

/// `issuer` is exactly the configured one.
pub struct Provider {
    metadata: Metadata,
    client_id: ClientId,
    http: reqwest::Client,
}

impl Provider {
    pub async fn discover(issuer: &str, client_id: &str) -> Result<Provider, CommandError> {
        if !crate::config::transport_allowed(issuer) {
            return Err(invalid(format!(
                "the issuer {issuer} is not https (plain http only on loopback)"
            )));
        }
        let http = http_client();
        let issuer_url = IssuerUrl::new(issuer.to_string()).map_err(unreachable)?;
        let metadata = Metadata::discover_async(issuer_url, &http)
            .await
            .map_err(|e| match e {
                openidconnect::DiscoveryError::Validation(v) => invalid(format!("discovery: {v}")),
                other => unreachable(format!("discovery: {other}")),
            })?;
        Ok(Provider {
            metadata,
            client_id: ClientId::new(client_id.to_string()),
            http,
        })
    }

    fn client(
        &self,
    ) -> CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    > {
        CoreClient::from_provider_metadata(self.metadata.clone(), self.client_id.clone(), None)
    }

    pub fn issuer(&self) -> &str {
        self.metadata.issuer().as_str()
    }

    /// Refetches the provider's keys (after an unknown `kid`: key rotation).
    async fn refresh_keys(&mut self) -> Result<(), CommandError> {
        let keys = JsonWebKeySet::fetch_async(self.metadata.jwks_uri(), &self.http)
            .await
            .map_err(unreachable)?;
        self.metadata = self.metadata.clone().set_jwks(keys);
        Ok(())
    }

    fn verifier(&self, keys: JsonWebKeySet<CoreJsonWebKey>) -> CoreIdTokenVerifier<'static> {
        let now = Utc::now();
        CoreIdTokenVerifier::new_public_client(
            self.client_id.clone(),
            self.metadata.issuer().clone(),
            keys,
        )
        .set_allowed_algs(ALLOWED_ALGS.iter().cloned())
        .set_issue_time_verifier_fn(move |iat| {
            if iat > now + MAX_SKEW {
                Err(format!("{ISSUED_IN_FUTURE} ({iat})"))
            } else {
                Ok(())
            }
        })
    }

    /// OpenID Connect Core 3.1.3.7: an ID token whose `azp` names another
    /// client was issued to that client, whatever its `aud` says.
    fn authorized_for_us(
        &self,
        claims: openidconnect::core::CoreIdTokenClaims,
    ) -> Result<openidconnect::core::CoreIdTokenClaims, CommandError> {
        match claims.authorized_party() {
            Some(azp) if azp.as_str() != self.client_id.as_str() => Err(invalid(format!(
                "the ID token was issued to {}",
                azp.as_str()
            ))),
            _ => Ok(claims),
        }
    }

    /// RFC 9207 (the mix-up defence): an `iss` in the authorization
    /// response must be this provider's, and must be there when the
    /// provider says it always sends it.
    fn check_response_issuer(&self, params: &HashMap<String, String>) -> Result<(), CommandError> {
        let promised = self
            .metadata
            .additional_metadata()
            .authorization_response_iss_parameter_supported
            == Some(true);
        match params.get("iss") {
            Some(iss) if iss != self.issuer() => Err(invalid(
                "the authorization response comes from another issuer",
            )),
            None if promised => Err(invalid(
                "the authorization response has no iss, though the provider promises one",
            )),
            _ => Ok(()),
        }
    }

    /// Validates the ID token's claims. Refetches the keys once when no key
    /// matches (rotation) and, when the token names no `kid` and several keys
    /// fit, tries each of them.
    async fn verify_id_token(
        &mut self,
        id_token: &openidconnect::core::CoreIdToken,
        nonce: &Nonce,
    ) -> Result<openidconnect::core::CoreIdTokenClaims, CommandError> {
        let mut refetched = false;
        loop {
            let keys = self.metadata.jwks().clone();
            match id_token.claims(&self.verifier(keys.clone()), nonce) {
                Ok(claims) => return self.authorized_for_us(claims.clone()),
                Err(ClaimsVerificationError::SignatureVerification(
                    SignatureVerificationError::NoMatchingKey,
                )) if !refetched => {
                    refetched = true;
                    self.refresh_keys().await?;
                }
                Err(ClaimsVerificationError::SignatureVerification(
                    SignatureVerificationError::AmbiguousKeyId(_),
                )) => {
                    for key in keys.keys() {
                        let single = JsonWebKeySet::new(vec![key.clone()]);
                        if let Ok(claims) = id_token.claims(&self.verifier(single), nonce) {
                            return self.authorized_for_us(claims.clone());
                        }
                    }
                    return Err(invalid("no key verifies the ID token"));
                }
                // openidconnect reports a failed `iat` check as Expired; ours names itself.
                Err(ClaimsVerificationError::Expired(e)) if e.contains(ISSUED_IN_FUTURE) => {
                    return Err(fail(ErrorCode::LoginClockSkew, e))
                }
                Err(e) => return Err(invalid(e)),
            }
        }
    }

    /// A login asked to be fresh: the provider says the person authenticated
    /// at or after `started` (within the clock skew allowed elsewhere).
    fn fresh_enough(
        auth_time: Option<chrono::DateTime<chrono::Utc>>,
        started: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), CommandError> {
        match auth_time {
            Some(t) if t >= started - MAX_SKEW => Ok(()),
            Some(t) => Err(invalid(format!(
                "asked for a fresh login (max_age=0), the provider answered with one from {t}"
            ))),
            None => Err(invalid(
                "asked for a fresh login (max_age=0), no auth_time in the ID token",
            )),
        }
    }

    /// Browser, redirect (to `target`), code exchange (with `resource` when
    /// the code is to yield that resource's token) and the ID token's
    /// validation: what a KOMBIT login and a care-record login share.
    async fn authorize(
        &mut self,
        a: &Authorize<'_>,
        browser: &dyn Browser,
        mut target: RedirectTarget,
    ) -> Result<
        (
            openidconnect::core::CoreTokenResponse,
            openidconnect::core::CoreIdTokenClaims,
        ),
        CommandError,
    > {
        let redirect = RedirectUrl::new(target.redirect_uri().to_string())
            .map_err(|e| fail(ErrorCode::Internal, e.to_string()))?;
        let client = self.client().set_redirect_uri(redirect);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut auth = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in a.scopes {
            auth = auth.add_scope(Scope::new(scope.to_string()));
        }
        if let Some(hint) = a.hint {
            auth = auth.add_extra_param("login_hint", hint.to_string());
        }
        if let Some(resource) = a.resource {
            auth = auth.add_extra_param("resource", resource.to_string());
        }
        if a.consent {
            auth = auth.add_prompt(openidconnect::core::CoreAuthPrompt::Consent);
        }
        if a.fresh {
            auth = auth.set_max_age(Duration::ZERO);
        }
        let started = chrono::Utc::now();
        let (url, state, nonce) = auth.url();
        browser
            .open(url.as_str())
            .map_err(|e| fail(ErrorCode::Internal, format!("opening the browser: {e}")))?;

        let params = tokio::time::timeout(a.timeout, answer(&mut target, state.secret()))
            .await
            .map_err(|_| fail(ErrorCode::LoginTimedOut, "no redirect in time"))?
            .map_err(|e| fail(ErrorCode::Internal, e.to_string()))?;
        self.check_response_issuer(&params)?;
        if let Some(error) = params.get("error") {
            return Err(match error.as_str() {
                "access_denied" => fail(ErrorCode::LoginCancelled, "cancelled at the provider"),
                other => fail(ErrorCode::LoginProviderError, other.to_string()),
            });
        }
        let code = params
            .get("code")
            .ok_or_else(|| fail(ErrorCode::LoginProviderError, "redirect without code"))?;

        let mut exchange = client
            .exchange_code(AuthorizationCode::new(code.clone()))
            .map_err(unreachable)?
            .set_pkce_verifier(verifier);
        if let (true, Some(resource)) = (a.resource_at_exchange, a.resource) {
            exchange = exchange.add_extra_param("resource", resource.to_string());
        }
        let token = exchange
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                openidconnect::RequestTokenError::ServerResponse(r) => {
                    fail(ErrorCode::LoginProviderError, r.to_string())
                }
                openidconnect::RequestTokenError::Parse(e, _) => {
                    invalid(format!("token response: {e}"))
                }
                other => unreachable(other),
            })?;
        let id_token = token
            .id_token()
            .ok_or_else(|| invalid("the token response has no ID token"))?;
        let claims = self.verify_id_token(id_token, &nonce).await?;
        if a.fresh {
            Self::fresh_enough(claims.auth_time(), started)?;
        }
        Ok((token, claims))
    }

    /// The whole interactive login: browser, redirect (to `target`), code
    /// exchange, validation, UserInfo.
    pub async fn login(
        &mut self,
        request: &LoginRequest,
        browser: &dyn Browser,
        target: RedirectTarget,
    ) -> Result<LoginResult, CommandError> {
        // OpenID Connect Core 11: offline_access (a refresh token, so a restart
        // needs no browser) is granted only with prompt=consent; the broker
        // grants it for the first-party app without a page. No prompt=login:
        // while the KOMBIT session lives, a login passes through without a
        // password (single sign-on). Where a rule needs the person to prove
        // themself now (a new PIN after a block), `fresh` sends max_age=0 and
        // the ID token's auth_time must be from this login.
        let authorize = Authorize {
            scopes: &["profile", "email", "offline_access", "omsorg"],
            hint: request.hint.as_deref(),
            resource: request.resource.as_deref(),
            resource_at_exchange: false,
            consent: true,
            fresh: request.fresh,
            timeout: request.timeout,
        };
        let (token, claims) = self.authorize(&authorize, browser, target).await?;
        let client = self.client();
        let subject = claims.subject().clone();

        // UserInfo must describe the same person as the ID token.
        let userinfo: CoreUserInfoClaims = client
            .user_info(token.access_token().clone(), Some(subject.clone()))
            .map_err(|e| invalid(format!("userinfo: {e}")))?
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                openidconnect::UserInfoError::ClaimsVerification(v) => {
                    invalid(format!("userinfo: {v}"))
                }
                other => unreachable(format!("userinfo: {other}")),
            })?;

        let name = userinfo
            .name()
            .or(claims.name())
            .and_then(|n| n.get(None))
            .map(|n| n.to_string());
        let email = userinfo.email().or(claims.email()).map(|e| e.to_string());
        let mut result = LoginResult {
            issuer: self.issuer().to_string(),
            subject: subject.to_string(),
            name,
            email,
            access_token: token.access_token().secret().clone(),
            access_expires_in: token.expires_in(),
            refresh_token: token.refresh_token().map(|t| t.secret().clone()),
        };
        if let Some(resource) = &request.resource {
            let refresh_token = result.refresh_token.clone().ok_or_else(|| {
                fail(
                    ErrorCode::LoginProviderError,
                    "no refresh token (offline_access)",
                )
            })?;
            let api = self
                .refresh(&refresh_token, Some(resource))
                .await
                .map_err(|e| CommandError::new(ErrorCode::LoginProviderError, e.message))?;
            result.access_token = api.access_token;
            result.access_expires_in = api.access_expires_in;
            if api.refresh_token.is_some() {
                result.refresh_token = api.refresh_token;
            }
        }
        Ok(result)
    }

    /// "Log ind i Nexus": an authorization code flow at the care record's
    /// authorization server for its resource. No refresh token: the
    /// integration session ends with the access token. The ID token must
    /// name the person signed in to Omsorg.
    pub async fn care_login(
        &mut self,
        request: &CareLoginRequest,
        browser: &dyn Browser,
        target: RedirectTarget,
    ) -> Result<CareToken, CommandError> {
        let authorize = Authorize {
            scopes: &["care"],
            hint: request.hint.as_deref(),
            resource: Some(&request.resource),
            resource_at_exchange: true,
            consent: false,
            fresh: false,
            timeout: request.timeout,
        };
        let (token, claims) = self.authorize(&authorize, browser, target).await?;
        if claims.subject().as_str() != request.subject {
            return Err(invalid("the care-record login is another person's"));
        }
        Ok(CareToken {
            access_token: token.access_token().secret().clone(),
            expires_in: token.expires_in(),
        })
    }

    /// Trades a refresh token for a new access token (for `resource`, if given).
    pub async fn refresh(
        &self,
        refresh_token: &str,
        resource: Option<&str>,
    ) -> Result<Refreshed, CommandError> {
        let client = self.client();
        let refresh_token = RefreshToken::new(refresh_token.to_string());
        let mut request = client
            .exchange_refresh_token(&refresh_token)
            .map_err(unreachable)?;
        if let Some(resource) = resource {
            request = request.add_extra_param("resource", resource.to_string());
        }
        let token = request
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                // invalid_grant and friends: the session is over.
                openidconnect::RequestTokenError::ServerResponse(r) => {
                    fail(ErrorCode::InvalidToken, format!("refresh refused: {r}"))
                }
                other => unreachable(other),
            })?;
        Ok(Refreshed {
            access_token: token.access_token().secret().clone(),
            access_expires_in: token.expires_in(),
            refresh_token: token.refresh_token().map(|t| t.secret().clone()),
        })
    }

    /// Revokes a refresh token where the provider advertises revocation (RFC 7009).
    /// Best effort: signing out must succeed even when the provider is away.
    pub async fn revoke(&self, refresh_token: &str) {
        let Some(endpoint) = &self.metadata.additional_metadata().revocation_endpoint else {
            return;
        };
        let result = self
            .http
            .post(endpoint)
            .form(&[
                ("token", refresh_token),
                ("token_type_hint", "refresh_token"),
                ("client_id", self.client_id.as_str()),
            ])
            .send()
            .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "revocation failed; the local session is wiped regardless");
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
