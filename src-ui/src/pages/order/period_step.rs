//! Step 3: the last day of access (the unit's default, 3 days unless its
//! administrator chose less, unless another is picked; at most the unit's
//! longest, 30 days or less), checked as it is picked.

use chrono::NaiveDate;
use omsorg_core::bridge::OrderDraft;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::{period, today, StepProps};
use crate::i18n::{error_text, period_lead, t, Msg};
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
        </>
    }
}
