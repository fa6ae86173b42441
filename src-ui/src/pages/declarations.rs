//! Administrators find signed declarations and open their PDF (SPEC C4).
//! The shell saves the PDF privately and hands it to the platform's
//! viewer; the backend audits every view and every search by CPR number.

use omsorg_core::api::{DeclarationQuery, DeclarationSummary, UnitRef};
use omsorg_core::bridge::SavedPdf;
use omsorg_core::ipc;
use omsorg_core::ErrorCode;
use web_sys::HtmlSelectElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::i18n::{error_text, t, Msg};
use crate::pages::{input_value, local_time, refusal, PageProps};
use crate::shell;

#[function_component]
pub fn DeclarationSearchPage(props: &PageProps) -> Html {
    let lang = props.lang;
    let (name, user_id, date, cpr) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    let unit = use_node_ref();
    let units = use_state(Vec::<UnitRef>::new);
    {
        let units = units.clone();
        use_effect_with((), move |_| {
            spawn_local(async move {
                // Without the list the search still works, just not by unit.
                if let Ok(list) = shell::call::<ipc::AdminUnits>(&ipc::NoArgs {}).await {
                    units.set(list);
                }
            });
        });
    }
    let found = use_state(|| None::<Vec<DeclarationSummary>>);
    let problem = use_state(|| None::<ErrorCode>);
    let opened = use_state(|| None::<SavedPdf>);
    let busy = use_state(|| false);
    let search = {
        let (name, user_id, date, cpr) = (name.clone(), user_id.clone(), date.clone(), cpr.clone());
        let unit = unit.clone();
        let (found, problem, busy, refused) = (
            found.clone(),
            problem.clone(),
            busy.clone(),
            props.on_refused.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let query = DeclarationQuery {
                name: input_value(&name),
                user_id: input_value(&user_id),
                unit_id: unit
                    .cast::<HtmlSelectElement>()
                    .map(|s| s.value())
                    .unwrap_or_default(),
                date: input_value(&date),
                cpr: input_value(&cpr),
            };
            let (found, problem, busy, refused) = (
                found.clone(),
                problem.clone(),
                busy.clone(),
                refused.clone(),
            );
            busy.set(true);
            spawn_local(async move {
                let r = shell::call::<ipc::SearchDeclarations>(&ipc::QueryArgs {
                    query: query.clone(),
                })
                .await;
                busy.set(false);
                match r {
                    Ok(l) => {
                        problem.set(None);
                        found.set(Some(l.declarations));
                    }
                    Err(e) if refusal(e.code) => refused.emit(e.code),
                    Err(e) => problem.set(Some(e.code)),
                }
            });
        })
    };
    let show = |id: String| {
        let (opened, problem, refused) =
            (opened.clone(), problem.clone(), props.on_refused.clone());
        Callback::from(move |_: MouseEvent| {
            let (opened, problem, refused, id) =
                (opened.clone(), problem.clone(), refused.clone(), id.clone());
            spawn_local(async move {
                match shell::call::<ipc::OpenDeclaration>(&ipc::IdArgs { id: id.clone() }).await {
                    Ok(saved) => opened.set(Some(saved)),
                    Err(e) if refusal(e.code) => refused.emit(e.code),
                    Err(e) => problem.set(Some(e.code)),
                }
            });
        })
    };
    html! {
        <section id="declaration-search" aria-labelledby="declarations-title">
            <div class="topbar">
                <h1 id="declarations-title">{ t(lang, Msg::SearchDeclarations) }</h1>
                <button id="declarations-back" onclick={props.on_done.reform(|_: MouseEvent| ())}>{ t(lang, Msg::Back) }</button>
            </div>
            <p class="lead">{ t(lang, Msg::DeclarationsLead) }</p>
            <form class="pin-form" onsubmit={search}>
                <label for="search-name">{ t(lang, Msg::Name) }</label>
                <input id="search-name" ref={name} type="text" autocomplete="off" />
                <label for="search-user-id">{ t(lang, Msg::UserIdLabel) }</label>
                <input id="search-user-id" ref={user_id} type="text" autocomplete="off" />
                <label for="search-unit">{ t(lang, Msg::Unit) }</label>
                <select id="search-unit" ref={unit}>
                    <option value="">{ t(lang, Msg::AllUnits) }</option>
                    { for units.iter().map(|u| html! { <option value={u.id.clone()}>{ &u.name }</option> }) }
                </select>
                <label for="search-date">{ t(lang, Msg::Date) }</label>
                <input id="search-date" ref={date} type="date" />
                <label for="search-cpr">{ t(lang, Msg::CprExact) }</label>
                <input id="search-cpr" ref={cpr} type="text" inputmode="numeric" autocomplete="off" maxlength="11" />
                <button id="search-go" class="primary" type="submit" disabled={*busy}>{ t(lang, Msg::Search) }</button>
            </form>
            if let Some(code) = *problem {
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
