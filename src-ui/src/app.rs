use yew::platform::spawn_local;
use yew::prelude::*;

use crate::i18n::Lang;
use crate::pages::login::LoginPage;
use crate::pages::municipality::MunicipalityPage;
use crate::shell;

#[derive(Clone, Copy, PartialEq)]
enum Screen {
    Login,
    Municipality,
}

#[function_component]
pub fn App() -> Html {
    // Danish until the shell says otherwise; web storage is never used.
    let lang = use_state(|| Lang::Da);
    let screen = use_state(|| Screen::Login);

    {
        let lang = lang.clone();
        use_effect_with((), move |_| {
            spawn_local(async move {
                if let Ok(tag) = shell::language().await {
                    lang.set(Lang::from_tag(&tag));
                }
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
    let go = |target: Screen| {
        let screen = screen.clone();
        Callback::from(move |_| screen.set(target))
    };

    html! {
        <main>
            { match *screen {
                Screen::Login => html! {
                    <LoginPage lang={*lang} on_login={go(Screen::Municipality)} on_toggle_lang={toggle_lang} />
                },
                Screen::Municipality => html! {
                    <MunicipalityPage lang={*lang} on_back={go(Screen::Login)} />
                },
            } }
        </main>
    }
}
