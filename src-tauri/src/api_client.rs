//! The backend client. Only the shell talks HTTP; the web view's CSP forbids it.

use std::time::Duration;

use omsorg_core::api::{Me, Municipality, MunicipalityList};
use omsorg_core::{ErrorBody, ErrorCode};
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
        self.get_as("/api/v1/me", Some(access_token)).await
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, CommandError> {
        self.get_as(path, None).await
    }

    async fn get_as<T: DeserializeOwned>(
        &self,
        path: &str,
        bearer: Option<&str>,
    ) -> Result<T, CommandError> {
        let mut req = self.http.get(format!("{}{}", self.base, path));
        if let Some(token) = bearer {
            req = req.bearer_auth(token);
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
            return serde_json::from_slice(&bytes).map_err(|e| {
                tracing::warn!(path, error = %e, "backend answered outside the contract");
                CommandError::new(ErrorCode::NetworkBadResponse, "unexpected answer")
            });
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
