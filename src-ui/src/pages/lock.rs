//! The lock screen: covers everything, shows nothing personal, and takes the
//! PIN on a large keypad (usable with gloves) or the keyboard.

use omsorg_core::ipc;
use omsorg_core::lock::LockState;
use omsorg_core::ErrorCode;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::i18n::{error_text, t, Lang, Msg};
use crate::pages::keypad::Keypad;
use crate::pages::use_autofocus;
use crate::shell;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub attempts_left: u8,
    pub on_unlocked: Callback<()>,
    /// Signed out (five wrong, or the session ended): why.
    pub on_signed_out: Callback<ErrorCode>,
}

#[function_component]
pub fn LockScreen(props: &Props) -> Html {
    let lang = props.lang;
    let input = use_autofocus();
    let attempts_left = use_state(|| props.attempts_left);
    let wrong = use_state(|| false);
    let error = use_state(|| None::<ErrorCode>);
    let busy = use_state(|| false);

    let submit = {
        let input = input.clone();
        let (attempts_left, wrong, error, busy) = (
            attempts_left.clone(),
            wrong.clone(),
            error.clone(),
            busy.clone(),
        );
        let (on_unlocked, on_signed_out) = (props.on_unlocked.clone(), props.on_signed_out.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(field) = input.cast::<HtmlInputElement>() else {
                return;
            };
            let pin = field.value();
            field.set_value("");
            let (attempts_left, wrong, error, busy) = (
                attempts_left.clone(),
                wrong.clone(),
                error.clone(),
                busy.clone(),
            );
            let (on_unlocked, on_signed_out) = (on_unlocked.clone(), on_signed_out.clone());
            busy.set(true);
            spawn_local(async move {
                let result = shell::call::<ipc::Unlock>(&ipc::PinArgs { pin: pin.clone() }).await;
                busy.set(false);
                match result {
                    Ok(LockState::Unlocked) => on_unlocked.emit(()),
                    Ok(LockState::Locked {
                        attempts_left: left,
                    }) => {
                        error.set(None);
                        wrong.set(true);
                        attempts_left.set(left);
                    }
                    Ok(LockState::SignedOut) => on_signed_out.emit(ErrorCode::PinLocked),
                    Err(e)
                        if matches!(
                            e.code,
                            ErrorCode::NoSession
                                | ErrorCode::InvalidToken
                                | ErrorCode::NotProvisioned
                        ) =>
                    {
                        on_signed_out.emit(e.code)
                    }
                    Err(e) => {
                        wrong.set(false);
                        error.set(Some(e.code));
                    }
                }
            });
        })
    };
    let sign_out = {
        let on_signed_out = props.on_signed_out.clone();
        Callback::from(move |_: MouseEvent| {
            let on_signed_out = on_signed_out.clone();
            spawn_local(async move {
                let _ = shell::call::<ipc::SignOut>(&ipc::NoArgs {}).await;
                on_signed_out.emit(ErrorCode::NoSession);
            });
        })
    };
    html! {
        <section id="lock-screen" aria-labelledby="lock-title">
            <h1 id="lock-title">{ t(lang, Msg::LockedTitle) }</h1>
            <p class="lead">{ t(lang, Msg::LockedLead) }</p>
            <form class="pin-form" onsubmit={submit}>
                <label for="unlock-pin">{ t(lang, Msg::EnterPin) }</label>
                <input id="unlock-pin" ref={input.clone()} type="password" inputmode="numeric"
                    autocomplete="off" maxlength={omsorg_core::pin::MAX_LEN.to_string()} aria-describedby="lock-error" />
                if *wrong {
                    <p id="lock-error" class="notice error" role="alert">
                        if *attempts_left == 1 {
                            { t(lang, Msg::AttemptLeftLast) }
                        } else {
                            { t(lang, Msg::AttemptsLeft) }{ " " }<span id="attempts-left">{ *attempts_left }</span>
                        }
                    </p>
                } else if let Some(code) = *error {
                    <p id="lock-error" class="notice error" role="alert">{ error_text(lang, code) }</p>
                }
                <Keypad {lang} input={input.clone()} submit_id="unlock-submit"
                    submit_label={t(lang, Msg::Unlock)} busy={*busy} />
            </form>
            <button id="lock-sign-out" onclick={sign_out}>{ t(lang, Msg::SignOut) }</button>
        </section>
    }
}
