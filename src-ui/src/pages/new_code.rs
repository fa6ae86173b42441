//! An administrator (KOMBIT, personal device) makes a one-time enrollment
//! code for a shared device in one of their municipality's units.

use omsorg_core::api::{DeviceMode, EnrollmentCode, UnitRef};
use omsorg_core::ipc;
use omsorg_core::ErrorCode;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::i18n::{error_text, t, Msg};
use crate::pages::{refusal, PageProps};
use crate::shell;

#[derive(Clone, PartialEq)]
enum Problem {
    Code(ErrorCode),
    ApartmentMissing,
}

#[function_component]
pub fn NewCodePage(props: &PageProps) -> Html {
    let lang = props.lang;
    let units = use_state(|| None::<Vec<UnitRef>>);
    let mode = use_state(|| DeviceMode::ApartmentTablet);
    let problem = use_state(|| None::<Problem>);
    let created = use_state(|| None::<EnrollmentCode>);
    let busy = use_state(|| false);
    let (unit, apartment) = (use_node_ref(), use_node_ref());
    {
        let (units, problem, refused) = (units.clone(), problem.clone(), props.on_refused.clone());
        use_effect_with((), move |_| {
            spawn_local(async move {
                match shell::call::<ipc::AdminUnits>(&ipc::NoArgs {}).await {
                    Ok(list) => units.set(Some(list)),
                    Err(e) if refusal(e.code) => refused.emit(e.code),
                    Err(e) => problem.set(Some(Problem::Code(e.code))),
                }
            });
        });
    }
    let choose = |m: DeviceMode| {
        let mode = mode.clone();
        Callback::from(move |_: MouseEvent| mode.set(m))
    };
    let submit = {
        let (unit, apartment, mode, problem, created, busy, refused) = (
            unit.clone(),
            apartment.clone(),
            mode.clone(),
            problem.clone(),
            created.clone(),
            busy.clone(),
            props.on_refused.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(unit_id) = unit.cast::<HtmlSelectElement>().map(|s| s.value()) else {
                return;
            };
            let apt = apartment
                .cast::<HtmlInputElement>()
                .map(|i| i.value().trim().to_string())
                .filter(|a| !a.is_empty());
            let m = *mode;
            if m == DeviceMode::ApartmentTablet && apt.is_none() {
                problem.set(Some(Problem::ApartmentMissing));
                return;
            }
            let (problem, created, busy, refused) = (
                problem.clone(),
                created.clone(),
                busy.clone(),
                refused.clone(),
            );
            busy.set(true);
            spawn_local(async move {
                let apt = if m == DeviceMode::WallScreen {
                    None
                } else {
                    apt
                };
                let result = shell::call::<ipc::CreateEnrollmentCode>(&ipc::NewCodeArgs {
                    unit_id: unit_id.clone(),
                    mode: m,
                    apartment: apt.clone(),
                })
                .await;
                busy.set(false);
                match result {
                    Ok(code) => {
                        problem.set(None);
                        created.set(Some(code));
                    }
                    Err(e) if refusal(e.code) => refused.emit(e.code),
                    Err(e) => problem.set(Some(Problem::Code(e.code))),
                }
            });
        })
    };
    let done = props.on_done.reform(|_: MouseEvent| ());
    if let Some(code) = &*created {
        let until = js_sys::Date::new(&code.expires_at.to_rfc3339().into());
        return html! {
            <section id="new-code-screen" aria-labelledby="new-code-title">
                <h1 id="new-code-title">{ t(lang, Msg::NewCodeTitle) }</h1>
                <p id="enrollment-code" class="big-code" aria-live="polite">{ &code.code }</p>
                <p>{ t(lang, Msg::CodeValidUntil) }{ " " }
                    <span id="code-expires">{ format!("{:02}:{:02}", until.get_hours(), until.get_minutes()) }</span></p>
                <p class="lead">{ t(lang, Msg::CodeShowOnce) }</p>
                <button id="code-done" class="primary big" onclick={done}>{ t(lang, Msg::Done) }</button>
            </section>
        };
    }
    let m = *mode;
    html! {
        <section id="new-code-screen" aria-labelledby="new-code-title">
            <h1 id="new-code-title">{ t(lang, Msg::NewCodeTitle) }</h1>
            <p class="lead">{ t(lang, Msg::NewCodeLead) }</p>
            <form class="pin-form" onsubmit={submit}>
                <label for="code-unit">{ t(lang, Msg::Unit) }</label>
                <select id="code-unit" ref={unit}>
                    { for units.iter().flatten().map(|u| html! {
                        <option value={u.id.clone()}>{ &u.name }</option>
                    }) }
                </select>
                <fieldset class="choice">
                    <legend>{ t(lang, Msg::DeviceKind) }</legend>
                    <button type="button" id="code-mode-tablet" aria-pressed={(m == DeviceMode::ApartmentTablet).to_string()}
                        onclick={choose(DeviceMode::ApartmentTablet)}>{ t(lang, Msg::ApartmentTablet) }</button>
                    <button type="button" id="code-mode-wall" aria-pressed={(m == DeviceMode::WallScreen).to_string()}
                        onclick={choose(DeviceMode::WallScreen)}>{ t(lang, Msg::WallScreen) }</button>
                </fieldset>
                if m == DeviceMode::ApartmentTablet {
                    <label for="code-apartment">{ t(lang, Msg::Apartment) }</label>
                    <input id="code-apartment" ref={apartment} type="text" maxlength="40"
                        autocomplete="off" aria-describedby="code-error" />
                }
                { match &*problem {
                    Some(Problem::Code(code)) => html! {
                        <p id="code-error" class="notice error" role="alert">{ error_text(lang, *code) }</p> },
                    Some(Problem::ApartmentMissing) => html! {
                        <p id="code-error" class="notice error" role="alert">{ t(lang, Msg::ApartmentRequired) }</p> },
                    None => html! {},
                } }
                <button id="code-create" type="submit" class="primary big"
                    disabled={*busy || units.is_none()}>{ t(lang, Msg::CreateCode) }</button>
            </form>
            <button id="code-cancel" onclick={done}>{ t(lang, Msg::Back) }</button>
        </section>
    }
}
