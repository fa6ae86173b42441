//! "Mine bestillinger": the person's orders (an administrator's: the
//! municipality's), each with end-early (two taps) and extend (a new last
//! day within the 30-day cap from the start; the backend checks it too).

use chrono::{Duration, NaiveDate, Utc};
use omsorg_core::api::{OrderState, SubstituteAccessSummary};
use omsorg_core::danish_time::{self, Copenhagen};
use omsorg_core::ipc;
use omsorg_core::period::{AccessPeriod, PeriodPolicy};
use omsorg_core::ErrorCode;
use yew::prelude::*;

use crate::hooks::{use_shell_call, use_shell_load};
use crate::i18n::{error_text, t, Lang, Msg, Wizard};
use crate::pages::{input_value, local_time, PageProps};

#[function_component]
pub fn MyOrdersPage(props: &PageProps) -> Html {
    let lang = props.lang;
    let reload = use_state(|| 0u32);
    let (list, load) = use_shell_load::<ipc::MyOrders>(&props.on_refused, *reload);
    let changed = {
        let reload = reload.clone();
        Callback::from(move |()| reload.set(*reload + 1))
    };
    html! {
        <section id="my-orders" aria-labelledby="orders-title">
            <div class="topbar">
                <h1 id="orders-title">{ t(lang, Msg::MyOrders) }</h1>
                <button id="orders-back" onclick={props.on_done.reform(|_: MouseEvent| ())}>{ t(lang, Msg::Back) }</button>
            </div>
            <p class="lead">{ t(lang, Msg::MyOrdersLead) }</p>
            if let Some(code) = load.problem() {
                <p id="orders-problem" class="notice error" role="alert">{ error_text(lang, code) }</p>
            }
            { match list.as_ref().map(|l| &l.accesses) {
                None => html! { <p class="spinner" role="status">{ t(lang, Msg::Loading) }</p> },
                Some(l) if l.is_empty() => html! { <p>{ t(lang, Msg::NoOrders) }</p> },
                Some(l) => html! {
                    <ul class="cards">
                        { for l.iter().map(|a| html! {
                            <OrderCard key={a.id.clone()} {lang} access={a.clone()} on_changed={changed.clone()}
                                on_refused={props.on_refused.clone()} />
                        }) }
                    </ul>
                },
            } }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct CardProps {
    pub lang: Lang,
    pub access: SubstituteAccessSummary,
    /// The order changed: the list reloads.
    pub on_changed: Callback<()>,
    pub on_refused: Callback<ErrorCode>,
}

/// One order: its facts, and (while active) end-early and extend.
#[function_component]
pub fn OrderCard(props: &CardProps) -> Html {
    let (lang, a) = (props.lang, &props.access);
    let confirming = use_state(|| false);
    let extending = use_state(|| false);
    let end_call = use_shell_call::<ipc::EndOrder>(&props.on_refused);
    let extend_call = use_shell_call::<ipc::ExtendOrder>(&props.on_refused);
    let slip = use_state(|| None::<ErrorCode>);
    let day = use_node_ref();
    let active = a.state == OrderState::Active && a.ends_at > Utc::now();
    let today = danish_time::today(Utc::now());
    // SPEC's cap; a unit that allows less is held to it by the backend,
    // whose refusal is shown as it comes.
    let spec = PeriodPolicy::default();
    let last = AccessPeriod::stored(a.starts_at, a.ends_at).last_day(&Copenhagen, spec);
    let end = {
        let (confirming, call, id) = (confirming.clone(), end_call.clone(), a.id.clone());
        let changed = props.on_changed.clone();
        Callback::from(move |_: MouseEvent| {
            if !*confirming {
                return confirming.set(true);
            }
            let changed = changed.clone();
            call.run(ipc::IdArgs { id: id.clone() }, move |_| changed.emit(()));
        })
    };
    let save = {
        let (call, id, changed, day, slip) = (
            extend_call.clone(),
            a.id.clone(),
            props.on_changed.clone(),
            day.clone(),
            slip.clone(),
        );
        let period = AccessPeriod::stored(a.starts_at, a.ends_at);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Ok(picked) = NaiveDate::parse_from_str(&input_value(&day), "%Y-%m-%d") else {
                return slip.set(Some(ErrorCode::PeriodInPast));
            };
            // The same rule the backend applies, before asking it.
            let checked = period.to_day(Utc::now(), danish_time::today(Utc::now()), picked, spec);
            slip.set(checked.err().map(|e| e.code()));
            if checked.is_err() {
                return;
            }
            let (changed, args) = (
                changed.clone(),
                ipc::ExtendArgs {
                    id: id.clone(),
                    day: picked,
                },
            );
            call.run(args, move |_| changed.emit(()));
        })
    };
    let busy = end_call.busy() || extend_call.busy();
    let problem = (*slip).or(end_call.problem()).or(extend_call.problem());
    let toggle_extend = {
        let extending = extending.clone();
        Callback::from(move |_: MouseEvent| extending.set(!*extending))
    };
    html! {
        <li class="card" id={format!("order-{}", a.user_id)}>
            <h2>{ &a.substitute_name }{ " · " }<span class="code">{ &a.user_id }</span></h2>
            <dl class="facts">
                <dt>{ t(lang, Msg::StepCpr) }</dt><dd>{ &a.cpr_masked }</dd>
                <dt>{ t(lang, Msg::Period) }</dt>
                <dd>{ local_time(a.starts_at) }{ " – " }<span class="order-ends">{ local_time(a.ends_at) }</span></dd>
                <dt>{ t(lang, Msg::OrderedBy) }</dt><dd>{ &a.orderer_name }</dd>
                if let Some(agency) = &a.agency {
                    <dt>{ t(lang, Wizard::AgencyShort) }</dt><dd class="order-agency">{ agency }</dd>
                }
                if let Some(unit) = &a.unit {
                    <dt>{ t(lang, Msg::Unit) }</dt><dd class="order-unit">{ &unit.name }</dd>
                }
                <dt>{ "Status" }</dt>
                <dd class="order-status">{ match a.state {
                    _ if active => t(lang, Msg::Active),
                    OrderState::Archived => t(lang, crate::i18n::Admin::Archived),
                    _ => t(lang, Msg::Ended),
                } }</dd>
            </dl>
            if let Some(code) = problem {
                <p class="notice error order-problem" role="alert">{ error_text(lang, code) }</p>
            }
            if active {
                <div class="menu">
                    <button class="order-end" onclick={end} disabled={busy}>
                        { if *confirming { t(lang, Msg::ConfirmEnd) } else { t(lang, Msg::EndNow) } }
                    </button>
                    <button class="order-extend" onclick={toggle_extend} aria-expanded={extending.to_string()}>
                        { t(lang, Msg::Extend) }
                    </button>
                </div>
                if *extending {
                    <form class="pin-form" onsubmit={save}>
                        <label for={format!("extend-{}", a.id)}>{ t(lang, Msg::LastDay) }</label>
                        <select id={format!("extend-{}", a.id)} class="extend-day" ref={day}>
                            { crate::pages::day_options(
                                today + Duration::days(1),
                                last.max(today + Duration::days(1)),
                                a.ends_at.with_timezone(&Copenhagen).date_naive(),
                            ) }
                        </select>
                        <button class="primary extend-save" type="submit" disabled={busy}>{ t(lang, Msg::SaveNewEnd) }</button>
                    </form>
                }
            }
        </li>
    }
}
