//! Administrators find signed declarations and open their PDF (SPEC C4).
//! The shell saves the PDF privately and hands it to the platform's
//! viewer; the backend audits every view and every search by CPR number.

use omsorg_core::api::{DeclarationQuery, DeclarationSummary};
use omsorg_core::bridge::SavedPdf;
use omsorg_core::ipc;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::hooks::{use_shell_call, use_shell_load};
use crate::i18n::{error_text, t, Msg};
use crate::pages::{input_value, local_time, PageProps};

#[function_component]
pub fn DeclarationSearchPage(props: &PageProps) -> Html {
    let lang = props.lang;
    let (name, user_id, date, cpr) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    // The unit chosen, held here: the options arrive after the first draw,
    // and the picker must not fall on one of them by itself.
    let unit = use_state(String::new);
    let pick_unit = {
        let unit = unit.clone();
        Callback::from(move |e: Event| {
            unit.set(e.target_unchecked_into::<HtmlSelectElement>().value());
        })
    };
    // Without the unit list the search still works, just not by unit: its
    // problem is not shown.
    let (units, _) = use_shell_load::<ipc::AdminUnits>(&props.on_refused, 0);
    let search_call = use_shell_call::<ipc::SearchDeclarations>(&props.on_refused);
    let open_call = use_shell_call::<ipc::OpenDeclaration>(&props.on_refused);
    let found = use_state(|| None::<Vec<DeclarationSummary>>);
    let opened = use_state(|| None::<SavedPdf>);
    let search = {
        let (name, user_id, date, cpr) = (name.clone(), user_id.clone(), date.clone(), cpr.clone());
        let (unit, found, call) = (unit.clone(), found.clone(), search_call.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let query = DeclarationQuery {
                name: input_value(&name),
                user_id: input_value(&user_id),
                unit_id: (*unit).clone(),
                // Typed the Danish way (25.12.2026); sent as the API's
                // YYYY-MM-DD (what does not parse is sent as typed and
                // refused with a clear message).
                date: {
                    let typed = input_value(&date);
                    omsorg_core::danish_time::parse_date(&typed)
                        .map_or(typed, |d| d.format("%Y-%m-%d").to_string())
                },
                cpr: input_value(&cpr),
            };
            let found = found.clone();
            call.run(ipc::QueryArgs { query }, move |l| {
                found.set(Some(l.declarations))
            });
        })
    };
    let show = |id: String| {
        let (opened, call) = (opened.clone(), open_call.clone());
        Callback::from(move |_: MouseEvent| {
            let opened = opened.clone();
            call.run(ipc::IdArgs { id: id.clone() }, move |saved| {
                opened.set(Some(saved))
            });
        })
    };
    let problem = search_call.problem().or(open_call.problem());
    html! {
        <section id="declaration-search" aria-labelledby="declarations-title">
            <div class="topbar">
                <h1 id="declarations-title">{ t(lang, Msg::SearchDeclarations) }</h1>
                <button id="declarations-back" onclick={props.on_done.reform(|_: MouseEvent| ())}>{ t(lang, Msg::Back) }</button>
            </div>
            <p class="lead">{ t(lang, Msg::DeclarationsLead) }</p>
            <form class="pin-form" onsubmit={search}>
                <label for="search-name">{ t(lang, Msg::Name) }</label>
                <input id="search-name" class="words" ref={name} type="text" autocomplete="off" />
                <label for="search-user-id">{ t(lang, Msg::UserIdLabel) }</label>
                <input id="search-user-id" class="words" ref={user_id} type="text" autocomplete="off" />
                <label for="search-unit">{ t(lang, Msg::Unit) }</label>
                <select id="search-unit" onchange={pick_unit}>
                    <option value="" selected={unit.is_empty()}>{ t(lang, Msg::AllUnits) }</option>
                    { for units.iter().flat_map(|l| l.iter()).map(|u| html! {
                        <option value={u.id.clone()} selected={*unit == u.id}>{ &u.name }</option>
                    }) }
                </select>
                <label for="search-date">{ t(lang, Msg::Date) }</label>
                <input id="search-date" ref={date} type="text" inputmode="numeric"
                    placeholder="dd.mm.åååå" autocomplete="off" maxlength="10" />
                <label for="search-cpr">{ t(lang, Msg::CprExact) }</label>
                <input id="search-cpr" ref={cpr} type="text" inputmode="numeric" autocomplete="off" maxlength="11" />
                <button id="search-go" class="primary" type="submit" disabled={search_call.busy()}>{ t(lang, Msg::Search) }</button>
            </form>
            if let Some(code) = problem {
                <p id="declarations-problem" class="notice error" role="alert">{ error_text(lang, code) }</p>
            }
            if let Some(saved) = &*opened {
                <p id="pdf-opened" class="notice" role="status">
                    if saved.opened { { t(lang, Msg::PdfOpened) } } else { { t(lang, Msg::PdfSaved) } }
                    <br/><span id="pdf-path" class="code">{ &saved.path }</span>
                </p>
            }
            { match &*found {
                None => html! {},
                Some(l) if l.is_empty() => html! { <p id="no-declarations">{ t(lang, Msg::NoResults) }</p> },
                Some(l) => html! {
                    <ul class="cards" id="declaration-results">
                        { for l.iter().map(|d| html! {
                            <li class="card" key={d.access_id.clone()}>
                                <h2>{ &d.substitute_name }{ " · " }<span class="code">{ &d.user_id }</span></h2>
                                <dl class="facts">
                                    <dt>{ t(lang, Msg::StepCpr) }</dt><dd>{ &d.cpr_masked }</dd>
                                    <dt>{ t(lang, Msg::Signed) }</dt><dd>{ local_time(d.signed_at) }</dd>
                                    <dt>{ t(lang, Msg::OrderedBy) }</dt><dd>{ &d.orderer_name }</dd>
                                    <dt>{ t(lang, Msg::Version) }</dt><dd>{ &d.declaration_version }</dd>
                                </dl>
                                <button class="show-pdf" onclick={show(d.access_id.clone())}>{ t(lang, Msg::ShowPdf) }</button>
                            </li>
                        }) }
                    </ul>
                },
            } }
        </section>
    }
}
