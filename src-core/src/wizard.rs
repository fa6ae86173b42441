//! The substitute-access wizard's rules (SPEC C4): what each step needs
//! before the next, and what a draft needs before it is sent. One
//! definition, used by the wizard's step gating and by the shell before it
//! sends; the backend checks everything again.

use chrono::{DateTime, NaiveDate, Utc};

use crate::bridge::OrderDraft;
use crate::cpr::{Cpr, CprError};
use crate::period::{AccessPeriod, PeriodError};
use crate::signature::is_signed;

/// Who may order substitute access (SPEC C4): people with the orderer role
/// (KOMBIT's user-system role "bestiller") acting for a unit that allows it
/// (each workplace decides), and only with their own KOMBIT login on a
/// personal device. A shared device's session (user ID + PIN on a tablet anyone in
/// the apartment uses) never orders: the orderer vouches for the photo ID
/// check and handles a CPR number, which needs the stronger login. The
/// backend, the shell and the UI all ask this.
pub fn may_order(is_orderer: bool, unit_may_order: bool, shared_device: bool) -> bool {
    !shared_device && is_orderer && unit_may_order
}

/// The wizard's steps, in order ("Trin 1 af 6" … "Trin 6 af 6").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WizardStep {
    /// The orderer has seen the substitute's photo ID.
    PhotoId = 0,
    /// The CPR number, and the register's name confirmed against the ID.
    Person = 1,
    Period = 2,
    /// A substitute user ID reserved for this order.
    UserId = 3,
    /// The confidentiality declaration signed on the pad.
    Declaration = 4,
    /// Everything shown once more before sending.
    Review = 5,
}

impl WizardStep {
    pub const ALL: [WizardStep; 6] = [
        WizardStep::PhotoId,
        WizardStep::Person,
        WizardStep::Period,
        WizardStep::UserId,
        WizardStep::Declaration,
        WizardStep::Review,
    ];

    /// The step a draft's `step` number shows (beyond the last: the last).
    pub fn of(n: u8) -> WizardStep {
        WizardStep::ALL[usize::from(n).min(5)]
    }

    pub fn number(self) -> u8 {
        self as u8
    }
}

/// An agency's name is at most this many characters.
pub const AGENCY_MAX_CHARS: usize = 80;

/// The agency as typed: trimmed, `None` when blank; `Err` for more than
/// `AGENCY_MAX_CHARS` or control characters. The shell and the backend
/// read it the same way.
pub fn agency_of(typed: &str) -> Result<Option<String>, AgencyError> {
    let name = typed.trim();
    if name.chars().count() > AGENCY_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(AgencyError);
    }
    Ok((!name.is_empty()).then(|| name.to_string()))
}

/// Not an agency's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgencyError;

impl std::fmt::Display for AgencyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "an agency is at most {AGENCY_MAX_CHARS} characters of text"
        )
    }
}

/// What a step still lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftGap {
    NoPhotoId,
    Cpr(CprError),
    /// No name from the register, or not confirmed against the photo ID.
    NameNotConfirmed,
    Period(PeriodError),
    NoReservation,
    /// The reservation ran out before the order was sent.
    ReservationExpired,
    NotSigned,
    /// The substitute has a live access in the municipality: extend it.
    AlreadyActive,
    /// The agency's name is too long or not text.
    Agency,
}

impl std::fmt::Display for DraftGap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DraftGap::NoPhotoId => f.write_str("no photo ID was recorded"),
            DraftGap::Cpr(e) => write!(f, "{e}"),
            DraftGap::NameNotConfirmed => {
                f.write_str("the name from the register is not confirmed")
            }
            DraftGap::Period(e) => write!(f, "{e}"),
            DraftGap::NoReservation => f.write_str("no user ID is reserved"),
            DraftGap::ReservationExpired => f.write_str("the user ID's reservation ran out"),
            DraftGap::NotSigned => f.write_str("the declaration is not signed"),
            DraftGap::AlreadyActive => f.write_str("the substitute has a live access already"),
            DraftGap::Agency => write!(f, "{AgencyError}"),
        }
    }
}

impl std::error::Error for DraftGap {}

impl DraftGap {
    /// The code the app answers with.
    pub fn code(self) -> crate::ErrorCode {
        match self {
            DraftGap::Cpr(e) => e.code(),
            DraftGap::Period(e) => e.code(),
            DraftGap::AlreadyActive => crate::ErrorCode::SubstituteAlreadyActive,
            _ => crate::ErrorCode::RequestInvalid,
        }
    }
}

impl OrderDraft {
    /// Whether `step`'s input is complete, as of `now` (local date `today`).
    pub fn check_step(
        &self,
        step: WizardStep,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<(), DraftGap> {
        match step {
            WizardStep::PhotoId => self.id_document.map(drop).ok_or(DraftGap::NoPhotoId),
            WizardStep::Person => {
                Cpr::parse(&self.cpr).map_err(DraftGap::Cpr)?;
                match &self.person {
                    // One live access per person (the backend holds to it).
                    Some(p)
                        if p.returning
                            .as_ref()
                            .is_some_and(|r| r.active_until.is_some_and(|t| t > now)) =>
                    {
                        Err(DraftGap::AlreadyActive)
                    }
                    Some(_) if self.name_confirmed => Ok(()),
                    _ => Err(DraftGap::NameNotConfirmed),
                }
            }
            WizardStep::Period => {
                agency_of(&self.agency).map_err(|_| DraftGap::Agency)?;
                self.period(now, today).map(drop).map_err(DraftGap::Period)
            }
            WizardStep::UserId => match &self.reservation {
                None => Err(DraftGap::NoReservation),
                Some(r) if r.reserved_until <= now => Err(DraftGap::ReservationExpired),
                Some(_) => Ok(()),
            },
            WizardStep::Declaration if is_signed(&self.strokes) => Ok(()),
            WizardStep::Declaration => Err(DraftGap::NotSigned),
            // The review shows the signature as the image that is sent.
            WizardStep::Review => match &self.signature_png {
                Some(png) if !png.is_empty() => Ok(()),
                _ => Err(DraftGap::NotSigned),
            },
        }
    }

    /// The whole draft, ready to send: the first step that is not, and why.
    pub fn check(
        &self,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<AccessPeriod, (WizardStep, DraftGap)> {
        for step in WizardStep::ALL {
            self.check_step(step, now, today)
                .map_err(|gap| (step, gap))?;
        }
        self.period(now, today)
            .map_err(|e| (WizardStep::Period, DraftGap::Period(e)))
    }

    /// The period the draft asks for, as it would be if sent at `now`.
    pub fn period(
        &self,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<AccessPeriod, PeriodError> {
        AccessPeriod::on_day_at(now, today, self.end_day, self.end_time, self.period_policy)
    }
}

/// A complete draft, for tests here and in the shell (feature `fixtures`).
#[cfg(any(test, feature = "fixtures"))]
pub mod fixture {
    use chrono::{DateTime, NaiveDate, Utc};

    use crate::api::{CprPerson, IdDocument, Reservation};
    use crate::bridge::{OrderDraft, PadPoint, PadStroke};

    /// A signature of one stroke long enough to count as signed.
    pub fn signed() -> Vec<PadStroke> {
        let points = (0..40)
            .map(|i| PadPoint {
                x: i as f32 / 40.0,
                y: if i % 2 == 0 { 0.2 } else { 0.6 },
                t: f64::from(i) * 10.0,
            })
            .collect();
        vec![PadStroke { points }]
    }

    /// Every step done, at the review, vik001 reserved until `reserved_until`.
    pub fn complete(reserved_until: DateTime<Utc>) -> OrderDraft {
        OrderDraft {
            step: 5,
            id_document: Some(IdDocument::Pas),
            cpr: "010190-1234".into(),
            person: Some(CprPerson {
                name: "Sofie Vikar Jensen".into(),
                cpr_masked: "010190-XXXX".into(),
                birth_date: NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
                returning: None,
            }),
            name_confirmed: true,
            end_day: None,
            end_time: None,
            agency: String::new(),
            reservation: Some(Reservation {
                user_id: "vik001".into(),
                reserved_until,
                same_as_before: false,
            }),
            declaration_version: "2026-1".into(),
            strokes: signed(),
            signature_png: Some("iVBORw0KGgo=".into()),
            period_policy: Default::default(),
            revision: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Reservation;
    use chrono::Duration;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T09:30:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn complete() -> OrderDraft {
        fixture::complete(now() + Duration::minutes(30))
    }

    /// Each gap, the step that reports it first, and its code.
    #[test]
    fn each_missing_piece_stops_the_step_that_needs_it() {
        let today = now().date_naive();
        assert!(complete().check(now(), today).is_ok());
        let cases: Vec<(OrderDraft, WizardStep, DraftGap)> = vec![
            (
                OrderDraft {
                    id_document: None,
                    ..complete()
                },
                WizardStep::PhotoId,
                DraftGap::NoPhotoId,
            ),
            (
                OrderDraft {
                    cpr: "3213901234".into(),
                    ..complete()
                },
                WizardStep::Person,
                DraftGap::Cpr(Cpr::parse("3213901234").unwrap_err()),
            ),
            (
                OrderDraft {
                    name_confirmed: false,
                    ..complete()
                },
                WizardStep::Person,
                DraftGap::NameNotConfirmed,
            ),
            (
                OrderDraft {
                    person: None,
                    ..complete()
                },
                WizardStep::Person,
                DraftGap::NameNotConfirmed,
            ),
            (
                {
                    let mut d = complete();
                    if let Some(p) = d.person.as_mut() {
                        p.returning = Some(crate::api::Returning {
                            user_id: "vik007".into(),
                            user_id_available: false,
                            active_until: Some(now() + Duration::days(2)),
                        });
                    }
                    d
                },
                WizardStep::Person,
                DraftGap::AlreadyActive,
            ),
            (
                OrderDraft {
                    end_day: Some(today + Duration::days(31)),
                    ..complete()
                },
                WizardStep::Period,
                DraftGap::Period(PeriodError::TooLong),
            ),
            (
                OrderDraft {
                    end_day: Some(today),
                    ..complete()
                },
                WizardStep::Period,
                DraftGap::Period(PeriodError::InPast),
            ),
            (
                OrderDraft {
                    agency: "x".repeat(AGENCY_MAX_CHARS + 1),
                    ..complete()
                },
                WizardStep::Period,
                DraftGap::Agency,
            ),
            (
                OrderDraft {
                    // The last day, later in the day than now: past the cap.
                    end_day: Some(today + Duration::days(30)),
                    end_time: Some(chrono::NaiveTime::from_hms_opt(23, 59, 0).unwrap()),
                    ..complete()
                },
                WizardStep::Period,
                DraftGap::Period(PeriodError::TooLong),
            ),
            (
                OrderDraft {
                    reservation: None,
                    ..complete()
                },
                WizardStep::UserId,
                DraftGap::NoReservation,
            ),
            (
                OrderDraft {
                    reservation: Some(Reservation {
                        user_id: "vik001".into(),
                        reserved_until: now(),
                        same_as_before: false,
                    }),
                    ..complete()
                },
                WizardStep::UserId,
                DraftGap::ReservationExpired,
            ),
            (
                OrderDraft {
                    strokes: vec![],
                    ..complete()
                },
                WizardStep::Declaration,
                DraftGap::NotSigned,
            ),
            (
                OrderDraft {
                    signature_png: Some(String::new()),
                    ..complete()
                },
                WizardStep::Review,
                DraftGap::NotSigned,
            ),
        ];
        for (draft, step, gap) in cases {
            assert_eq!(
                draft.check(now(), today).map(drop),
                Err((step, gap)),
                "{gap}"
            );
            assert_eq!(draft.check_step(step, now(), today), Err(gap));
        }
        assert_eq!(
            DraftGap::Period(PeriodError::TooLong).code(),
            crate::ErrorCode::PeriodTooLong
        );
        assert_eq!(DraftGap::NotSigned.code(), crate::ErrorCode::RequestInvalid);
    }

    #[test]
    fn only_a_personal_login_orders_and_only_where_allowed() {
        let table = [
            // (orderer role, unit allows, shared device) → may order
            ((true, true, false), true),
            ((true, false, false), false),
            ((false, true, false), false),
            ((false, false, false), false),
            ((true, true, true), false),
            ((false, true, true), false),
        ];
        for ((orderer, unit, shared), want) in table {
            assert_eq!(
                may_order(orderer, unit, shared),
                want,
                "{orderer} {unit} {shared}"
            );
        }
    }

    #[test]
    fn steps_are_numbered_as_the_wizard_shows_them() {
        assert_eq!(WizardStep::of(0), WizardStep::PhotoId);
        assert_eq!(WizardStep::of(4), WizardStep::Declaration);
        assert_eq!(WizardStep::of(9), WizardStep::Review);
        assert_eq!(WizardStep::Review.number(), 5);
    }
}
