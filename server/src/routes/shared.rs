//! User ID + PIN on an enrolled shared device (SPEC C3). Guessing is stopped:
//! five wrong answers for a user ID block it, a device that fails often is
//! throttled, and an unknown user ID is answered exactly like a wrong PIN —
//! same body, same Argon2 work.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use omsorg_core::api::{SharedLogin, SharedSession};
use omsorg_core::lock::MAX_ATTEMPTS;
use omsorg_core::{ErrorBody, ErrorCode};

use std::sync::Arc;

use sqlx::AnyPool;

use crate::auth::{authorization, Device};
use crate::db::Backend;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::routes::me::me_of;
use crate::AppState;
use crate::{people, secret};

/// A device may fail this many logins within `DEVICE_WINDOW_SECS`…
pub const DEVICE_MAX_FAILURES: i64 = 10;
/// …before it must wait.
pub const DEVICE_WINDOW_SECS: i64 = 10 * 60;

fn failed() -> ApiError {
    ApiError::client(ErrorCode::SharedLoginFailed, "wrong user ID or PIN")
}

fn blocked() -> ApiError {
    ApiError::client(
        ErrorCode::PinLocked,
        "blocked after too many wrong PINs: set a new PIN after a KOMBIT login, or ask an administrator",
    )
}

/// How a shift change's burst of logins keeps every core on Argon2 (the
/// `shared_login` benchmark). Without it, forty logins at once advance
/// breadth first: each of their database steps waits behind the other
/// thirty-nine, so the first PIN check starts tens of milliseconds late,
/// and their writes meet in SQLite's one write lock, whose busy handler
/// sleeps 1–100 ms.
pub struct LoginFlow {
    /// Logins between arriving and having their PIN queued for checking:
    /// enough to keep the PIN threads fed, few enough that each gets
    /// through its steps at once.
    admitting: tokio::sync::Semaphore,
    /// The login's writes, one at a time in this process.
    writing: Arc<tokio::sync::Mutex<()>>,
    /// SQLite: where logins wait to be counted, by `count_admissions`.
    /// PostgreSQL: none; each login counts in its own transaction (the
    /// server already shares one WAL flush among concurrent commits, and
    /// one transaction holding several devices' locks could deadlock with
    /// another instance's).
    admissions: Option<tokio::sync::mpsc::UnboundedSender<Waiting>>,
    /// Where a right login's bookkeeping is written: without a disk sync
    /// of its own (`db::connect_relaxed`: what a crash may lose of it errs
    /// on the safe side). Every attempt is counted on the durable pool.
    bookkeeping: AnyPool,
}

/// A login waiting to be counted, and where its answer goes.
struct Waiting {
    device: String,
    user_key: String,
    limits: (i64, i64, i64),
    answer: tokio::sync::oneshot::Sender<sqlx::Result<people::Admitted>>,
}

/// Most logins one commit counts.
const MOST_PER_COMMIT: usize = 64;

impl LoginFlow {
    /// Starts the admissions' task on SQLite (so: inside the runtime).
    pub fn new(cores: usize, db: &AnyPool, bookkeeping: AnyPool) -> LoginFlow {
        let writing = Arc::new(tokio::sync::Mutex::new(()));
        let admissions = (Backend::of_pool(db) == Backend::Sqlite).then(|| {
            let (queue, waiting) = tokio::sync::mpsc::unbounded_channel();
            tokio::spawn(count_admissions(db.clone(), writing.clone(), waiting));
            queue
        });
        LoginFlow {
            admitting: tokio::sync::Semaphore::new(2 * cores.max(1)),
            writing,
            admissions,
            bookkeeping,
        }
    }

    /// Closes the bookkeeping pool's connections (a graceful stop).
    pub async fn close(&self) {
        self.bookkeeping.close().await;
    }

    /// Counts one login (`people::admit_shared_login`), durably, before
    /// its PIN is checked. On SQLite, whose one writer commits one
    /// transaction at a time, the logins that arrive while a commit
    /// syncs to disk are counted together in the next: group commit, each
    /// login's answer only after the commit that holds it.
    async fn admit(
        &self,
        db: &AnyPool,
        login: people::Admission<'_>,
    ) -> sqlx::Result<people::Admitted> {
        if let Some(queue) = &self.admissions {
            let (answer, answered) = tokio::sync::oneshot::channel();
            let waiting = Waiting {
                device: login.device.to_string(),
                user_key: login.user_key.to_string(),
                limits: login.limits,
                answer,
            };
            if queue.send(waiting).is_ok() {
                return answered.await.map_err(|_| sqlx::Error::WorkerCrashed)?;
            }
        }
        // PostgreSQL, or the admissions' task has ended: alone.
        let _writing = self.writing.lock().await;
        people::admit_shared_login(db, &login).await
    }
}

/// The admissions' task (SQLite): takes the first waiting login and every
/// other already waiting, counts them in one transaction, answers each.
/// Should that transaction fail, each is counted alone, so one login's
/// error is never another's.
async fn count_admissions(
    db: AnyPool,
    writing: Arc<tokio::sync::Mutex<()>>,
    mut waiting: tokio::sync::mpsc::UnboundedReceiver<Waiting>,
) {
    let mut batch = Vec::new();
    while waiting.recv_many(&mut batch, MOST_PER_COMMIT).await > 0 {
        let logins: Vec<people::Admission<'_>> = batch
            .iter()
            .map(|w| people::Admission {
                device: &w.device,
                user_key: &w.user_key,
                limits: w.limits,
            })
            .collect();
        let _writing = writing.lock().await;
        let answers: Vec<sqlx::Result<people::Admitted>> = match people::admit_shared_logins(
            &db, &logins,
        )
        .await
        {
            Ok(answers) => answers.into_iter().map(Ok).collect(),
            Err(error) => {
                tracing::warn!(%error, logins = logins.len(), "counting logins together failed; counting each alone");
                let mut answers = Vec::with_capacity(logins.len());
                for login in &logins {
                    answers.push(people::admit_shared_login(&db, login).await);
                }
                answers
            }
        };
        drop(logins);
        for (w, answer) in batch.drain(..).zip(answers) {
            let _ = w.answer.send(answer);
        }
    }
}

/// Logs a person in on the calling device with user ID + PIN.
#[utoipa::path(
    post,
    path = "/api/v1/shared/sessions",
    request_body = SharedLogin,
    security(("device" = [])),
    responses(
        (status = 201, description = "a short-lived session", body = SharedSession),
        (status = 401, description = "shared.login_failed (never says which was wrong) / device.not_enrolled", body = ErrorBody),
        (status = 403, description = "pin.locked: five wrong for this user ID", body = ErrorBody),
        (status = 429, description = "request.throttled, with Retry-After", body = ErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    device: Device,
    ApiJson(body): ApiJson<SharedLogin>,
) -> ApiResult<(StatusCode, Json<SharedSession>)> {
    let now = Utc::now().timestamp();
    let user_key = secret::user_key(state.pins.pepper(), &body.user_id);
    let admitting = state.logins.admitting.acquire().await;
    let (attempt, tries) = admit(&state, &device, &user_key, now).await?;
    let person = people::for_shared_login(
        &state.db,
        &body.user_id,
        &device.municipality_code,
        &device.unit_id,
    )
    .await?;
    // The same Argon2 work whether or not the user ID exists or has a PIN.
    let stored = person.as_ref().and_then(|p| p.pin_hash.clone());
    let hash = stored.as_deref().unwrap_or(&state.dummy_pin_hash);
    let checked = state.pins.verify(&body.pin, hash);
    drop(admitting);
    let right = checked.await? && stored.is_some();
    let Some(found) = person.clone().filter(|_| right) else {
        tracing::info!(device = %device.id, "shared login failed");
        state.metrics.failed(crate::metrics::Failure::SharedLogin);
        if tries < i64::from(MAX_ATTEMPTS) {
            return Err(failed());
        }
        // Now blocked: the person's open shared sessions end with it.
        if let Some(person) = person {
            people::end_shared_sessions(&state.db, person.person.id, now).await?;
        }
        return Err(blocked());
    };
    // The right person, but is this device theirs? Unless the municipality
    // admits all its staff on every device, only a unit their privileges
    // cover; to an outsider the refusal reads like a wrong PIN, and it
    // counts as one.
    let person = found.person;
    if !found.admitted_here {
        tracing::info!(device = %device.id, person = person.id, "shared login refused: not this unit's");
        let subject = format!("{} on {}", body.user_id.trim(), device.id);
        crate::db::audit(&state.db, Some(person.id), "shared.refused_unit", &subject).await?;
        return Err(if tries < i64::from(MAX_ATTEMPTS) {
            failed()
        } else {
            blocked()
        });
    }
    if person.pin_locked {
        // Only someone who knows the PIN learns this. A right PIN: neither
        // the device nor the user ID is held to it.
        let _writing = state.logins.writing.lock().await;
        people::take_back_device_attempt(&state.db, attempt).await?;
        people::forget_user_id_attempts(&state.db, &user_key).await?;
        return Err(blocked());
    }
    start(&state, &device, person, now, (attempt, &user_key)).await
}

/// Counts the attempt for the device and the user ID before anything is
/// checked, so parallel guesses see each other: the device's attempt
/// handle and the user ID's attempt number. Refused when the device must
/// wait or the user ID is blocked.
async fn admit(
    state: &AppState,
    device: &Device,
    user_key: &str,
    now: i64,
) -> ApiResult<(i64, i64)> {
    let login = people::Admission {
        device: &device.id,
        user_key,
        limits: (now, DEVICE_WINDOW_SECS, DEVICE_MAX_FAILURES),
    };
    let (attempt, tries) = state
        .logins
        .admit(&state.db, login)
        .await?
        .map_err(|wait| {
            tracing::warn!(device = %device.id, "device throttled");
            state.metrics.throttled();
            ApiError::Throttled(u64::try_from(wait).unwrap_or(1))
        })?;
    if tries > i64::from(MAX_ATTEMPTS) {
        return Err(blocked());
    }
    Ok((attempt, tries))
}

/// A new shared session for `person` on `device`, and the right login's
/// `attempt` (the device's handle, the user ID's key) taken back. It
/// leaves the person's own PIN count alone: the lock screen's budget is
/// not refilled here.
async fn start(
    state: &AppState,
    device: &Device,
    mut person: crate::auth::Person,
    now: i64,
    (device_attempt, user_key): (i64, &str),
) -> ApiResult<(StatusCode, Json<SharedSession>)> {
    let token = secret::random_token(32);
    let ttl = i64::try_from(state.shared_session_ttl.as_secs()).unwrap_or(1800);
    let expires_at = now + ttl;
    let token_hash = secret::sha256_hex(&token);
    let session = people::NewSharedSession {
        token_hash: &token_hash,
        device: &device.id,
        person: person.id,
        now,
        expires_at,
    };
    {
        let _writing = state.logins.writing.lock().await;
        let bookkeeping = &state.logins.bookkeeping;
        people::start_after_right_login(bookkeeping, &session, device_attempt, user_key).await?;
    }
    // The session is this device's: `Me` says what it may do.
    person.shared_device = Some(device.id.to_string());
    tracing::info!(device = %device.id, person = person.id, "shared session started");
    let (expires_at, me) = (crate::db::time_of(expires_at), me_of(state, person).await?);
    Ok((
        StatusCode::CREATED,
        Json(SharedSession {
            token,
            expires_at,
            me,
        }),
    ))
}

/// Lifts the shared-login block of a user ID (a new PIN, or an administrator's reset).
pub async fn forget_failures(state: &AppState, user_id: &str) -> ApiResult<()> {
    let user_key = secret::user_key(state.pins.pepper(), user_id);
    Ok(people::forget_user_id_attempts(&state.db, &user_key).await?)
}

/// The session token of the request (`Authorization: Shared <token>`).
pub struct SharedToken(String);

impl FromRequestParts<AppState> for SharedToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        authorization(parts, "Shared ")
            .map(SharedToken)
            .ok_or_else(|| ApiError::client(ErrorCode::InvalidToken, "no shared session"))
    }
}

/// "Log ud" on a shared device: the session ends at once.
#[utoipa::path(
    delete,
    path = "/api/v1/shared/sessions/current",
    security(("shared" = [])),
    responses(
        (status = 204, description = "ended (also when it had already ended)"),
        (status = 401, description = "auth.invalid_token: no session given", body = ErrorBody),
    )
)]
pub async fn logout(
    State(state): State<AppState>,
    SharedToken(token): SharedToken,
) -> ApiResult<StatusCode> {
    sqlx::query(
        "UPDATE shared_sessions SET ended_at = $2 WHERE token_hash = $1 AND ended_at IS NULL",
    )
    .bind(secret::sha256_hex(&token))
    .bind(Utc::now().timestamp())
    .execute(&state.db)
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This area's operations, each registered from its annotation (so what is
/// served and what `/api/openapi.json` says are one list).
pub fn router() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
}
