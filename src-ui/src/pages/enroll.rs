//! Turning this device into a shared one with an administrator's one-time
//! code (reached from the login screen; nobody is signed in).

use omsorg_core::api::DeviceInfo;
use omsorg_core::ipc;
use omsorg_core::ErrorCode;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::i18n::{error_text, t, Lang, Msg};
use crate::pages::use_autofocus;
use crate::shell;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub on_enrolled: Callback<DeviceInfo>,
    pub on_cancel: Callback<()>,
}

#[function_component]
pub fn EnrollPage(props: &Props) -> Html {
    let lang = props.lang;
    let input = use_autofocus();
    let error = use_state(|| None::<ErrorCode>);
    let busy = use_state(|| false);
    let submit = {
        let (input, error, busy, done) = (
            input.clone(),
            error.clone(),
            busy.clone(),
            props.on_enrolled.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(field) = input.cast::<HtmlInputElement>() else {
                return;
            };
            // The code stays in the field on failure, so a typo can be mended.
            let code = field.value();
            let (error, busy, done) = (error.clone(), busy.clone(), done.clone());
            busy.set(true);
            spawn_local(async move {
                let result =
                    shell::call::<ipc::EnrollDevice>(&ipc::CodeArgs { code: code.clone() }).await;
                busy.set(false);
                match result {
                    Ok(device) => done.emit(device),
                    Err(e) => error.set(Some(e.code)),
                }
            });
        })
    };
    html! {
        <section id="enroll-screen" aria-labelledby="enroll-title">
            <h1 id="enroll-title">{ t(lang, Msg::EnrollTitle) }</h1>
            <p class="lead">{ t(lang, Msg::EnrollLead) }</p>
            <form class="pin-form" onsubmit={submit}>
                <label for="enroll-code">{ t(lang, Msg::EnrollmentCodeLabel) }</label>
                <input id="enroll-code" ref={input} type="text" autocomplete="off"
                    autocapitalize="characters" spellcheck="false" maxlength="12"
                    class="code" aria-describedby="enroll-error" />
                if let Some(code) = *error {
                    <p id="enroll-error" class="notice error" role="alert">{ error_text(lang, code) }</p>
                }
                <button id="enroll-submit" type="submit" class="primary big" disabled={*busy}>
                    { t(lang, Msg::EnrollSubmit) }
                </button>
            </form>
            <button id="enroll-cancel" onclick={props.on_cancel.reform(|_: MouseEvent| ())}>
                { t(lang, Msg::Cancel) }
            </button>
        </section>
    }
}
