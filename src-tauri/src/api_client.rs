//! The backend client. Only the shell talks HTTP; the web view's CSP forbids it.

use std::time::Duration;

use omsorg_core::api::{Me, Municipality, MunicipalityList, SetPin, VerifyPin};
use omsorg_core::{ErrorBody, ErrorCode};
use reqwest::Method;
use serde::de::DeserializeOwned;

use crate::error::CommandError;

pub struct ApiClient {
    base: String,
    http: reqwest::Client,
}

impl ApiClient {
    pub fn new(base: &str) -> Result<ApiClient, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .user_agent(concat!("omsorg-app/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(ApiClient {
            base: base.trim_end_matches('/').to_string(),
            http,
        })
    }

    pub async fn municipalities(&self) -> Result<Vec<Municipality>, CommandError> {
        let list: MunicipalityList = self.get("/api/v1/municipalities").await?;
        Ok(list.municipalities)
    }

    pub async fn me(&self, access_token: &str) -> Result<Me, CommandError> {
        let bytes = self
            .send(Method::GET, "/api/v1/me", Some(access_token), None)
            .await?;
        parse("/api/v1/me", &bytes)
    }

    /// `Ok(())` for the right PIN; `pin.wrong` / `pin.locked` / … otherwise.
    pub async fn verify_pin(&self, access_token: &str, pin: &str) -> Result<(), CommandError> {
        let body = VerifyPin { pin: pin.into() };
        let body = serde_json::to_value(&body).expect("json");
        self.send(
            Method::POST,
            "/api/v1/me/pin/verify",
            Some(access_token),
            Some(body),
        )
        .await
        .map(drop)
    }

    pub async fn set_pin(&self, access_token: &str, body: &SetPin) -> Result<(), CommandError> {
        let body = serde_json::to_value(body).expect("json");
        self.send(
            Method::PUT,
            "/api/v1/me/pin",
            Some(access_token),
            Some(body),
        )
        .await
        .map(drop)
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, CommandError> {
        let bytes = self.send(Method::GET, path, None, None).await?;
        parse(path, &bytes)
    }

    /// The body of a 2xx answer; the backend's error code otherwise.
    async fn send(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        json: Option<serde_json::Value>,
    ) -> Result<Vec<u8>, CommandError> {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(token) = bearer {
            req = req.bearer_auth(token);
        }
        if let Some(body) = json {
            req = req.json(&body);
        }
        let res = req.send().await.map_err(|e| {
            tracing::warn!(path, error = %e, "backend unreachable");
            CommandError::new(ErrorCode::NetworkUnreachable, "backend unreachable")
        })?;
        let status = res.status();
        let bytes = res.bytes().await.map_err(|e| {
            CommandError::new(ErrorCode::NetworkUnreachable, format!("reading body: {e}"))
        })?;
        if status.is_success() {
            return Ok(bytes.to_vec());
        }
        // Client errors carry a stable code the UI knows; anything else is the server's fault.
        match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(body) if status.is_client_error() => Err(CommandError::new(body.code, body.message)),
            _ => {
                tracing::warn!(path, %status, "backend error");
                Err(CommandError::new(
                    ErrorCode::NetworkBadResponse,
                    format!("backend answered {status}"),
                ))
            }
        }
    }
}

fn parse<T: DeserializeOwned>(path: &str, bytes: &[u8]) -> Result<T, CommandError> {
    serde_json::from_slice(bytes).map_err(|e| {
        tracing::warn!(path, error = %e, "backend answered outside the contract");
        CommandError::new(ErrorCode::NetworkBadResponse, "unexpected answer")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{backend_answering, unreachable_url};
    use axum::http::StatusCode;

    #[tokio::test]
    async fn maps_each_kind_of_failure_to_its_code() {
        let ok = r#"{"municipalities":[{"code":"101","name":"København","issuer":"http://i","hint":"101"}]}"#;
        let cases: &[(StatusCode, &'static str, Result<usize, ErrorCode>)] = &[
            (StatusCode::OK, ok, Ok(1)),
            (
                StatusCode::OK,
                "<html>proxy login</html>",
                Err(ErrorCode::NetworkBadResponse),
            ),
            (
                StatusCode::OK,
                r#"{"municipalities":"no"}"#,
                Err(ErrorCode::NetworkBadResponse),
            ),
            (
                StatusCode::NOT_FOUND,
                r#"{"code":"request.not_found","message":"x"}"#,
                Err(ErrorCode::NotFound),
            ),
            (
                StatusCode::BAD_GATEWAY,
                "bad gateway",
                Err(ErrorCode::NetworkBadResponse),
            ),
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                r#"{"code":"internal","message":"x"}"#,
                Err(ErrorCode::NetworkBadResponse),
            ),
        ];
        for (status, body, want) in cases {
            let client = ApiClient::new(&backend_answering(*status, body).await).unwrap();
            let got = client
                .municipalities()
                .await
                .map(|l| l.len())
                .map_err(|e| e.code);
            assert_eq!(&got, want, "{status} {body}");
        }
    }

    #[tokio::test]
    async fn nothing_listening_is_unreachable() {
        let client = ApiClient::new(&unreachable_url()).unwrap();
        let err = client.municipalities().await.unwrap_err();
        assert_eq!(err.code, ErrorCode::NetworkUnreachable);
    }
}
