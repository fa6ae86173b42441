use omsorg_core::ErrorCode;
use yew::prelude::*;

use crate::i18n::{error_text, t, Lang, Msg};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    /// Why the person is here, e.g. the backend closed their access.
    pub notice: Option<ErrorCode>,
    pub on_login: Callback<()>,
    pub on_toggle_lang: Callback<()>,
    pub on_enroll: Callback<()>,
}

#[function_component]
pub fn LoginPage(props: &Props) -> Html {
    let lang = props.lang;
    let on_login = props.on_login.reform(|_: MouseEvent| ());
    let on_toggle = props.on_toggle_lang.reform(|_: MouseEvent| ());
    use_effect_with((), |_| crate::mark("omsorg-login-drawn"));
    html! {
        <section id="login-screen" aria-labelledby="login-title">
            <div class="topbar">
                <h1 id="login-title">{ t(lang, Msg::AppName) }</h1>
                <button id="lang-toggle" lang={lang.other().tag()} onclick={on_toggle}>
                    { t(lang, Msg::SwitchLanguage) }
                </button>
            </div>
            if let Some(code) = props.notice {
                <p id="login-notice" class="notice error" role="alert">{ error_text(lang, code) }</p>
            }
            <p class="lead">{ t(lang, Msg::LoginLead) }</p>
            <button id="login-kombit" class="primary big" onclick={on_login}>
                { t(lang, Msg::LoginWithKombit) }
            </button>
            <button id="enroll-device" class="quiet" onclick={props.on_enroll.reform(|_: MouseEvent| ())}>
                { t(lang, Msg::EnrollDevice) }
            </button>
        </section>
    }
}
