//! The shell's commands: the bodies of the commands declared in
//! `omsorg_core::ipc`, and the one dispatcher that runs them. The
//! dispatcher applies each command's declared lock policy before its body
//! runs; no body checks the lock itself.

use chrono::Utc;
use omsorg_core::api::{
    AddedSubstituteIds, AuditPage, CprPerson, DeclarationList, DeviceInfo, DeviceList,
    EnrollmentCode, IdGenerator, Me, NewEnrollmentCode, OrderPage, PeopleList, Reservation,
    SubstituteAccessList, SubstituteAccessReceipt, SubstituteAccessSummary, SubstituteIdList,
    UnitRef, UnitSettings,
};
use omsorg_core::bridge::{DeviceStatus, MunicipalityChoice, OrderDraft, SavedExport, SavedPdf};
use omsorg_core::care::{CareStatus, Measurement, MeasurementList, MedicationDay, ResidentList};
use omsorg_core::cpr::Cpr;
use omsorg_core::ipc::{self, Dispatch, LockPolicy, NoArgs};
use omsorg_core::lock::LockState;
use omsorg_core::period::end_on_day;
use omsorg_core::ErrorCode;
use tauri::ipc::{Invoke, InvokeBody};
use tauri::{Manager, Runtime};

use crate::api_client::ApiClient;
use crate::api_client::Auth;
use crate::device;
use crate::error::CommandError;
use crate::orders;
use crate::pin;
use crate::store::Store;
use crate::Shell;

/// A care-record answer; a refused token ends the integration session
/// (the screen then offers "Log ind i Nexus").
async fn care_answer<T>(shell: &Shell, answer: Result<T, CommandError>) -> Result<T, CommandError> {
    if let Err(e) = &answer {
        if e.code == ErrorCode::CareLoginRequired {
            shell.sessions.end_care().await;
        }
    }
    answer
}

/// The invoke handler: a declared command, its lock policy applied, then
/// its body. Anything else is refused before it reaches any code.
pub fn handler<R: Runtime>() -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    |invoke: Invoke<R>| {
        let name = invoke.message.command().to_string();
        let args = match invoke.message.payload() {
            InvokeBody::Json(v) => v.clone(),
            InvokeBody::Raw(_) => serde_json::Value::Null,
        };
        let app = invoke.message.webview().app_handle().clone();
        let resolver = invoke.resolver;
        tauri::async_runtime::spawn(async move {
            let shell = app.state::<Shell>();
            match call(&shell, &name, args).await {
                Ok(value) => resolver.resolve(value),
                Err(e) => resolver.reject(e),
            }
        });
        true
    }
}

/// One command call as the web view makes it: declared, allowed under the
/// lock's present state, with arguments that fit.
pub async fn call(
    shell: &Shell,
    name: &str,
    args: serde_json::Value,
) -> Result<serde_json::Value, CommandError> {
    let Some(policy) = ipc::policy(name) else {
        return Err(CommandError::new(
            ErrorCode::RequestInvalid,
            format!("no such command: {name}"),
        ));
    };
    if policy == LockPolicy::Unlocked {
        shell.lock.guard()?;
    }
    // A missing argument object is an empty one (`invoke("lock_state")`).
    let args = if args.is_null() {
        serde_json::json!({})
    } else {
        args
    };
    let answer = ipc::dispatch(shell, name, args).await.map_err(|e| match e {
        Dispatch::Failed(e) => e,
        Dispatch::Unknown(name) => CommandError::new(
            ErrorCode::RequestInvalid,
            format!("no such command: {name}"),
        ),
        Dispatch::BadArgs(why) => CommandError::new(ErrorCode::RequestInvalid, why),
    });
    if let Err(e) = &answer {
        if e.code.is_refusal() {
            refused(shell, name).await;
        }
    }
    answer
}

/// The backend no longer accepts the person (removed centrally, token
/// refused) in the middle of their session: they are signed out at once,
/// with everything of theirs, not only sent back to the login screen.
async fn refused(shell: &Shell, command: &str) {
    if shell.sessions.shared().await.is_some() {
        device::sign_out(shell, "refused by the backend").await;
    } else if shell.sessions.person().await.is_ok()
        || shell.sessions.has_stored_session().unwrap_or(true)
    {
        tracing::info!(command, "refused by the backend: signing out");
        crate::signout::wipe(shell, "refused by the backend").await;
    }
}

impl ipc::Handlers for Shell {
    type Error = CommandError;

    async fn list_municipalities(&self, _: NoArgs) -> Result<MunicipalityChoice, CommandError> {
        load_municipalities(&self.api, &self.store).await
    }

    async fn get_language(&self, _: NoArgs) -> Result<String, CommandError> {
        Ok(self.store.language()?.unwrap_or_else(|| "da".into()))
    }

    async fn set_language(&self, a: ipc::TagArgs) -> Result<(), CommandError> {
        if !matches!(a.tag.as_str(), "da" | "en") {
            return Err(CommandError::new(
                ErrorCode::RequestInvalid,
                "unknown language",
            ));
        }
        self.store.set_language(&a.tag)?;
        Ok(())
    }

    async fn start_login(&self, a: ipc::CodeArgs) -> Result<Me, CommandError> {
        refuse_on_shared_device(self)?;
        let cancelled = self.sessions.begin_login();
        // Whoever was signed in leaves first, with everything of theirs.
        if self.sessions.person().await.is_ok() {
            crate::signout::wipe(self, "a new login").await;
        }
        let me = self
            .sessions
            .login(
                &self.store,
                &self.api,
                &a.code,
                self.browser.as_ref(),
                cancelled,
            )
            .await?;
        self.lock.begin_unlocked();
        Ok(me)
    }

    async fn cancel_login(&self, _: NoArgs) -> Result<(), CommandError> {
        self.sessions.cancel_login();
        Ok(())
    }

    /// A restarted app with a PIN set starts locked; never the person
    /// themself (that is `current_person`, refused while locked).
    async fn restore_session(&self, _: NoArgs) -> Result<Option<LockState>, CommandError> {
        if device::enrolled(self)? {
            // A shared device has no personal session to restore.
            return Ok(None);
        }
        pin::restore(self).await
    }

    /// The person as the backend sees them now (roles and units change
    /// centrally, at the next token); as last seen when it cannot be asked.
    async fn current_person(&self, _: NoArgs) -> Result<Me, CommandError> {
        let cached = self.sessions.person().await?;
        let Ok(auth @ Auth::Bearer(_)) = self.sessions.access_token(&self.store).await else {
            return Ok(cached);
        };
        match self.api.me(&auth).await {
            Ok(me) => {
                if me != cached {
                    self.sessions.set_person(&self.store, me.clone()).await?;
                }
                Ok(me)
            }
            Err(e) if e.code.is_refusal() => Err(e),
            Err(_) => Ok(cached),
        }
    }

    async fn choose_unit(&self, a: ipc::IdArgs) -> Result<Me, CommandError> {
        let before = self.sessions.person().await?;
        if !before.units.iter().any(|u| u.id == a.id) {
            return Err(CommandError::new(
                ErrorCode::RequestInvalid,
                "not one of your units",
            ));
        }
        let auth = self.sessions.access_token(&self.store).await?;
        self.store.set_acting_unit(&a.id)?;
        self.api.act_for(Some(a.id.clone()));
        let me = self.api.me(&auth).await?;
        self.sessions.set_person(&self.store, me.clone()).await?;
        tracing::info!("acting for another unit");
        Ok(me)
    }

    async fn lock_state(&self, _: NoArgs) -> Result<Option<LockState>, CommandError> {
        Ok(pin::observe(self, self.lock.state()).await)
    }

    async fn report_activity(&self, _: NoArgs) -> Result<Option<LockState>, CommandError> {
        Ok(pin::observe(self, self.lock.activity()).await)
    }

    async fn unlock(&self, a: ipc::PinArgs) -> Result<LockState, CommandError> {
        pin::unlock(self, &a.pin).await
    }

    async fn set_pin(&self, a: ipc::SetPinArgs) -> Result<Me, CommandError> {
        pin::set(self, &a.pin, a.current_pin).await
    }

    async fn sign_out(&self, _: NoArgs) -> Result<(), CommandError> {
        crate::signout::wipe(self, "sign-out").await;
        Ok(())
    }

    /// Checked with the backend: a revoked device answers `None` (and has
    /// forgotten its enrollment).
    async fn device_status(&self, _: NoArgs) -> Result<Option<DeviceStatus>, CommandError> {
        Ok(device::status(self).await?.map(|device| DeviceStatus {
            device,
            admin: self.shared.admin_mode(),
        }))
    }

    async fn enroll_device(&self, a: ipc::CodeArgs) -> Result<DeviceInfo, CommandError> {
        device::enroll(self, &a.code).await
    }

    async fn shared_login(&self, a: ipc::UserPinArgs) -> Result<Me, CommandError> {
        device::login(self, &a.user_id, &a.pin).await
    }

    /// The web view is reset after it. A personal device signs out with
    /// `sign_out`.
    async fn shared_sign_out(&self, _: NoArgs) -> Result<(), CommandError> {
        if !device::enrolled(self)? {
            return Err(CommandError::new(
                ErrorCode::Forbidden,
                "not a shared device",
            ));
        }
        device::sign_out(self, "Log ud").await;
        Ok(())
    }

    async fn device_admin(&self, a: ipc::UserPinArgs) -> Result<(), CommandError> {
        device::enter_admin(self, &a.user_id, &a.pin).await
    }

    async fn leave_device_admin(&self, _: NoArgs) -> Result<(), CommandError> {
        device::leave_admin(self)
    }

    async fn unenroll_device(&self, _: NoArgs) -> Result<(), CommandError> {
        device::unenroll(self).await
    }

    async fn admin_units(&self, _: NoArgs) -> Result<Vec<UnitRef>, CommandError> {
        let auth = admin_auth(self).await?;
        self.api.units(&auth).await
    }

    async fn create_enrollment_code(
        &self,
        a: ipc::NewCodeArgs,
    ) -> Result<EnrollmentCode, CommandError> {
        let auth = admin_auth(self).await?;
        let body = NewEnrollmentCode {
            unit_id: a.unit_id,
            mode: a.mode,
            apartment: a.apartment,
        };
        self.api.create_enrollment_code(&auth, &body).await
    }

    async fn load_order_draft(&self, _: NoArgs) -> Result<Option<OrderDraft>, CommandError> {
        orders::load_draft(self)
    }

    async fn save_order_draft(&self, a: ipc::DraftArgs) -> Result<(), CommandError> {
        orders::save_draft(self, a.draft)
    }

    async fn discard_order_draft(&self, _: NoArgs) -> Result<(), CommandError> {
        orders::discard_draft(self)
    }

    /// A malformed number is refused here, before it leaves the device.
    async fn lookup_cpr(&self, a: ipc::CprArgs) -> Result<CprPerson, CommandError> {
        let auth = orders::auth(self).await?;
        let cpr = Cpr::parse(&a.cpr)?;
        self.api.cpr_lookup(&auth, &cpr.expose_digits()).await
    }

    /// For the substitute the saved draft has looked up: a returning one
    /// gets their earlier user ID when it is available (the backend says).
    async fn reserve_substitute_id(&self, _: NoArgs) -> Result<Reservation, CommandError> {
        let auth = orders::auth(self).await?;
        let cpr = orders::load_draft(self)?
            .filter(|d| d.person.is_some())
            .and_then(|d| Cpr::parse(&d.cpr).ok());
        self.api.reserve(&auth, cpr.as_ref()).await
    }

    async fn submit_order(&self, _: NoArgs) -> Result<SubstituteAccessReceipt, CommandError> {
        orders::submit(self).await
    }

    async fn my_orders(&self, _: NoArgs) -> Result<SubstituteAccessList, CommandError> {
        let auth = orders::auth(self).await?;
        self.api.orders(&auth).await
    }

    async fn end_order(&self, a: ipc::IdArgs) -> Result<SubstituteAccessSummary, CommandError> {
        let auth = orders::auth(self).await?;
        self.api.end_order(&auth, &a.id).await
    }

    async fn extend_order(
        &self,
        a: ipc::ExtendArgs,
    ) -> Result<SubstituteAccessSummary, CommandError> {
        let auth = orders::auth(self).await?;
        let end = end_on_day(
            Utc::now(),
            omsorg_core::danish_time::today(Utc::now()),
            a.day,
        );
        self.api
            .extend_order(&auth, &a.id, &omsorg_core::api::ExtendAccess { end })
            .await
    }

    async fn search_declarations(
        &self,
        a: ipc::QueryArgs,
    ) -> Result<DeclarationList, CommandError> {
        let auth = admin_auth(self).await?;
        if !a.query.cpr.trim().is_empty() {
            Cpr::parse(&a.query.cpr)?;
        }
        self.api.declarations(&auth, &a.query).await
    }

    async fn open_declaration(&self, a: ipc::IdArgs) -> Result<SavedPdf, CommandError> {
        let auth = admin_auth(self).await?;
        orders::open_declaration(self, &auth, &a.id).await
    }

    async fn substitute_ids(&self, _: NoArgs) -> Result<SubstituteIdList, CommandError> {
        let auth = admin_auth(self).await?;
        self.api.substitute_ids(&auth).await
    }

    async fn add_substitute_ids(
        &self,
        a: ipc::RangeArgs,
    ) -> Result<AddedSubstituteIds, CommandError> {
        let auth = admin_auth(self).await?;
        a.range
            .user_ids()
            .map_err(|why| CommandError::new(ErrorCode::RequestInvalid, why))?;
        self.api.add_substitute_ids(&auth, &a.range).await
    }

    async fn admin_people(&self, a: ipc::SearchArgs) -> Result<PeopleList, CommandError> {
        let auth = admin_auth(self).await?;
        self.api.people(&auth, &a.q).await
    }

    async fn reset_pin(&self, a: ipc::IdArgs) -> Result<(), CommandError> {
        let auth = admin_auth(self).await?;
        self.api.reset_pin(&auth, &a.id).await
    }

    async fn admin_devices(&self, _: NoArgs) -> Result<DeviceList, CommandError> {
        let auth = admin_auth(self).await?;
        self.api.devices(&auth).await
    }

    async fn revoke_device(&self, a: ipc::IdArgs) -> Result<(), CommandError> {
        let auth = admin_auth(self).await?;
        self.api.revoke_device(&auth, &a.id).await
    }

    async fn audit_log(&self, a: ipc::AuditArgs) -> Result<AuditPage, CommandError> {
        let auth = admin_auth(self).await?;
        self.api.audit(&auth, &a.query).await
    }

    async fn export_audit(&self, a: ipc::AuditExportArgs) -> Result<SavedExport, CommandError> {
        let auth = admin_auth(self).await?;
        let bytes = self.api.export(&auth, "audit", &a.query, a.format).await?;
        crate::exports::save(self, "omsorg-revisionslog", a.format, &bytes)
    }

    async fn release_reservation(&self, a: ipc::IdArgs) -> Result<(), CommandError> {
        let auth = admin_auth(self).await?;
        self.api.release_reservation(&auth, &a.id).await
    }

    async fn id_generator(&self, _: NoArgs) -> Result<IdGenerator, CommandError> {
        let auth = admin_auth(self).await?;
        self.api.id_generator(&auth).await
    }

    /// A prefix or count outside the rules is refused here, before it is sent.
    async fn set_id_generator(&self, a: ipc::GeneratorArgs) -> Result<IdGenerator, CommandError> {
        let auth = admin_auth(self).await?;
        a.generator
            .check()
            .map_err(|why| CommandError::new(ErrorCode::RequestInvalid, why))?;
        self.api.set_id_generator(&auth, &a.generator).await
    }

    async fn care_status(&self, _: NoArgs) -> Result<CareStatus, CommandError> {
        self.sessions.person().await?;
        Ok(self.sessions.care_status(Utc::now()).await)
    }

    async fn care_login(&self, _: NoArgs) -> Result<CareStatus, CommandError> {
        let me = self.sessions.person().await?;
        // Not on a shared device: the system browser would keep the
        // person's KOMBIT session for whoever uses the tablet next
        // (ARCHITECTURE.md, "The care record").
        if self.sessions.shared().await.is_some() {
            return Err(CommandError::new(
                ErrorCode::Forbidden,
                "the care record's login is for personal devices",
            ));
        }
        let auth = self.sessions.access_token(&self.store).await?;
        let settings = self.api.care_record(&auth).await?;
        self.sessions
            .care_login(settings, Some(me.municipality_code), self.browser.as_ref())
            .await
    }

    async fn care_residents(&self, _: NoArgs) -> Result<ResidentList, CommandError> {
        let (token, mut settings) = self.sessions.care(Utc::now()).await?;
        // The acting unit may have changed since the login: its organization now.
        let auth = self.sessions.access_token(&self.store).await?;
        let now = self.api.care_record(&auth).await?;
        if (&now.issuer, &now.resource, &now.fhir_base)
            != (&settings.issuer, &settings.resource, &settings.fhir_base)
        {
            self.sessions.end_care().await;
            return Err(CommandError::new(
                ErrorCode::CareLoginRequired,
                "the unit's care record is another",
            ));
        }
        settings.organization = now.organization;
        care_answer(self, self.care.residents(&settings, &token).await).await
    }

    async fn care_medication(&self, a: ipc::IdArgs) -> Result<MedicationDay, CommandError> {
        let (token, settings) = self.sessions.care(Utc::now()).await?;
        care_answer(self, self.care.medication(&settings, &token, &a.id).await).await
    }

    async fn care_measurements(&self, a: ipc::IdArgs) -> Result<MeasurementList, CommandError> {
        let (token, settings) = self.sessions.care(Utc::now()).await?;
        care_answer(self, self.care.measurements(&settings, &token, &a.id).await).await
    }

    async fn register_measurement(
        &self,
        a: ipc::MeasurementArgs,
    ) -> Result<Measurement, CommandError> {
        // An implausible value is refused before anything is sent, with or
        // without a live care-record session.
        omsorg_core::care::measure::parse(&a.input)
            .map_err(|p| CommandError::new(ErrorCode::MeasurementInvalid, format!("{p:?}")))?;
        let (token, settings) = self.sessions.care(Utc::now()).await?;
        let registered = self
            .care
            .register(&settings, &token, &a.resident, &a.input, &a.key, Utc::now())
            .await;
        care_answer(self, registered).await
    }

    async fn admin_orders(&self, a: ipc::OrderQueryArgs) -> Result<OrderPage, CommandError> {
        let auth = admin_auth(self).await?;
        self.api.unit_orders(&auth, &a.query).await
    }

    async fn export_orders(&self, a: ipc::OrderExportArgs) -> Result<SavedExport, CommandError> {
        let auth = admin_auth(self).await?;
        let bytes = self.api.export(&auth, "orders", &a.query, a.format).await?;
        crate::exports::save(self, "omsorg-bestillinger", a.format, &bytes)
    }

    async fn unit_settings(&self, _: NoArgs) -> Result<Vec<UnitSettings>, CommandError> {
        let auth = admin_auth(self).await?;
        self.api.unit_settings(&auth).await
    }

    /// A period outside SPEC's bounds is refused here, before it is sent.
    async fn set_unit_settings(
        &self,
        a: ipc::UnitSettingsArgs,
    ) -> Result<UnitSettings, CommandError> {
        let auth = admin_auth(self).await?;
        let p = a.change.period;
        omsorg_core::period::PeriodPolicy::new(p.default_days, p.max_days)
            .map_err(|e| CommandError::new(ErrorCode::RequestInvalid, e.to_string()))?;
        self.api.set_unit_settings(&auth, &a.id, &a.change).await
    }
}

/// KOMBIT is for personal devices; a shared one offers user ID + PIN only.
fn refuse_on_shared_device(shell: &Shell) -> Result<(), CommandError> {
    if device::enrolled(shell)? {
        return Err(CommandError::new(
            ErrorCode::Forbidden,
            "a shared device has no KOMBIT login",
        ));
    }
    Ok(())
}

/// The administrator's KOMBIT session on a personal device (a shared
/// session never administers; the backend refuses it too).
async fn admin_auth(shell: &Shell) -> Result<Auth, CommandError> {
    match shell.sessions.access_token(&shell.store).await? {
        auth @ Auth::Bearer(_) => Ok(auth),
        _ => Err(CommandError::new(
            ErrorCode::Forbidden,
            "administration needs a KOMBIT login on a personal device",
        )),
    }
}

/// The live list (cached for next time), or, when the backend cannot be
/// reached, the cached list marked with when it was fetched.
pub async fn load_municipalities(
    api: &ApiClient,
    store: &Store,
) -> Result<MunicipalityChoice, CommandError> {
    let last_choice = store.last_municipality()?;
    match api.municipalities().await {
        Ok(list) => {
            store.cache_municipalities(&list, Utc::now())?;
            Ok(MunicipalityChoice {
                municipalities: list,
                cached_at: None,
                last_choice,
            })
        }
        Err(e) if e.code.is_offline() => match store.cached_municipalities()? {
            Some((list, at)) => Ok(MunicipalityChoice {
                municipalities: list,
                cached_at: Some(at),
                last_choice,
            }),
            None => Err(e),
        },
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests;
