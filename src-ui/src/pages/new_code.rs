//! An administrator (KOMBIT, personal device) makes a one-time enrollment
//! code for a shared device in one of their municipality's units.

use omsorg_core::api::{placement, DeviceMode, EnrollmentCode, PlacementError};
use omsorg_core::ipc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::hooks::{use_shell_call, use_shell_load};
use crate::i18n::{error_text, t, Msg};
use crate::pages::PageProps;

/// What the form says about a placement the core refuses.
fn slip_text(slip: PlacementError) -> Msg {
    match slip {
        PlacementError::ApartmentMissing => Msg::ApartmentRequired,
        PlacementError::ApartmentTooLong => Msg::ApartmentTooLong,
        PlacementError::ApartmentOnWallScreen => Msg::ApartmentOnWallScreen,
    }
}

#[function_component]
pub fn NewCodePage(props: &PageProps) -> Html {
    let lang = props.lang;
    let (units, load) = use_shell_load::<ipc::AdminUnits>(&props.on_refused, 0);
    let create = use_shell_call::<ipc::CreateEnrollmentCode>(&props.on_refused);
    let mode = use_state(|| DeviceMode::ApartmentTablet);
    let slip = use_state(|| None::<PlacementError>);
    let created = use_state(|| None::<EnrollmentCode>);
    let (unit, apartment) = (use_node_ref(), use_node_ref());
    let choose = |m: DeviceMode| {
        let mode = mode.clone();
        Callback::from(move |_: MouseEvent| mode.set(m))
    };
    let submit = {
        let (unit, apartment, mode) = (unit.clone(), apartment.clone(), mode.clone());
        let (slip, created, create) = (slip.clone(), created.clone(), create.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(unit_id) = unit.cast::<HtmlSelectElement>().map(|s| s.value()) else {
                return;
            };
            // The wall screen's form has no apartment field: nothing typed.
            let typed = apartment.cast::<HtmlInputElement>().map(|i| i.value());
            let m = *mode;
            let typed = typed.filter(|_| m == DeviceMode::ApartmentTablet);
            // The core's rule, so the person sees why before anything is sent.
            let apartment = match placement(m, typed.as_deref()) {
                Ok(a) => a,
                Err(e) => return slip.set(Some(e)),
            };
            slip.set(None);
            let created = created.clone();
            let args = ipc::NewCodeArgs {
                unit_id,
                mode: m,
                apartment,
            };
            create.run(args, move |code| created.set(Some(code)));
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
                    { for units.iter().flat_map(|l| l.iter()).map(|u| html! {
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
                { match (*slip, create.problem().or(load.problem())) {
                    (Some(slip), _) => html! {
                        <p id="code-error" class="notice error" role="alert">{ t(lang, slip_text(slip)) }</p> },
                    (None, Some(code)) => html! {
                        <p id="code-error" class="notice error" role="alert">{ error_text(lang, code) }</p> },
                    (None, None) => html! {},
                } }
                <button id="code-create" type="submit" class="primary big"
                    disabled={create.busy() || units.is_none()}>{ t(lang, Msg::CreateCode) }</button>
            </form>
            <button id="code-cancel" onclick={done}>{ t(lang, Msg::Back) }</button>
        </section>
    }
}
