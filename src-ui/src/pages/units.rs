//! The units an administrator's privileges cover: whether each orders
//! substitute access, and its default and longest access period (within
//! SPEC's 3 and 30 days; a unit may allow less, never more). The shell
//! checks the period before sending; the backend again.

use omsorg_core::api::{UnitSettings, UnitSettingsChange};
use omsorg_core::ipc;
use omsorg_core::period::{PeriodPolicy, MAX_DAYS};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::hooks::{use_shell_call, use_shell_load};
use crate::i18n::{error_text, t, Admin, Msg};
use crate::pages::PageProps;

#[function_component]
pub fn UnitsPage(props: &PageProps) -> Html {
    let lang = props.lang;
    let (units, load) = use_shell_load::<ipc::ListUnitSettings>(&props.on_refused, 0);
    html! {
        <section id="units" aria-labelledby="units-title">
            <div class="topbar">
                <h1 id="units-title">{ t(lang, Msg::Units) }</h1>
                <button id="units-back" onclick={props.on_done.reform(|_: MouseEvent| ())}>{ t(lang, Msg::Back) }</button>
            </div>
            <p class="lead">{ t(lang, Msg::UnitsLead) }</p>
            if let Some(code) = load.problem() {
                <p class="notice error" role="alert">{ error_text(lang, code) }</p>
            }
            { match &*units {
                Some(list) => html! {
                    <ul class="cards" id="unit-list">
                        { for list.iter().map(|u| html! {
                            <UnitCard key={u.id.clone()} {lang} unit={u.clone()} on_refused={props.on_refused.clone()} />
                        }) }
                    </ul>
                },
                None => html! { <p class="spinner" role="status">{ t(lang, Msg::Loading) }</p> },
            } }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct CardProps {
    lang: crate::i18n::Lang,
    unit: UnitSettings,
    on_refused: Callback<omsorg_core::ErrorCode>,
}

/// Day choices 1..=`to`, `chosen` selected.
fn days(to: i64, chosen: i64) -> Html {
    (1..=to)
        .map(|d| html! { <option value={d.to_string()} selected={d == chosen}>{ d }</option> })
        .collect()
}

#[function_component]
fn UnitCard(props: &CardProps) -> Html {
    let lang = props.lang;
    let unit = use_state(|| props.unit.clone());
    let draft = use_state(|| (props.unit.may_order_substitutes, props.unit.period));
    let saved = use_state(|| false);
    let invalid = use_state(|| false);
    let call = use_shell_call::<ipc::SetUnitSettings>(&props.on_refused);
    // The systems its substitutes get, one per line as typed.
    let systems = use_node_ref();
    let bad_systems = use_state(|| false);
    let (may_order, policy) = *draft;
    let id = unit.id.clone();
    let on_may_order = {
        let (draft, saved) = (draft.clone(), saved.clone());
        Callback::from(move |e: Event| {
            let on = e.target_unchecked_into::<HtmlInputElement>().checked();
            draft.set((on, draft.1));
            saved.set(false);
        })
    };
    let pick = |which: fn(&mut PeriodPolicy, i64)| {
        let (draft, saved) = (draft.clone(), saved.clone());
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Ok(n) = value.parse::<i64>() {
                let mut p = draft.1;
                which(&mut p, n);
                draft.set((draft.0, p));
                saved.set(false);
            }
        })
    };
    let on_default = pick(|p, n| p.default_days = n);
    let on_max = pick(|p, n| {
        p.max_days = n;
        // A shorter longest period takes the default down with it.
        p.default_days = p.default_days.min(n);
    });
    let save = {
        let (call, unit, saved, invalid, id) = (
            call.clone(),
            unit.clone(),
            saved.clone(),
            invalid.clone(),
            id.clone(),
        );
        let (systems, bad_systems) = (systems.clone(), bad_systems.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // The core's rules, so the administrator sees why before sending.
            let ok = PeriodPolicy::new(policy.default_days, policy.max_days).is_ok();
            invalid.set(!ok);
            let typed = systems
                .cast::<web_sys::HtmlTextAreaElement>()
                .map(|t| t.value())
                .unwrap_or_default();
            let lines: Vec<&str> = typed.lines().collect();
            let groups = omsorg_core::groups::template(&lines);
            bad_systems.set(groups.is_err());
            let (true, Ok(groups)) = (ok, groups) else {
                return;
            };
            let change = UnitSettingsChange {
                may_order_substitutes: may_order,
                period: policy,
                groups: Some(groups),
            };
            let (unit, saved) = (unit.clone(), saved.clone());
            call.run(
                ipc::UnitSettingsArgs {
                    id: id.clone(),
                    change,
                },
                move |now| {
                    unit.set(now);
                    saved.set(true);
                },
            );
        })
    };
    let field = |name: &str| format!("unit-{name}-{id}");
    html! {
        <li class="card" id={format!("unit-{id}")}>
            <h2>{ &unit.name }</h2>
            if let Some(m) = &unit.manager_name {
                <p class="meta">{ t(lang, Msg::Manager) }{ ": " }{ m }</p>
            }
            <form class="pin-form" onsubmit={save}>
                <label class="check-row" for={field("may-order")}>
                    <input type="checkbox" id={field("may-order")} checked={may_order} onchange={on_may_order} />
                    { t(lang, Msg::MayOrder) }
                </label>
                <label for={field("default")}>{ t(lang, Msg::DefaultDays) }</label>
                <select id={field("default")} onchange={on_default}>{ days(policy.max_days, policy.default_days) }</select>
                <label for={field("max")}>{ t(lang, Msg::MaxDays) }</label>
                <select id={field("max")} onchange={on_max}>{ days(MAX_DAYS, policy.max_days) }</select>
                <label for={field("systems")}>{ t(lang, Admin::Systems) }</label>
                <textarea id={field("systems")} ref={systems} rows="4" class="words"
                    value={unit.groups.join("\n")} aria-describedby={field("systems-note")} />
                if *bad_systems {
                    <p id={field("systems-note")} class="notice error" role="alert">{ t(lang, Admin::SystemsInvalid) }</p>
                } else {
                    <p id={field("systems-note")} class="hint">{ t(lang, Admin::SystemsHint) }</p>
                }
                <button id={field("save")} class="primary" type="submit" disabled={call.busy()}>{ t(lang, Msg::Save) }</button>
            </form>
            if *saved {
                <p id={field("saved")} class="notice" role="status">{ t(lang, Msg::Saved) }</p>
            }
            if *invalid {
                <p class="notice error" role="alert">{ t(lang, Msg::PeriodPolicyInvalid) }</p>
            } else if let Some(code) = call.problem() {
                <p class="notice error" role="alert">{ error_text(lang, code) }</p>
            }
        </li>
    }
}
