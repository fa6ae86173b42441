//! KOMBIT login: choose the municipality, then log in in the system browser.
//! The list comes from the shell (live, or the cached copy when the backend
//! cannot be reached).

use omsorg_core::api::{municipality_matches, Me};
use omsorg_core::bridge::MunicipalityChoice;
use omsorg_core::ipc;
use omsorg_core::ErrorCode;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::i18n::{error_text, t, Lang, Msg};
use crate::shell;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub on_back: Callback<()>,
    pub on_signed_in: Callback<Me>,
    /// The backend refused the person: back to the login screen with the reason.
    pub on_refused: Callback<ErrorCode>,
}

#[derive(Clone, PartialEq)]
enum Load {
    Loading,
    Loaded(MunicipalityChoice),
    Failed(ErrorCode),
}

#[function_component]
pub fn MunicipalityPage(props: &Props) -> Html {
    let lang = props.lang;
    let load = use_state(|| Load::Loading);
    let attempt = use_state(|| 0u32);
    let query = use_state(String::new);
    let chosen = use_state(|| None::<String>);
    let login_error = use_state(|| None::<ErrorCode>);
    let waiting = use_state(|| false);

    {
        let load = load.clone();
        let chosen = chosen.clone();
        use_effect_with(*attempt, move |_| {
            load.set(Load::Loading);
            spawn_local(async move {
                match shell::call::<ipc::ListMunicipalities>(&ipc::NoArgs {}).await {
                    Ok(choice) => {
                        chosen.set(choice.last_choice.clone());
                        load.set(Load::Loaded(choice));
                    }
                    Err(e) => load.set(Load::Failed(e.code)),
                }
            });
        });
    }

    let retry = {
        let attempt = attempt.clone();
        Callback::from(move |_: MouseEvent| attempt.set(*attempt + 1))
    };
    let on_search = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            query.set(e.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    let on_back = props.on_back.reform(|_: MouseEvent| ());
    // With a cached list to fall back on the failure is a warning, without one an error.
    let retry_notice = |code: ErrorCode, cached: Option<Html>| {
        html! {
            <div id="load-error" class={classes!("notice", if cached.is_some() { "warn" } else { "error" })} role="alert">
                <p id="error-message">{ error_text(lang, code) }</p>
                { for cached }
                <button id="retry" class="primary" onclick={retry.clone()}>{ t(lang, Msg::TryAgain) }</button>
            </div>
        }
    };

    let body = match &*load {
        Load::Loading => html! { <p class="spinner" role="status">{ t(lang, Msg::Loading) }</p> },
        Load::Failed(code) => retry_notice(*code, None),
        Load::Loaded(choice) => {
            let cached = choice.cached_at.map(|at| {
                let when = omsorg_core::danish_time::date_time(at);
                retry_notice(
                    ErrorCode::NetworkUnreachable,
                    Some(html! { <p id="offline-notice">{ format!("{} {when}.", t(lang, Msg::ShowingCachedList)) }</p> }),
                )
            });
            let visible: Vec<_> = choice
                .municipalities
                .iter()
                .filter(|m| municipality_matches(m, &query))
                .collect();
            html! {
                <>
                    { for cached }
                    <label for="municipality-search">{ t(lang, Msg::SearchMunicipality) }</label>
                    <input id="municipality-search" type="search" autocomplete="off"
                        value={(*query).clone()} oninput={on_search} />
                    if visible.is_empty() {
                        <p id="no-matches" role="status">{ t(lang, Msg::NoMatches) }</p>
                    }
                    <ul id="municipality-list" class="list">
                        { for visible.into_iter().map(|m| {
                            let is_chosen = chosen.as_deref() == Some(m.code.as_str());
                            let onclick = {
                                let code = m.code.clone();
                                let chosen = chosen.clone();
                                let login_error = login_error.clone();
                                let waiting = waiting.clone();
                                let on_signed_in = props.on_signed_in.clone();
                                let on_refused = props.on_refused.clone();
                                Callback::from(move |_: MouseEvent| {
                                    let code = code.clone();
                                    let login_error = login_error.clone();
                                    let waiting = waiting.clone();
                                    let on_signed_in = on_signed_in.clone();
                                    let on_refused = on_refused.clone();
                                    chosen.set(Some(code.clone()));
                                    login_error.set(None);
                                    waiting.set(true);
                                    spawn_local(async move {
                                        let result = shell::call::<ipc::StartLogin>(&ipc::CodeArgs { code: code.clone() }).await;
                                        waiting.set(false);
                                        match result {
                                            Ok(me) => on_signed_in.emit(me),
                                            Err(e) if matches!(e.code, ErrorCode::NotProvisioned | ErrorCode::InvalidToken) => {
                                                on_refused.emit(e.code)
                                            }
                                            Err(e) => login_error.set(Some(e.code)),
                                        }
                                    });
                                })
                            };
                            html! {
                                <li>
                                    <button class="municipality" data-code={m.code.clone()}
                                        aria-pressed={is_chosen.to_string()} {onclick}>
                                        <span class="name">{ &m.name }</span>
                                        <span class="code">
                                            if is_chosen { { t(lang, Msg::Chosen) } { " · " } }
                                            { &m.code }
                                        </span>
                                    </button>
                                </li>
                            }
                        }) }
                    </ul>

                </>
            }
        }
    };

    if *waiting {
        let cancel = Callback::from(|_: MouseEvent| {
            spawn_local(async {
                let _ = shell::call::<ipc::CancelLogin>(&ipc::NoArgs {}).await;
            })
        });
        return html! {
            <section id="browser-wait-screen" aria-labelledby="wait-title" aria-live="polite">
                <h1 id="wait-title">{ t(lang, Msg::ContinueInBrowser) }</h1>
                <p class="lead">{ t(lang, Msg::ContinueInBrowserLead) }</p>
                <button id="cancel-login" class="big" onclick={cancel}>{ t(lang, Msg::Cancel) }</button>
            </section>
        };
    }

    html! {
        <section id="municipality-screen" aria-labelledby="municipality-title">
            <div class="topbar">
                <h1 id="municipality-title">{ t(lang, Msg::ChooseMunicipality) }</h1>
                <button id="back" onclick={on_back}>{ t(lang, Msg::Back) }</button>
            </div>
            <p class="lead">{ t(lang, Msg::ChooseMunicipalityLead) }</p>
            if let Some(code) = *login_error {
                <p id="login-error" class="notice error" role="alert">{ error_text(lang, code) }</p>
            }
            { body }
        </section>
    }
}
