//! The municipality's substitute user IDs for administrators: how many are
//! free, reserved, in use and archived, each ID's state, adding a range,
//! releasing a reservation ("Frigiv", two taps), and the generator that
//! keeps a least number free (prefix + the next numbers).

use omsorg_core::api::{IdGenerator, NewSubstituteIds, SubstituteId, SubstituteIdState};
use omsorg_core::ipc;
use yew::prelude::*;

use crate::hooks::{use_shell_call, use_shell_load};
use crate::i18n::{error_text, t, Admin, Lang, Msg};
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
    let (generator, _) = use_shell_load::<ipc::IdGeneratorNow>(&props.on_refused, *reload);
    let set_call = use_shell_call::<ipc::SetIdGenerator>(&props.on_refused);
    let (gen_prefix, gen_min) = (use_node_ref(), use_node_ref());
    let bad_generator = use_state(|| false);
    let save_generator = {
        let (gen_prefix, gen_min, bad, reload, call) = (
            gen_prefix.clone(),
            gen_min.clone(),
            bad_generator.clone(),
            reload.clone(),
            set_call.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let generator = IdGenerator {
                prefix: input_value(&gen_prefix).trim().to_string(),
                min_free: input_value(&gen_min).trim().parse().unwrap_or(u32::MAX),
            };
            bad.set(generator.check().is_err());
            if generator.check().is_err() {
                return;
            }
            let reload = reload.clone();
            call.run(ipc::GeneratorArgs { generator }, move |_| {
                reload.set(*reload + 1)
            });
        })
    };
    let released = {
        let reload = reload.clone();
        Callback::from(move |()| reload.set(*reload + 1))
    };
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
            <form class="pin-form" id="generator-form" onsubmit={save_generator}>
                <p class="lead">{ t(lang, Admin::GeneratorLead) }</p>
                <label for="generator-prefix">{ t(lang, Msg::Prefix) }</label>
                <input id="generator-prefix" ref={gen_prefix} type="text" autocomplete="off"
                    value={generator.as_ref().map(|g| g.prefix.clone()).filter(|p| !p.is_empty()).unwrap_or_else(|| "vik".into())} />
                <label for="generator-min">{ t(lang, Admin::GeneratorMin) }</label>
                <input id="generator-min" ref={gen_min} type="number" inputmode="numeric" min="0" max="200"
                    value={generator.as_ref().map(|g| g.min_free.to_string()).unwrap_or_default()} />
                <button id="generator-save" type="submit" disabled={set_call.busy()}>{ t(lang, Msg::Save) }</button>
                if *bad_generator {
                    <p id="generator-problem" class="notice error" role="alert">{ t(lang, Admin::GeneratorInvalid) }</p>
                }
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
                                    { i.free_again_at.map(|u| format!(" ({} {})", t(lang, Msg::FreeAgain), local_time(u))).unwrap_or_default() }
                                    if i.state == SubstituteIdState::Reserved {
                                        <ReleaseButton {lang} user_id={i.user_id.clone()}
                                            on_refused={props.on_refused.clone()} on_released={released.clone()} />
                                    }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ReleaseProps {
    lang: Lang,
    user_id: String,
    on_refused: Callback<omsorg_core::ErrorCode>,
    on_released: Callback<()>,
}

/// "Frigiv" on a reserved ID; the second tap releases it.
#[function_component]
fn ReleaseButton(props: &ReleaseProps) -> Html {
    let lang = props.lang;
    let confirming = use_state(|| false);
    let call = use_shell_call::<ipc::ReleaseReservation>(&props.on_refused);
    let release = {
        let (confirming, call, id, done) = (
            confirming.clone(),
            call.clone(),
            props.user_id.clone(),
            props.on_released.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            if !*confirming {
                return confirming.set(true);
            }
            let done = done.clone();
            call.run(ipc::IdArgs { id: id.clone() }, move |_| done.emit(()));
        })
    };
    html! {
        <button class="release" id={format!("release-{}", props.user_id)} onclick={release} disabled={call.busy()}>
            { if *confirming { t(lang, Admin::ReleaseConfirm) } else { t(lang, Admin::Release) } }
        </button>
    }
}
