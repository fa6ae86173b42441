//! The signed-in start screen.

use omsorg_core::api::{Me, Role};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::i18n::{t, Lang, Msg};
use crate::shell;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub me: Me,
    pub on_signed_out: Callback<()>,
    pub on_change_pin: Callback<()>,
    /// Shown once after the PIN was changed.
    #[prop_or_default]
    pub pin_changed: bool,
    /// On a shared device: no PIN change, no administration, and "Log ud"
    /// ends the shared session (the shell then resets the web view).
    #[prop_or_default]
    pub shared: bool,
    #[prop_or_default]
    pub on_new_code: Callback<()>,
}

#[function_component]
pub fn HomePage(props: &Props) -> Html {
    let lang = props.lang;
    let me = &props.me;
    let busy = use_state(|| false);
    let sign_out = {
        let done = props.on_signed_out.clone();
        let busy = busy.clone();
        let shared = props.shared;
        Callback::from(move |_: MouseEvent| {
            let done = done.clone();
            busy.set(true);
            spawn_local(async move {
                // The shell wipes the session even when the provider is unreachable.
                let _ = if shared {
                    shell::shared_sign_out().await
                } else {
                    shell::sign_out().await
                };
                done.emit(());
            });
        })
    };
    html! {
        <section id="home-screen" aria-labelledby="home-title">
            <div class="topbar">
                <h1 id="home-title">{ t(lang, Msg::Hello) }{ ", " }<span id="person-name">{ &me.name }</span></h1>
                <button id="sign-out" onclick={sign_out} disabled={*busy}>{ t(lang, Msg::SignOut) }</button>
            </div>
            <dl class="facts">
                if let Some(unit) = &me.unit {
                    <dt>{ t(lang, Msg::Unit) }</dt>
                    <dd id="person-unit">{ &unit.name }</dd>
                }
                <dt>{ t(lang, Msg::YourUserId) }</dt>
                <dd id="person-user-id">{ &me.user_id }</dd>
            </dl>
            if props.pin_changed {
                <p id="pin-changed" class="notice" role="status">{ t(lang, Msg::PinChanged) }</p>
            }
            if props.shared {
                <p id="auto-sign-out-note" class="lead">{ t(lang, Msg::AutoSignOutNote) }</p>
            } else {
                <nav class="menu">
                    <button id="change-pin" onclick={props.on_change_pin.reform(|_: MouseEvent| ())}>
                        { t(lang, Msg::ChangePin) }
                    </button>
                    if me.roles.contains(&Role::Administrator) {
                        <button id="new-enrollment-code" onclick={props.on_new_code.reform(|_: MouseEvent| ())}>
                            { t(lang, Msg::EnrollAnother) }
                        </button>
                    }
                </nav>
            }
        </section>
    }
}
