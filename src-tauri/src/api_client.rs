//! The backend client. Only the shell talks HTTP; the web view's CSP forbids it.

use std::time::Duration;

use omsorg_core::api::{
    AddedSubstituteIds, AuditPage, AuditQuery, CprLookup, CprPerson, DeclarationList,
    DeclarationQuery, DeviceInfo, DeviceList, Enroll, Enrolled, EnrollmentCode, ExportFormat,
    ExtendAccess, IdGenerator, Me, Municipality, MunicipalityList, NewEnrollmentCode,
    NewReservation, NewSubstituteAccess, NewSubstituteIds, OrderPage, OrderQuery, PeopleList,
    Reservation, SetPin, SharedLogin, SharedSession, SubstituteAccessList, SubstituteAccessReceipt,
    SubstituteAccessSummary, SubstituteIdList, UnitList, UnitRef, UnitSettings, UnitSettingsChange,
    VerifyPin,
};
use omsorg_core::cpr::Cpr;
use omsorg_core::{ErrorBody, ErrorCode};
use reqwest::Method;
use serde::de::DeserializeOwned;

use crate::error::CommandError;

/// How a request proves who sends it. Never logged.
#[derive(Clone)]
pub enum Auth {
    /// A person's KOMBIT access token (personal devices).
    Bearer(String),
    /// A person's short-lived session on a shared device.
    Shared(String),
    /// The enrolled device itself.
    Device(String),
}

impl Auth {
    fn header(&self) -> String {
        match self {
            Auth::Bearer(t) => format!("Bearer {t}"),
            Auth::Shared(t) => format!("Shared {t}"),
            Auth::Device(t) => format!("Device {t}"),
        }
    }
}

pub struct ApiClient {
    base: String,
    http: reqwest::Client,
    /// The unit the person acts for on this device, sent with KOMBIT
    /// requests as `Omsorg-Unit` (the backend ignores a unit not theirs).
    unit: std::sync::Mutex<Option<String>>,
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
            unit: std::sync::Mutex::new(None),
        })
    }

    /// From now on, act for `unit` (`None`: the backend's default).
    pub fn act_for(&self, unit: Option<String>) {
        *self.unit.lock().unwrap_or_else(|p| p.into_inner()) = unit;
    }

    fn acting_unit(&self) -> Option<String> {
        self.unit.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub async fn municipalities(&self) -> Result<Vec<Municipality>, CommandError> {
        let list: MunicipalityList = self.get("/api/v1/municipalities").await?;
        Ok(list.municipalities)
    }

    /// Where the acting unit's care record is (SPEC C5).
    pub async fn care_record(
        &self,
        auth: &Auth,
    ) -> Result<omsorg_core::care::CareRecordSettings, CommandError> {
        self.call(Method::GET, "/api/v1/care-record", Some(auth), None::<&()>)
            .await
    }

    pub async fn me(&self, auth: &Auth) -> Result<Me, CommandError> {
        self.call(Method::GET, "/api/v1/me", Some(auth), None::<&()>)
            .await
    }

    /// `Ok(())` for the right PIN; `pin.wrong` / `pin.locked` / … otherwise.
    pub async fn verify_pin(&self, auth: &Auth, pin: &str) -> Result<(), CommandError> {
        let body = VerifyPin { pin: pin.into() };
        self.call_empty(
            Method::POST,
            "/api/v1/me/pin/verify",
            Some(auth),
            Some(&body),
        )
        .await
    }

    pub async fn set_pin(&self, auth: &Auth, body: &SetPin) -> Result<(), CommandError> {
        self.call_empty(Method::PUT, "/api/v1/me/pin", Some(auth), Some(body))
            .await
    }

    /// Administrators: the units of their municipality.
    pub async fn units(&self, auth: &Auth) -> Result<Vec<UnitRef>, CommandError> {
        let list: UnitList = self
            .call(Method::GET, "/api/v1/admin/units", Some(auth), None::<&()>)
            .await?;
        Ok(list.units)
    }

    pub async fn create_enrollment_code(
        &self,
        auth: &Auth,
        body: &NewEnrollmentCode,
    ) -> Result<EnrollmentCode, CommandError> {
        self.call(
            Method::POST,
            "/api/v1/admin/enrollment-codes",
            Some(auth),
            Some(body),
        )
        .await
    }

    pub async fn enroll(&self, code: &str) -> Result<Enrolled, CommandError> {
        let body = Enroll { code: code.into() };
        self.call(Method::POST, "/api/v1/devices/enroll", None, Some(&body))
            .await
    }

    pub async fn current_device(&self, device: &Auth) -> Result<DeviceInfo, CommandError> {
        self.call(
            Method::GET,
            "/api/v1/devices/current",
            Some(device),
            None::<&()>,
        )
        .await
    }

    pub async fn unenroll(&self, device: &Auth) -> Result<(), CommandError> {
        self.call_empty(
            Method::DELETE,
            "/api/v1/devices/current",
            Some(device),
            None::<&()>,
        )
        .await
    }

    pub async fn shared_login(
        &self,
        device: &Auth,
        body: &SharedLogin,
    ) -> Result<SharedSession, CommandError> {
        self.call(
            Method::POST,
            "/api/v1/shared/sessions",
            Some(device),
            Some(body),
        )
        .await
    }

    pub async fn shared_logout(&self, session: &Auth) -> Result<(), CommandError> {
        self.call_empty(
            Method::DELETE,
            "/api/v1/shared/sessions/current",
            Some(session),
            None::<&()>,
        )
        .await
    }

    pub async fn cpr_lookup(&self, auth: &Auth, cpr: &str) -> Result<CprPerson, CommandError> {
        let body = CprLookup { cpr: cpr.into() };
        self.call(Method::POST, "/api/v1/cpr/lookup", Some(auth), Some(&body))
            .await
    }

    /// With the substitute's CPR number, a returning substitute's earlier
    /// user ID when it is available.
    pub async fn reserve(
        &self,
        auth: &Auth,
        cpr: Option<&Cpr>,
    ) -> Result<Reservation, CommandError> {
        let body = NewReservation {
            cpr: cpr.map(Cpr::expose_digits),
        };
        let path = "/api/v1/substitute-ids/reservations";
        self.call(Method::POST, path, Some(auth), Some(&body)).await
    }

    /// One attempt at an order; `key` makes a retry replay the first answer.
    pub async fn order(
        &self,
        auth: &Auth,
        key: &str,
        body: &NewSubstituteAccess,
    ) -> Result<SubstituteAccessReceipt, CommandError> {
        let json = serde_json::to_value(body).expect("json");
        let path = "/api/v1/substitute-accesses";
        let bytes = self
            .send_with(
                Method::POST,
                path,
                Some(auth),
                &[("idempotency-key", key)],
                Some(json),
            )
            .await?;
        parse(path, &bytes)
    }

    pub async fn orders(&self, auth: &Auth) -> Result<SubstituteAccessList, CommandError> {
        self.call(
            Method::GET,
            "/api/v1/substitute-accesses",
            Some(auth),
            None::<&()>,
        )
        .await
    }

    pub async fn end_order(
        &self,
        auth: &Auth,
        id: &str,
    ) -> Result<SubstituteAccessSummary, CommandError> {
        let path = format!("/api/v1/substitute-accesses/{}/end", segment(id));
        self.call(Method::POST, &path, Some(auth), None::<&()>)
            .await
    }

    pub async fn extend_order(
        &self,
        auth: &Auth,
        id: &str,
        body: &ExtendAccess,
    ) -> Result<SubstituteAccessSummary, CommandError> {
        let path = format!("/api/v1/substitute-accesses/{}/extend", segment(id));
        self.call(Method::POST, &path, Some(auth), Some(body)).await
    }

    pub async fn declarations(
        &self,
        auth: &Auth,
        query: &DeclarationQuery,
    ) -> Result<DeclarationList, CommandError> {
        // In the body: a CPR number or a name never goes into a URL.
        let path = "/api/v1/declarations/search";
        self.call(Method::POST, path, Some(auth), Some(query)).await
    }

    /// The declaration's PDF bytes.
    pub async fn declaration_pdf(&self, auth: &Auth, id: &str) -> Result<Vec<u8>, CommandError> {
        let path = format!("/api/v1/declarations/{}/pdf", segment(id));
        self.send_with(Method::GET, &path, Some(auth), &[], None)
            .await
    }

    pub async fn substitute_ids(&self, auth: &Auth) -> Result<SubstituteIdList, CommandError> {
        self.call(
            Method::GET,
            "/api/v1/admin/substitute-ids",
            Some(auth),
            None::<&()>,
        )
        .await
    }

    pub async fn add_substitute_ids(
        &self,
        auth: &Auth,
        body: &NewSubstituteIds,
    ) -> Result<AddedSubstituteIds, CommandError> {
        self.call(
            Method::POST,
            "/api/v1/admin/substitute-ids",
            Some(auth),
            Some(body),
        )
        .await
    }

    pub async fn people(&self, auth: &Auth, q: &str) -> Result<PeopleList, CommandError> {
        let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
        let path = format!("/api/v1/admin/people?q={q}");
        self.call(Method::GET, &path, Some(auth), None::<&()>).await
    }

    pub async fn reset_pin(&self, auth: &Auth, user_id: &str) -> Result<(), CommandError> {
        let path = format!("/api/v1/admin/people/{}/pin", segment(user_id));
        self.call_empty(Method::DELETE, &path, Some(auth), None::<&()>)
            .await
    }

    pub async fn devices(&self, auth: &Auth) -> Result<DeviceList, CommandError> {
        let path = "/api/v1/admin/devices";
        self.call(Method::GET, path, Some(auth), None::<&()>).await
    }

    pub async fn revoke_device(&self, auth: &Auth, device_id: &str) -> Result<(), CommandError> {
        let path = format!("/api/v1/admin/devices/{}", segment(device_id));
        self.call_empty(Method::DELETE, &path, Some(auth), None::<&()>)
            .await
    }

    pub async fn audit(&self, auth: &Auth, query: &AuditQuery) -> Result<AuditPage, CommandError> {
        // In the body: a name never goes into a URL.
        let path = "/api/v1/admin/audit/search";
        self.call(Method::POST, path, Some(auth), Some(query)).await
    }

    pub async fn release_reservation(
        &self,
        auth: &Auth,
        user_id: &str,
    ) -> Result<(), CommandError> {
        let path = format!(
            "/api/v1/admin/substitute-ids/{}/reservation",
            segment(user_id)
        );
        self.call_empty(Method::DELETE, &path, Some(auth), None::<&()>)
            .await
    }

    pub async fn id_generator(&self, auth: &Auth) -> Result<IdGenerator, CommandError> {
        let path = "/api/v1/admin/substitute-ids/generator";
        self.call(Method::GET, path, Some(auth), None::<&()>).await
    }

    pub async fn set_id_generator(
        &self,
        auth: &Auth,
        generator: &IdGenerator,
    ) -> Result<IdGenerator, CommandError> {
        let path = "/api/v1/admin/substitute-ids/generator";
        self.call(Method::PUT, path, Some(auth), Some(generator))
            .await
    }

    pub async fn unit_orders(
        &self,
        auth: &Auth,
        query: &OrderQuery,
    ) -> Result<OrderPage, CommandError> {
        let path = "/api/v1/admin/orders/search";
        self.call(Method::POST, path, Some(auth), Some(query)).await
    }

    /// An export's bytes (`what`: `audit` or `orders`).
    pub async fn export<Q: serde::Serialize>(
        &self,
        auth: &Auth,
        what: &str,
        query: &Q,
        format: ExportFormat,
    ) -> Result<Vec<u8>, CommandError> {
        let path = format!("/api/v1/admin/{what}/export?format={}", format.as_str());
        let body = serde_json::to_value(query)
            .map_err(|e| CommandError::new(ErrorCode::Internal, e.to_string()))?;
        self.send_with(Method::POST, &path, Some(auth), &[], Some(body))
            .await
    }

    pub async fn unit_settings(&self, auth: &Auth) -> Result<Vec<UnitSettings>, CommandError> {
        self.call(
            Method::GET,
            "/api/v1/admin/unit-settings",
            Some(auth),
            None::<&()>,
        )
        .await
    }

    pub async fn set_unit_settings(
        &self,
        auth: &Auth,
        id: &str,
        change: &UnitSettingsChange,
    ) -> Result<UnitSettings, CommandError> {
        let path = format!("/api/v1/admin/unit-settings/{}", segment(id));
        self.call(Method::PUT, &path, Some(auth), Some(change))
            .await
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, CommandError> {
        self.call(Method::GET, path, None, None::<&()>).await
    }

    async fn call<B: serde::Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        auth: Option<&Auth>,
        body: Option<&B>,
    ) -> Result<T, CommandError> {
        let json = body.map(|b| serde_json::to_value(b).expect("json"));
        let bytes = self.send(method, path, auth, json).await?;
        parse(path, &bytes)
    }

    async fn call_empty<B: serde::Serialize>(
        &self,
        method: Method,
        path: &str,
        auth: Option<&Auth>,
        body: Option<&B>,
    ) -> Result<(), CommandError> {
        let json = body.map(|b| serde_json::to_value(b).expect("json"));
        self.send(method, path, auth, json).await.map(drop)
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        auth: Option<&Auth>,
        json: Option<serde_json::Value>,
    ) -> Result<Vec<u8>, CommandError> {
        self.send_with(method, path, auth, &[], json).await
    }

    /// The body of a 2xx answer; the backend's error code otherwise.
    async fn send_with(
        &self,
        method: Method,
        path: &str,
        auth: Option<&Auth>,
        headers: &[(&'static str, &str)],
        json: Option<serde_json::Value>,
    ) -> Result<Vec<u8>, CommandError> {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if let (Some(Auth::Bearer(_)), Some(unit)) = (auth, self.acting_unit()) {
            req = req.header(omsorg_core::api::UNIT_HEADER, unit);
        }
        if let Some(auth) = auth {
            let mut value = reqwest::header::HeaderValue::from_str(&auth.header())
                .map_err(|_| CommandError::new(ErrorCode::Internal, "unusable credential"))?;
            value.set_sensitive(true);
            req = req.header(reqwest::header::AUTHORIZATION, value);
        }
        if let Some(body) = json {
            req = req.json(&body);
        }
        let res = req.send().await.map_err(|e| {
            tracing::warn!(path, error = %e.without_url(), "backend unreachable");
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

/// An ID as one path segment (IDs come from the backend, but never trusted
/// to be path-safe).
fn segment(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
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
            // The identity provider's outage: retried, never a sign-out.
            (
                StatusCode::SERVICE_UNAVAILABLE,
                r#"{"code":"auth.provider_unavailable","message":"x"}"#,
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
            assert!(
                got.err().is_none_or(|c| !c.is_refusal()),
                "{status}: not a sign-out"
            );
        }
    }

    #[tokio::test]
    async fn nothing_listening_is_unreachable() {
        let client = ApiClient::new(&unreachable_url()).unwrap();
        let err = client.municipalities().await.unwrap_err();
        assert_eq!(err.code, ErrorCode::NetworkUnreachable);
    }

    /// Log lines written on this thread while `run` runs.
    async fn logs_of<F: std::future::Future>(run: F) -> (F::Output, String) {
        #[derive(Clone, Default)]
        struct Sink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
        impl std::io::Write for Sink {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let sink = Sink::default();
        let writer = sink.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .finish();
        let _on_this_thread = tracing::subscriber::set_default(subscriber);
        let out = run.await;
        let text = String::from_utf8_lossy(&sink.0.lock().unwrap()).into_owned();
        (out, text)
    }

    #[tokio::test]
    async fn a_search_by_cpr_or_name_puts_neither_in_a_url_nor_a_log() {
        // A backend that answers only a search whose CPR number came in
        // the body and not in the URI.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = axum::Router::new().fallback(|uri: axum::http::Uri, body: String| async move {
            let uri = uri.to_string();
            if uri.contains("311299") || !body.contains("311299-9917") {
                return (StatusCode::BAD_GATEWAY, uri);
            }
            (StatusCode::OK, r#"{"declarations":[]}"#.to_string())
        });
        tokio::spawn(async move { axum::serve(listener, app).await });
        let query = DeclarationQuery {
            cpr: "311299-9917".into(),
            name: "Zacharias Ølgaard".into(),
            ..DeclarationQuery::default()
        };
        let auth = Auth::Bearer("tok".into());
        let client = ApiClient::new(&url).unwrap();
        let (answer, logs) = logs_of(client.declarations(&auth, &query)).await;
        assert_eq!(answer.unwrap().declarations.len(), 0);

        let unreachable = ApiClient::new(&unreachable_url()).unwrap();
        let (answer, more) = logs_of(unreachable.declarations(&auth, &query)).await;
        assert_eq!(answer.unwrap_err().code, ErrorCode::NetworkUnreachable);
        for line in [logs, more] {
            for secret in ["311299", "Zacharias", "lgaard"] {
                assert!(
                    !line.contains(secret),
                    "{secret} in the shell's log: {line}"
                );
            }
        }
    }
}
