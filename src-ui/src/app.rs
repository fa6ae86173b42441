use omsorg_core::api::Me;
use omsorg_core::ErrorCode;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::i18n::{t, Lang, Msg};
use crate::pages::home::HomePage;
use crate::pages::login::LoginPage;
use crate::pages::municipality::MunicipalityPage;
use crate::shell;

#[derive(Clone, PartialEq)]
enum Screen {
    /// Asking the shell for a stored session.
    Starting,
    /// `notice`: why we are here (e.g. the backend refused the person).
    Login {
        notice: Option<ErrorCode>,
    },
    Municipality,
    Home(Me),
}

#[function_component]
pub fn App() -> Html {
    // Danish until the shell says otherwise; web storage is never used.
    let lang = use_state(|| Lang::Da);
    let screen = use_state(|| Screen::Starting);

    {
        let lang = lang.clone();
        let screen = screen.clone();
        use_effect_with((), move |_| {
            spawn_local(async move {
                if let Ok(tag) = shell::language().await {
                    lang.set(Lang::from_tag(&tag));
                }
                screen.set(match shell::restore_session().await {
                    Ok(Some(me)) => Screen::Home(me),
                    Ok(None) => Screen::Login { notice: None },
                    Err(e) => Screen::Login {
                        notice: Some(e.code),
                    },
                });
            });
        });
    }
    {
        let tag = lang.tag();
        use_effect_with(tag, |tag| {
            if let Some(html) = gloo::utils::document().document_element() {
                let _ = html.set_attribute("lang", tag);
            }
        });
    }

    let toggle_lang = {
        let lang = lang.clone();
        Callback::from(move |_| {
            let next = lang.other();
            lang.set(next);
            spawn_local(async move {
                let _ = shell::set_language(next.tag()).await;
            });
        })
    };
    let to_login = {
        let screen = screen.clone();
        Callback::from(move |notice: Option<ErrorCode>| screen.set(Screen::Login { notice }))
    };
    let to_picker = {
        let screen = screen.clone();
        Callback::from(move |_| screen.set(Screen::Municipality))
    };
    let signed_in = {
        let screen = screen.clone();
        Callback::from(move |me: Me| screen.set(Screen::Home(me)))
    };

    html! {
        <main>
            { match &*screen {
                Screen::Starting => html! {
                    <p class="spinner" role="status">{ t(*lang, Msg::Starting) }</p>
                },
                Screen::Login { notice } => html! {
                    <LoginPage lang={*lang} notice={*notice} on_login={to_picker} on_toggle_lang={toggle_lang} />
                },
                Screen::Municipality => html! {
                    <MunicipalityPage lang={*lang} on_back={to_login.reform(|_| None)}
                        on_signed_in={signed_in} on_refused={to_login.reform(Some)} />
                },
                Screen::Home(me) => html! {
                    <HomePage lang={*lang} me={me.clone()} on_signed_out={to_login.reform(|_| None)} />
                },
            } }
        </main>
    }
}
