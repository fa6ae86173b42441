//! Bodies of the backend's v1 HTTP contract (SPEC.md, "API contract, v1").

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

mod audit;
mod devices;
mod orders;
pub use audit::*;
pub use devices::*;
pub use orders::*;

/// A municipality with KOMBIT login enabled, as `GET /api/v1/municipalities` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Municipality {
    /// The municipality number, e.g. "101" for København.
    pub code: String,
    pub name: String,
    /// The OpenID Provider the app logs in with for this municipality.
    pub issuer: String,
    /// Passed to the provider so its broker picks the municipality (e.g. as `login_hint`).
    pub hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MunicipalityList {
    pub municipalities: Vec<Municipality>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Staff,
    /// Orders substitutes' temporary access (where the unit allows it).
    Orderer,
    Administrator,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitRef {
    pub id: String,
    pub name: String,
}

/// `GET /api/v1/me`: the signed-in person as the backend knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    /// The short user ID used on shared tablets and wall screens.
    pub user_id: String,
    pub name: String,
    pub municipality_code: String,
    /// The unit the person acts for now (orders are its orders); one of
    /// `units`. Chosen per device with the `Omsorg-Unit` request header.
    pub unit: Option<UnitRef>,
    /// Every unit the person's KOMBIT privileges cover (sub-units included),
    /// top-level units first.
    #[serde(default)]
    pub units: Vec<UnitRef>,
    pub roles: Vec<Role>,
    pub has_pin: bool,
    /// Five wrong PINs locked it: a new one must be set (needs a fresh KOMBIT login).
    #[serde(default)]
    pub pin_locked: bool,
    pub may_order_substitutes: bool,
    /// The deployment's minimum PIN length (4–8): the PIN setup screen, the
    /// shell and the backend apply the same policy with it.
    #[serde(default = "crate::pin::default_min_len")]
    pub pin_min_len: u8,
    /// The acting unit's default and longest access period (SPEC's 3 and
    /// 30 unless its administrator chose less).
    #[serde(default)]
    pub period: crate::period::PeriodPolicy,
}

/// `GET /api/v1/admin/people`: a person of the administrator's
/// municipality as KOMBIT provisioned them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonSummary {
    pub user_id: String,
    pub name: String,
    /// The units their privileges cover.
    pub units: Vec<UnitRef>,
    pub roles: Vec<Role>,
    pub has_pin: bool,
    /// Five wrong PINs: at the lock screen (the PIN is locked) or for the
    /// user ID on shared devices. An administrator's reset unblocks both.
    pub pin_blocked: bool,
    /// Their last KOMBIT login, as their last token says.
    pub last_login: Option<DateTime<Utc>>,
}

/// `GET /api/v1/admin/people`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeopleList {
    pub people: Vec<PersonSummary>,
    /// More matched than are listed: search more narrowly.
    pub more: bool,
}

/// `GET /api/v1/admin/unit-settings`: a unit as its administrators configure it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitSettings {
    pub id: String,
    pub name: String,
    /// The unit it is part of (none: a top-level unit).
    pub parent_id: Option<String>,
    /// The nearest manager, as the org directory names them.
    pub manager_name: Option<String>,
    pub may_order_substitutes: bool,
    /// The unit's default and longest access period.
    pub period: crate::period::PeriodPolicy,
    /// The systems (directory groups) its substitutes get.
    #[serde(default)]
    pub groups: Vec<String>,
}

/// `PUT /api/v1/admin/unit-settings/{id}`: the settings an administrator changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UnitSettingsChange {
    pub may_order_substitutes: bool,
    pub period: crate::period::PeriodPolicy,
    /// The systems its substitutes get (`groups::template`); none: as
    /// they are.
    #[serde(default)]
    pub groups: Option<Vec<String>>,
}

/// The request header naming the unit a person with several acts for.
pub const UNIT_HEADER: &str = "omsorg-unit";

/// `PUT /api/v1/me/pin`: `current_pin` is required to change an existing,
/// unlocked PIN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetPin {
    pub pin: String,
    #[serde(default)]
    pub current_pin: Option<String>,
}

/// `POST /api/v1/me/pin/verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerifyPin {
    pub pin: String,
}

/// `GET /api/v1/admin/units`: the units of the administrator's municipality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitList {
    pub units: Vec<UnitRef>,
}

/// `POST /api/v1/cpr/lookup`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CprLookup {
    /// DDMMYY-SSSS or ten digits.
    pub cpr: String,
}

/// The register's answer, for the orderer to confirm against the ID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CprPerson {
    pub name: String,
    /// `DDMMYY-XXXX`.
    pub cpr_masked: String,
    pub birth_date: chrono::NaiveDate,
    /// They have been a substitute in this municipality before.
    #[serde(default)]
    pub returning: Option<Returning>,
}

/// A substitute who had access in the municipality before (found by the
/// CPR number's keyed hash among orders not yet erased by retention).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Returning {
    /// The user ID of their latest access.
    pub user_id: String,
    /// It can be theirs again: free, or still archived from their own
    /// access (an ID is never given to someone else in its quarantine).
    pub user_id_available: bool,
    /// They have a live access until then: no second one; extend that.
    pub active_until: Option<DateTime<Utc>>,
}

/// `POST /api/v1/substitute-ids/reservations` (a body is optional): with
/// the substitute's CPR number, their earlier user ID when it is available.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct NewReservation {
    pub cpr: Option<String>,
}

impl std::fmt::Debug for NewReservation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewReservation")
            .field("cpr", &self.cpr.as_ref().map(|_| "<hidden>"))
            .finish()
    }
}

/// `POST /api/v1/substitute-ids/reservations`: a substitute user ID held for
/// the orderer until `reserved_until`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reservation {
    pub user_id: String,
    pub reserved_until: DateTime<Utc>,
    /// The substitute's user ID from before.
    #[serde(default)]
    pub same_as_before: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SubstituteIdState {
    Free,
    Reserved,
    InUse,
    Archived,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubstituteId {
    pub user_id: String,
    pub state: SubstituteIdState,
    pub reserved_until: Option<DateTime<Utc>>,
    /// An archived ID: when its quarantine ends and it is free again.
    #[serde(default)]
    pub free_again_at: Option<DateTime<Utc>>,
}

/// `GET /api/v1/admin/substitute-ids`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubstituteIdList {
    pub ids: Vec<SubstituteId>,
}

/// `POST /api/v1/admin/substitute-ids`: `prefix` + `from`..=`to`, e.g.
/// "vik", 51, 60 → vik051 … vik060.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewSubstituteIds {
    pub prefix: String,
    pub from: u32,
    pub to: u32,
}

/// At most this many IDs in one range.
pub const MAX_SUBSTITUTE_ID_RANGE: u32 = 500;

impl NewSubstituteIds {
    /// The user IDs the range stands for, or why it is refused: a prefix of
    /// 1–8 lower-case letters a–z, `from` ≤ `to` ≤ 99999, at most 500 IDs.
    /// Numbers are zero-padded to three digits (or as many as `to` has).
    pub fn user_ids(&self) -> Result<Vec<String>, &'static str> {
        let p = &self.prefix;
        if p.is_empty() || p.len() > 8 || !p.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err("the prefix is 1 to 8 letters a–z");
        }
        if self.from > self.to || self.to > 99_999 {
            return Err("the range runs from a number to a larger one, at most 99999");
        }
        if self.to - self.from >= MAX_SUBSTITUTE_ID_RANGE {
            return Err("at most 500 user IDs at a time");
        }
        let width = self.to.to_string().len().max(3);
        Ok((self.from..=self.to)
            .map(|n| format!("{p}{n:0width$}"))
            .collect())
    }
}

/// `GET`/`PUT /api/v1/admin/substitute-ids/generator`: keep at least
/// `min_free` user IDs free by adding `prefix` + the next numbers (as
/// OS2vikar does); `min_free` 0: no generator.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IdGenerator {
    pub prefix: String,
    pub min_free: u32,
}

/// A generator keeps at most this many IDs free.
pub const MAX_MIN_FREE: u32 = 200;

impl IdGenerator {
    /// The prefix as a range's (1–8 letters a–z) and `min_free` at most
    /// `MAX_MIN_FREE`.
    pub fn check(&self) -> Result<(), &'static str> {
        if self.min_free > MAX_MIN_FREE {
            return Err("at most 200 free user IDs are kept");
        }
        if self.min_free == 0 {
            return Ok(());
        }
        NewSubstituteIds {
            prefix: self.prefix.clone(),
            from: 1,
            to: 1,
        }
        .user_ids()
        .map(drop)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddedSubstituteIds {
    pub added: u32,
}

/// The photo ID the orderer saw (SPEC C4 step 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IdDocument {
    Sundhedskort,
    Pas,
    Koerekort,
    Opholdskort,
}

/// `POST /api/v1/substitute-accesses` (with an `Idempotency-Key` header).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewSubstituteAccess {
    /// DDMMYY-SSSS; checked again, looked up again.
    pub cpr: String,
    /// The name the orderer confirmed from the lookup; must still match.
    pub confirmed_name: String,
    pub id_document: IdDocument,
    /// Default: 3 days from submission; at most 30.
    #[serde(default)]
    pub end: Option<DateTime<Utc>>,
    /// The substitute user ID the orderer reserved.
    pub user_id: String,
    /// The declaration version the substitute read and signed.
    pub declaration_version: String,
    /// The signature as a PNG, base64.
    pub signature_png: String,
    /// The temporary-work agency (vikarbureau), if the substitute comes
    /// from one (`wizard::agency_of`).
    #[serde(default)]
    pub agency: Option<String>,
}

impl std::fmt::Debug for NewSubstituteAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSubstituteAccess")
            .field("cpr", &"<hidden>")
            .field("user_id", &self.user_id)
            .field("end", &self.end)
            .finish_non_exhaustive()
    }
}

/// The receipt: shown once to the orderer and the substitute.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubstituteAccessReceipt {
    pub id: String,
    pub user_id: String,
    pub substitute_name: String,
    /// One-time: the substitute must change it at first login. Only in the
    /// first answer and in replays within a short window after it (a lost
    /// answer); `null` after that, for good.
    #[serde(default)]
    pub initial_password: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The systems (directory groups) the substitute has access to: the
    /// orderer's unit's template when the order was made.
    #[serde(default)]
    pub systems: Vec<String>,
}

impl std::fmt::Debug for SubstituteAccessReceipt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubstituteAccessReceipt")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .field("initial_password", &"<hidden>")
            .field("ends_at", &self.ends_at)
            .finish_non_exhaustive()
    }
}

/// One order as orderers and administrators see it (the CPR number masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubstituteAccessSummary {
    pub id: String,
    pub user_id: String,
    pub substitute_name: String,
    /// `DDMMYY-XXXX`.
    pub cpr_masked: String,
    pub orderer_name: String,
    pub unit: Option<UnitRef>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Set once the access is over (at its end, or ended early).
    pub ended_at: Option<DateTime<Utc>>,
    pub state: OrderState,
    /// The temporary-work agency, when there is one.
    #[serde(default)]
    pub agency: Option<String>,
}

/// `GET /api/v1/substitute-accesses`: the caller's orders; an
/// administrator's municipality's, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubstituteAccessList {
    pub accesses: Vec<SubstituteAccessSummary>,
}

/// `POST /api/v1/substitute-accesses/{id}/extend`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExtendAccess {
    /// Within 30 days of the access's start, in the future.
    pub end: DateTime<Utc>,
}

/// One signed declaration, as `GET /api/v1/declarations` finds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeclarationSummary {
    pub access_id: String,
    pub substitute_name: String,
    /// `DDMMYY-XXXX`.
    pub cpr_masked: String,
    pub user_id: String,
    pub unit: Option<UnitRef>,
    pub orderer_name: String,
    pub signed_at: DateTime<Utc>,
    pub declaration_version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeclarationList {
    pub declarations: Vec<DeclarationSummary>,
}

/// Case- and accent-insensitive search used by the municipality picker:
/// "kob", "Køb" and "101" all find København.
pub fn municipality_matches(m: &Municipality, query: &str) -> bool {
    let q = fold(query.trim());
    q.is_empty() || fold(&m.name).contains(&q) || m.code.starts_with(query.trim())
}

fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match c {
            'æ' => out.push_str("ae"),
            'ø' | 'ö' => out.push('o'),
            'å' | 'ä' | 'á' | 'à' => out.push('a'),
            'é' | 'è' | 'ë' => out.push('e'),
            'ü' => out.push('u'),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitute_id_ranges_are_padded_and_bounded() {
        let r = |prefix: &str, from, to| {
            NewSubstituteIds {
                prefix: prefix.into(),
                from,
                to,
            }
            .user_ids()
        };
        assert_eq!(r("vik", 51, 53).unwrap(), ["vik051", "vik052", "vik053"]);
        assert_eq!(r("vik", 999, 1000).unwrap(), ["vik0999", "vik1000"]);
        assert_eq!(r("x", 7, 7).unwrap(), ["x007"]);
        assert_eq!(r("vik", 1, 500).unwrap().len(), 500);
        for (prefix, from, to) in [
            ("", 1, 2),
            ("VIK", 1, 2),
            ("vik1", 1, 2),
            ("vikarvikar", 1, 2),
            ("vik", 5, 4),
            ("vik", 1, 501),
            ("vik", 99_999, 100_000),
        ] {
            assert!(r(prefix, from, to).is_err(), "{prefix} {from} {to}");
        }
    }

    fn m(code: &str, name: &str) -> Municipality {
        Municipality {
            code: code.into(),
            name: name.into(),
            issuer: "https://idp.example".into(),
            hint: None,
        }
    }

    #[test]
    fn search_finds_by_name_and_code_regardless_of_case_and_danish_letters() {
        let kbh = m("101", "København");
        let aarhus = m("751", "Aarhus");
        const CASES: &[(&str, bool, bool)] = &[
            ("", true, true),
            ("  ", true, true),
            ("køb", true, false),
            ("KØB", true, false),
            ("kob", true, false),
            ("aar", false, true),
            ("hus", false, true),
            ("10", true, false),
            ("751", false, true),
            ("01", false, false),
            ("odense", false, false),
        ];
        for (q, want_kbh, want_aarhus) in CASES {
            assert_eq!(
                municipality_matches(&kbh, q),
                *want_kbh,
                "query {q:?} København"
            );
            assert_eq!(
                municipality_matches(&aarhus, q),
                *want_aarhus,
                "query {q:?} Aarhus"
            );
        }
    }
}

/// `POST /api/v1/declarations/search`'s filters, as the app sends them and
/// the backend reads them (one definition; unknown filters are refused).
/// Empty or blank fields are no filter. A body, never a query string: a
/// CPR number or a name must not end up in a URL (and so in logs).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct DeclarationQuery {
    /// Part of the substitute's name (`%` and `_` are letters, not wildcards).
    pub name: String,
    /// The substitute user ID.
    pub user_id: String,
    /// The ordering unit.
    pub unit_id: String,
    /// Signed on this day (YYYY-MM-DD, Danish time).
    pub date: String,
    /// The exact CPR number.
    pub cpr: String,
}

impl std::fmt::Debug for DeclarationQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Which filters, never their values (a CPR number, a name).
        let given: Vec<&str> = self.given().into_iter().map(|(k, _)| k).collect();
        f.debug_struct("DeclarationQuery")
            .field("given", &given)
            .finish()
    }
}

impl DeclarationQuery {
    /// The filters given, trimmed, as (name, value) pairs.
    pub fn given(&self) -> Vec<(&'static str, &str)> {
        [
            ("name", &self.name),
            ("user_id", &self.user_id),
            ("unit_id", &self.unit_id),
            ("date", &self.date),
            ("cpr", &self.cpr),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.trim()))
        .filter(|(_, v)| !v.is_empty())
        .collect()
    }

    /// One filter's value, trimmed; `None` when not given.
    pub fn get(&self, filter: &str) -> Option<&str> {
        self.given()
            .into_iter()
            .find(|(k, _)| *k == filter)
            .map(|(_, v)| v)
    }
}
