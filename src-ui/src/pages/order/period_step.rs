//! Step 3: the last day of access (the unit's default, 3 days unless its
//! administrator chose less, unless another is picked; at most the unit's
//! longest, 30 days or less), and the time of day it ends (a night shift
//! ends at 07:00; by default the time the order is sent), checked as they
//! are picked; and the agency the substitute comes from, if any.

use chrono::{NaiveDate, NaiveTime};
use omsorg_core::bridge::OrderDraft;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::{period, today, StepProps};
use crate::i18n::{error_text, period_lead, t, Msg, Wizard};
use crate::pages::{day_options, local_time};

#[function_component]
pub fn PeriodStep(props: &StepProps) -> Html {
    let (lang, d, update) = (props.lang, &props.draft, &props.on_change);
    let policy = d.period_policy;
    let day = d.end_day.unwrap_or_else(|| policy.default_day(today()));
    let pick = {
        let (update, d) = (update.clone(), d.clone());
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Ok(day) = NaiveDate::parse_from_str(&value, "%Y-%m-%d") {
                update.emit(OrderDraft {
                    end_day: Some(day),
                    ..d.clone()
                });
            }
        })
    };
    let pick_time = {
        let (update, d) = (update.clone(), d.clone());
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            update.emit(OrderDraft {
                end_time: NaiveTime::parse_from_str(&value, "%H:%M").ok(),
                ..d.clone()
            });
        })
    };
    let type_agency = {
        let (update, d) = (update.clone(), d.clone());
        Callback::from(move |e: InputEvent| {
            let agency = e.target_unchecked_into::<HtmlInputElement>().value();
            update.emit(OrderDraft {
                agency,
                ..d.clone()
            });
        })
    };
    let agency_ok = omsorg_core::wizard::agency_of(&d.agency).is_ok();
    let chosen = d.end_time;
    let times =
        (0..48).map(|i| NaiveTime::from_hms_opt(i / 2, (i % 2) * 30, 0).unwrap_or_default());
    let checked = period(d);
    html! {
        <>
            <p class="lead" id="period-lead">{ period_lead(lang, policy) }</p>
            <label for="end-day">{ t(lang, Msg::LastDay) }</label>
            // Only the days the rules allow (tomorrow to today + the unit's
            // longest), in Danish whatever the device's locale.
            <select id="end-day" onchange={pick} aria-describedby="period-check">
                { day_options(today() + chrono::Duration::days(1), policy.last_day(today()), day) }
            </select>
            <label for="end-time">{ t(lang, Wizard::EndsAt) }</label>
            <select id="end-time" onchange={pick_time} aria-describedby="period-check">
                <option value="" selected={chosen.is_none()}>{ t(lang, Wizard::EndsAtSendTime) }</option>
                { for times.map(|time| {
                    let label = time.format("%H:%M").to_string();
                    html! { <option value={label.clone()} selected={chosen == Some(time)}>{ format!("kl. {label}") }</option> }
                }) }
            </select>
            { match checked {
                Ok(p) => html! {
                    <p id="period-check" class="notice" role="status">
                        { t(lang, Msg::AccessEnds) }{ ": " }<strong id="access-ends">{ local_time(p.end()) }</strong>
                    </p>
                },
                Err(e) => html! {
                    <p id="period-check" class="notice error" role="alert">{ error_text(lang, e.code()) }</p>
                },
            } }
            <label for="agency">{ t(lang, Wizard::Agency) }</label>
            <input id="agency" class="words" type="text" autocomplete="off"
                maxlength={omsorg_core::wizard::AGENCY_MAX_CHARS.to_string()}
                value={d.agency.clone()} oninput={type_agency} aria-describedby="agency-note" />
            if agency_ok {
                <p id="agency-note" class="hint">{ t(lang, Wizard::AgencyHint) }</p>
            } else {
                <p id="agency-note" class="notice error" role="alert">{ t(lang, Wizard::AgencyInvalid) }</p>
            }
        </>
    }
}
