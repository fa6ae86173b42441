//! Step 2: the CPR number, looked up in the register, and the register's
//! name confirmed against the photo ID.

use omsorg_core::bridge::OrderDraft;
use omsorg_core::cpr::Cpr;
use omsorg_core::ipc;
use omsorg_core::ErrorCode;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::StepProps;
use crate::i18n::{t, Msg};
use crate::pages::{input_value, local_time};
use crate::shell;

#[function_component]
pub fn PersonStep(props: &StepProps) -> Html {
    let (lang, d, update) = (props.lang, &props.draft, &props.on_change);
    let busy = use_state(|| false);
    let cpr_input = use_node_ref();
    let problem = props.on_problem.clone();
    // Looks `typed` up in the register (through the shell): the name found,
    // or the refusal under the step.
    let look_up = {
        let (update, d, problem, busy) = (update.clone(), d.clone(), problem.clone(), busy.clone());
        Callback::from(move |typed: String| {
            let (update, d, problem, busy) =
                (update.clone(), d.clone(), problem.clone(), busy.clone());
            busy.set(true);
            problem.emit(None);
            spawn_local(async move {
                let found =
                    shell::call::<ipc::LookupCpr>(&ipc::CprArgs { cpr: typed.clone() }).await;
                busy.set(false);
                match found {
                    Ok(person) => update.emit(OrderDraft {
                        cpr: typed,
                        person: Some(person),
                        name_confirmed: false,
                        ..d.clone()
                    }),
                    Err(e) => {
                        problem.emit(Some(e.code));
                        update.emit(OrderDraft {
                            cpr: typed,
                            person: None,
                            name_confirmed: false,
                            ..d.clone()
                        });
                    }
                }
            });
        })
    };
    let lookup = {
        let (look_up, problem, node) = (look_up.clone(), problem.clone(), cpr_input.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let typed = input_value(&node);
            // Checked here first: a malformed number never leaves the page.
            if Cpr::parse(&typed).is_err() {
                problem.emit(Some(ErrorCode::CprInvalid));
                return;
            }
            look_up.emit(typed);
        })
    };
    // Kept as typed (the lock loses nothing); another number takes
    // back the name found for the last one. The tenth digit of a valid
    // number looks it up at once (no tap); a malformed one waits for
    // "Slå op", which says what is wrong.
    let typed = {
        let (update, d, look_up, busy) = (update.clone(), d.clone(), look_up.clone(), busy.clone());
        Callback::from(move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            if value != d.cpr {
                update.emit(OrderDraft {
                    cpr: value.clone(),
                    person: None,
                    name_confirmed: false,
                    ..d.clone()
                });
                let digits = value.chars().filter(char::is_ascii_digit).count();
                if digits == 10 && !*busy && Cpr::parse(&value).is_ok() {
                    look_up.emit(value);
                }
            }
        })
    };
    // Another number: the field opens again, empty.
    let change = {
        let (update, d) = (update.clone(), d.clone());
        Callback::from(move |_: MouseEvent| {
            update.emit(OrderDraft {
                cpr: String::new(),
                person: None,
                name_confirmed: false,
                ..d.clone()
            })
        })
    };
    // Confirming the name is the step's last act: it moves on (one tap);
    // back here, the same button takes the confirmation back.
    let confirm = {
        let (update, d) = (update.clone(), d.clone());
        Callback::from(move |_: MouseEvent| {
            let confirmed = !d.name_confirmed;
            update.emit(OrderDraft {
                name_confirmed: confirmed,
                step: if confirmed { d.step + 1 } else { d.step },
                ..d.clone()
            })
        })
    };
    // A live access already: no second (the core's rule, and the backend's).
    let blocked = d
        .person
        .as_ref()
        .and_then(|p| p.returning.as_ref())
        .is_some_and(|r| r.active_until.is_some_and(|t| t > chrono::Utc::now()));
    html! {
        <>
            <p class="lead">{ t(lang, Msg::CprLead) }</p>
            <form onsubmit={lookup} class="pin-form">
                <label for="cpr">{ t(lang, Msg::StepCpr) }</label>
                // Once the register has answered, the number is shown masked
                // (also after Tilbage and after a restore): a screen over a
                // shoulder shows a birth date, not a CPR number.
                if let Some(person) = &d.person {
                    <input id="cpr" type="text" readonly=true value={person.cpr_masked.clone()} />
                    <button id="cpr-change" type="button" onclick={change}>{ t(lang, Msg::ChangeCpr) }</button>
                } else {
                    <input id="cpr" ref={cpr_input.clone()} type="text" inputmode="numeric"
                        autocomplete="off" maxlength="11" placeholder="DDMMÅÅ-XXXX"
                        value={d.cpr.clone()} oninput={typed} />
                    <button id="cpr-lookup" type="submit" disabled={*busy}>{ t(lang, Msg::LookUp) }</button>
                }
            </form>
            if let Some(person) = &d.person {
                <div class="user-id-card">
                    <span class="code">{ t(lang, Msg::RegisterName) }</span>
                    <span id="register-name" class="user-id">{ &person.name }</span>
                    <span class="code">{ &person.cpr_masked }</span>
                </div>
                if let Some(r) = &person.returning {
                    if let Some(until) = r.active_until.filter(|t| *t > chrono::Utc::now()) {
                        <p id="already-active" class="notice error" role="alert">
                            { crate::i18n::wizard::active_until(lang, &local_time(until)) }
                        </p>
                    } else {
                        <p id="returning" class="notice" role="status">
                            { crate::i18n::wizard::returning(lang, &r.user_id, r.user_id_available) }
                        </p>
                    }
                }
                <button id="confirm-name" aria-pressed={d.name_confirmed.to_string()} onclick={confirm} disabled={blocked}
                    class={if d.name_confirmed { "primary" } else { "" }}>
                    { if d.name_confirmed { t(lang, Msg::NameConfirmed) } else { t(lang, Msg::ConfirmName) } }
                    { if d.name_confirmed { " ✓" } else { "" } }
                </button>
            }
        </>
    }
}
