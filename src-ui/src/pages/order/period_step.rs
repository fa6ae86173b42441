//! Step 3: the last day of access (3 days unless another is picked, at
//! most 30), checked as it is picked.

use chrono::NaiveDate;
use omsorg_core::bridge::OrderDraft;
use omsorg_core::period::{default_day, last_day};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::{period, today, StepProps};
use crate::i18n::{error_text, t, Msg};
use crate::pages::{day_options, local_time};

#[function_component]
pub fn PeriodStep(props: &StepProps) -> Html {
    let (lang, d, update) = (props.lang, &props.draft, &props.on_change);
    let day = d.end_day.unwrap_or_else(|| default_day(today()));
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
            <p class="lead">{ t(lang, Msg::PeriodLead) }</p>
            <label for="end-day">{ t(lang, Msg::LastDay) }</label>
            // Only the days the rules allow (tomorrow to today + 30), in
            // Danish whatever the device's locale.
            <select id="end-day" onchange={pick} aria-describedby="period-check">
                { day_options(today() + chrono::Duration::days(1), last_day(today()), day) }
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
