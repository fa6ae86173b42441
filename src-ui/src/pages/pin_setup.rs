//! Choosing a PIN: forced after the first KOMBIT login (or after the PIN was
//! blocked), and "Skift PIN-kode" from the home screen (current PIN needed).

use omsorg_core::api::Me;
use omsorg_core::ipc;
use omsorg_core::pin::{Pin, MAX_LEN};
use omsorg_core::ErrorCode;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::i18n::{error_text, pin_policy, t, Lang, Msg};
use crate::shell;

#[derive(Clone, Copy, PartialEq)]
pub enum Mode {
    /// No PIN yet (or a blocked one): nothing else until one is chosen.
    Setup,
    Change,
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub me: Me,
    pub mode: Mode,
    pub on_done: Callback<Me>,
    /// Only offered when changing.
    pub on_cancel: Callback<()>,
    /// The shell refused (locked, signed out, access closed).
    pub on_refused: Callback<ErrorCode>,
}

#[derive(Clone, Copy, PartialEq)]
enum Problem {
    Code(ErrorCode),
    /// Breaks the PIN policy (typed here; the policy is stated in full).
    Policy,
    Differ,
}

fn value(node: &NodeRef) -> String {
    node.cast::<HtmlInputElement>()
        .map(|i| i.value())
        .unwrap_or_default()
}

fn clear(nodes: &[&NodeRef]) {
    for node in nodes {
        if let Some(i) = node.cast::<HtmlInputElement>() {
            i.set_value("");
        }
    }
}

#[function_component]
pub fn PinSetupPage(props: &Props) -> Html {
    let lang = props.lang;
    let (current, new, repeat) = (use_node_ref(), use_node_ref(), use_node_ref());
    let problem = use_state(|| None::<Problem>);
    let busy = use_state(|| false);

    let submit = {
        let (current, new, repeat) = (current.clone(), new.clone(), repeat.clone());
        let (problem, busy) = (problem.clone(), busy.clone());
        let (mode, on_done, on_refused) =
            (props.mode, props.on_done.clone(), props.on_refused.clone());
        let min_len = props.me.pin_min_len;
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (pin, again) = (value(&new), value(&repeat));
            // The same policy as the shell and the backend, at once: a
            // digit too many is refused, never cut off.
            if Pin::parse_with_min(&pin, min_len.into()).is_err() {
                problem.set(Some(Problem::Policy));
                clear(&[&new, &repeat]);
                return;
            }
            if pin != again {
                problem.set(Some(Problem::Differ));
                clear(&[&new, &repeat]);
                return;
            }
            let current_pin = (mode == Mode::Change).then(|| value(&current));
            let (problem, busy, on_done, on_refused) = (
                problem.clone(),
                busy.clone(),
                on_done.clone(),
                on_refused.clone(),
            );
            let inputs = [current.clone(), new.clone(), repeat.clone()];
            busy.set(true);
            spawn_local(async move {
                let result = shell::call::<ipc::SetPin>(&ipc::SetPinArgs {
                    pin: pin.clone(),
                    current_pin: current_pin.clone().filter(|c| !c.is_empty()),
                })
                .await;
                busy.set(false);
                match result {
                    Ok(me) => on_done.emit(me),
                    Err(e) if e.code.ends_session() => on_refused.emit(e.code),
                    Err(e) => {
                        problem.set(Some(Problem::Code(e.code)));
                        clear(&[&inputs[0], &inputs[1], &inputs[2]]);
                    }
                }
            });
        })
    };
    let cancel = props.on_cancel.reform(|_: MouseEvent| ());
    let message = (*problem).map(|p| match p {
        Problem::Policy | Problem::Code(ErrorCode::PinInvalid) => {
            pin_policy(lang, props.me.pin_min_len)
        }
        Problem::Code(code) => error_text(lang, code).to_string(),
        Problem::Differ => t(lang, Msg::PinsDiffer).to_string(),
    });
    let title = match props.mode {
        Mode::Setup => t(lang, Msg::PinSetupTitle),
        Mode::Change => t(lang, Msg::ChangePin),
    };
    html! {
        <section id="pin-setup-screen" aria-labelledby="pin-setup-title">
            <h1 id="pin-setup-title">{ title }</h1>
            if props.mode == Mode::Setup {
                if props.me.pin_locked {
                    <p class="notice">{ t(lang, Msg::PinLockedChooseNew) }</p>
                }
                <p class="lead">{ t(lang, Msg::PinSetupLead) }</p>
                <div class="user-id-card">
                    <span>{ t(lang, Msg::YourUserId) }</span>
                    <strong id="setup-user-id" class="user-id">{ &props.me.user_id }</strong>
                    <p>{ t(lang, Msg::PinSetupNoteUserId) }</p>
                </div>
            }
            <form class="pin-form" onsubmit={submit} novalidate=true>
                if props.mode == Mode::Change {
                    <label for="pin-current">{ t(lang, Msg::CurrentPin) }</label>
                    <input id="pin-current" ref={current} type="password" inputmode="numeric"
                        autocomplete="off" maxlength={MAX_LEN.to_string()} />
                }
                <label for="pin-new">{ t(lang, Msg::NewPin) }</label>
                <input id="pin-new" ref={new} type="password" inputmode="numeric"
                    autocomplete="off" aria-describedby="pin-error" />
                <label for="pin-repeat">{ t(lang, Msg::RepeatPin) }</label>
                <input id="pin-repeat" ref={repeat} type="password" inputmode="numeric"
                    autocomplete="off" />
                if let Some(text) = message {
                    <p id="pin-error" class="notice error" role="alert">{ text }</p>
                }
                <button id="pin-save" type="submit" class="primary big" disabled={*busy}>
                    { t(lang, Msg::SavePin) }
                </button>
                if props.mode == Mode::Change {
                    <button id="pin-cancel" type="button" onclick={cancel}>{ t(lang, Msg::Cancel) }</button>
                }
            </form>
        </section>
    }
}
