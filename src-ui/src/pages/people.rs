//! The municipality's people for administrators: search by name or user
//! ID; each with their units, roles, PIN state and last KOMBIT login; and
//! "Nulstil PIN-kode" (two taps: the PIN is removed, the user ID unblocked
//! and their shared sessions end; they choose a new PIN at their next
//! KOMBIT login).

use omsorg_core::api::{PersonSummary, Role};
use omsorg_core::ipc;
use yew::prelude::*;

use crate::hooks::use_shell_call;
use crate::i18n::{error_text, t, Lang, Msg};
use crate::pages::{input_value, local_time, PageProps};

#[function_component]
pub fn PeoplePage(props: &PageProps) -> Html {
    let lang = props.lang;
    let found = use_state(|| None::<omsorg_core::api::PeopleList>);
    let search_call = use_shell_call::<ipc::AdminPeople>(&props.on_refused);
    let query = use_node_ref();
    let search = {
        let (call, found) = (search_call.clone(), found.clone());
        Callback::from(move |q: String| {
            let found = found.clone();
            call.run(ipc::SearchArgs { q }, move |list| found.set(Some(list)));
        })
    };
    {
        let search = search.clone();
        use_effect_with((), move |_| search.emit(String::new()));
    }
    let submit = {
        let (search, query) = (search.clone(), query.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            search.emit(input_value(&query));
        })
    };
    let refresh = {
        let (search, query) = (search.clone(), query.clone());
        Callback::from(move |_: ()| search.emit(input_value(&query)))
    };
    html! {
        <section id="people" aria-labelledby="people-title">
            <div class="topbar">
                <h1 id="people-title">{ t(lang, Msg::People) }</h1>
                <button id="people-back" onclick={props.on_done.reform(|_: MouseEvent| ())}>{ t(lang, Msg::Back) }</button>
            </div>
            <form class="pin-form" role="search" onsubmit={submit}>
                <label for="people-query">{ t(lang, Msg::PeopleSearch) }</label>
                <input id="people-query" class="words" ref={query} type="search" autocomplete="off" />
                <button id="people-go" class="primary" type="submit">{ t(lang, Msg::Search) }</button>
            </form>
            if let Some(code) = search_call.problem() {
                <p class="notice error" role="alert">{ error_text(lang, code) }</p>
            }
            { match &*found {
                Some(list) => html! {
                    <>
                        <ul class="cards" id="people-list">
                            { for list.people.iter().map(|p| html! {
                                <PersonCard key={p.user_id.clone()} {lang} person={p.clone()}
                                    on_refused={props.on_refused.clone()} on_reset={refresh.clone()} />
                            }) }
                        </ul>
                        if list.people.is_empty() {
                            <p class="notice" role="status">{ t(lang, Msg::NoneFound) }</p>
                        }
                        if list.more {
                            <p class="notice" role="status">{ t(lang, Msg::NarrowSearch) }</p>
                        }
                    </>
                },
                None => html! { <p class="spinner" role="status">{ t(lang, Msg::Loading) }</p> },
            } }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct CardProps {
    lang: Lang,
    person: PersonSummary,
    on_refused: Callback<omsorg_core::ErrorCode>,
    on_reset: Callback<()>,
}

fn role_name(role: &Role) -> Msg {
    match role {
        Role::Staff => Msg::RoleStaff,
        Role::Orderer => Msg::RoleOrderer,
        Role::Administrator => Msg::RoleAdministrator,
    }
}

#[function_component]
fn PersonCard(props: &CardProps) -> Html {
    let (lang, p) = (props.lang, &props.person);
    let confirming = use_state(|| false);
    let call = use_shell_call::<ipc::ResetPin>(&props.on_refused);
    let id = p.user_id.clone();
    let reset = {
        let (confirming, call, id, done) = (
            confirming.clone(),
            call.clone(),
            id.clone(),
            props.on_reset.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            if !*confirming {
                return confirming.set(true);
            }
            let (confirming, done) = (confirming.clone(), done.clone());
            call.run(ipc::IdArgs { id: id.clone() }, move |_| {
                confirming.set(false);
                done.emit(());
            });
        })
    };
    let pin = match (p.has_pin, p.pin_blocked) {
        (_, true) => Msg::PinBlocked,
        (true, false) => Msg::PinSet,
        (false, false) => Msg::PinNone,
    };
    let roles: Vec<&str> = p.roles.iter().map(|r| t(lang, role_name(r))).collect();
    let units: Vec<&str> = p.units.iter().map(|u| u.name.as_str()).collect();
    html! {
        <li class="card" id={format!("person-{id}")}>
            <h2>{ &p.name }</h2>
            <dl class="facts">
                <dt>{ t(lang, Msg::UserIdLabel) }</dt><dd>{ &p.user_id }</dd>
                <dt>{ t(lang, Msg::Units) }</dt><dd>{ units.join(", ") }</dd>
                <dt>{ t(lang, Msg::Roles) }</dt><dd>{ roles.join(", ") }</dd>
                <dt>{ t(lang, Msg::PinState) }</dt><dd class="pin-state">{ t(lang, pin) }</dd>
                <dt>{ t(lang, Msg::LastLogin) }</dt>
                <dd>{ p.last_login.map(local_time).unwrap_or_else(|| "–".into()) }</dd>
            </dl>
            if p.has_pin || p.pin_blocked {
                <button class="reset-pin" onclick={reset} disabled={call.busy()}>
                    { if *confirming { t(lang, Msg::ResetPinConfirm) } else { t(lang, Msg::ResetPin) } }
                </button>
            }
            if let Some(code) = call.problem() {
                <p class="notice error" role="alert">{ error_text(lang, code) }</p>
            }
        </li>
    }
}
