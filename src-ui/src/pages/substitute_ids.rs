//! The municipality's substitute user IDs for administrators: how many are
//! free, reserved, in use and archived, each ID's state, and adding a range.

use omsorg_core::api::{NewSubstituteIds, SubstituteId, SubstituteIdState};
use omsorg_core::ipc;
use yew::prelude::*;

use crate::hooks::{use_shell_call, use_shell_load};
use crate::i18n::{error_text, t, Lang, Msg};
use crate::pages::{input_value, local_time, PageProps};

fn state_name(state: SubstituteIdState) -> Msg {
    match state {
        SubstituteIdState::Free => Msg::Free,
        SubstituteIdState::Reserved => Msg::Reserved,
        SubstituteIdState::InUse => Msg::InUse,
        SubstituteIdState::Archived => Msg::Archived,
    }
}

#[function_component]
pub fn SubstituteIdsPage(props: &PageProps) -> Html {
    let lang = props.lang;
    let reload = use_state(|| 0u32);
    let (ids, load) = use_shell_load::<ipc::SubstituteIds>(&props.on_refused, *reload);
    let add_call = use_shell_call::<ipc::AddSubstituteIds>(&props.on_refused);
    let bad_range = use_state(|| false);
    let added = use_state(|| None::<u32>);
    let (prefix, from, to) = (use_node_ref(), use_node_ref(), use_node_ref());
    let add = {
        let (prefix, from, to) = (prefix.clone(), from.clone(), to.clone());
        let (bad_range, added, reload, call) = (
            bad_range.clone(),
            added.clone(),
            reload.clone(),
            add_call.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let number = |n: &NodeRef| input_value(n).trim().parse::<u32>().unwrap_or(u32::MAX);
            let range = NewSubstituteIds {
                prefix: input_value(&prefix).trim().to_string(),
                from: number(&from),
                to: number(&to),
            };
            // The core's rule, so the person sees why before anything is sent.
            bad_range.set(range.user_ids().is_err());
            if range.user_ids().is_err() {
                return;
            }
            let (added, reload) = (added.clone(), reload.clone());
            call.run(ipc::RangeArgs { range }, move |a| {
                added.set(Some(a.added));
                reload.set(*reload + 1);
            });
        })
    };
    // Counts only once the list is here: "0 archived" while loading would
    // be a wrong answer, not a pending one.
    let count = |l: &[SubstituteId], state: SubstituteIdState| {
        l.iter().filter(|i| i.state == state).count()
    };
    let states = [
        SubstituteIdState::Free,
        SubstituteIdState::Reserved,
        SubstituteIdState::InUse,
        SubstituteIdState::Archived,
    ];
    html! {
        <section id="substitute-ids" aria-labelledby="ids-title">
            <div class="topbar">
                <h1 id="ids-title">{ t(lang, Msg::SubstituteIds) }</h1>
                <button id="ids-back" onclick={props.on_done.reform(|_: MouseEvent| ())}>{ t(lang, Msg::Back) }</button>
            </div>
            <p class="lead">{ t(lang, Msg::IdsLead) }</p>
            if let Some(l) = ids.as_ref().map(|l| &l.ids) {
                <dl class="facts" id="id-counts">
                    { for states.iter().map(|s| html! {
                        <>
                            <dt>{ t(lang, state_name(*s)) }</dt>
                            <dd class={format!("count-{}", t(Lang::En, state_name(*s)).to_lowercase().replace(' ', "-"))}>{ count(l, *s) }</dd>
                        </>
                    }) }
                </dl>
            } else {
                <p class="spinner" role="status">{ t(lang, Msg::Loading) }</p>
            }
            <form class="pin-form" onsubmit={add}>
                <label for="range-prefix">{ t(lang, Msg::Prefix) }</label>
                <input id="range-prefix" ref={prefix} type="text" value="vik" autocomplete="off" />
                <label for="range-from">{ t(lang, Msg::FromNumber) }</label>
                <input id="range-from" ref={from} type="number" inputmode="numeric" min="0" />
                <label for="range-to">{ t(lang, Msg::ToNumber) }</label>
                <input id="range-to" ref={to} type="number" inputmode="numeric" min="0" />
                <button id="range-add" class="primary" type="submit">{ t(lang, Msg::AddRange) }</button>
            </form>
            if let Some(n) = *added {
                <p id="ids-added" class="notice" role="status">{ t(lang, Msg::Added) }{ format!(" {n}") }</p>
            }
            { match (*bad_range, add_call.problem().or(load.problem())) {
                (true, _) => html! { <p id="ids-problem" class="notice error" role="alert">{ t(lang, Msg::RangeInvalid) }</p> },
                (false, Some(code)) => html! { <p id="ids-problem" class="notice error" role="alert">{ error_text(lang, code) }</p> },
                (false, None) => html! {},
            } }
            if let Some(l) = ids.as_ref().map(|l| &l.ids) {
                <table class="ids">
                    <thead><tr><th>{ t(lang, Msg::UserIdLabel) }</th><th>{ "Status" }</th></tr></thead>
                    <tbody>
                        { for l.iter().map(|i| html! {
                            <tr>
                                <td>{ &i.user_id }</td>
                                <td>{ t(lang, state_name(i.state)) }
                                    { i.reserved_until.map(|u| format!(" ({})", local_time(u))).unwrap_or_default() }
                                    { i.free_again_at.map(|u| format!(" ({} {})", t(lang, Msg::FreeAgain), local_time(u))).unwrap_or_default() }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}
