//! The audit log for administrators: who did what, to what and when, in
//! their municipality; filtered by actor, kind of act, subject and days,
//! newest first a page at a time, and exported as CSV or Excel. The
//! backend audits every read and export.

use omsorg_core::api::{AuditEntry, AuditQuery, ExportFormat};
use omsorg_core::bridge::SavedExport;
use omsorg_core::ipc;
use yew::prelude::*;

use crate::hooks::use_shell_call;
use crate::i18n::{error_text, t, Admin, Msg};
use crate::pages::{api_day, input_value, local_time, PageProps};

/// The kinds of act offered as a filter: the actions' beginnings.
const KINDS: &[(&str, Admin)] = &[
    ("pin.", Admin::KindPin),
    ("device.", Admin::KindDevices),
    ("enrollment_code.", Admin::KindEnrollment),
    ("substitute_access", Admin::KindOrders),
    ("substitute_id", Admin::KindIds),
    ("cpr", Admin::KindCpr),
    ("declaration", Admin::KindDeclarations),
    ("person.", Admin::KindPeople),
    ("unit.", Admin::KindUnits),
    ("audit.", Admin::KindAudit),
];

#[function_component]
pub fn AuditLogPage(props: &PageProps) -> Html {
    let lang = props.lang;
    let (actor, kind, subject, from, to) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    let call = use_shell_call::<ipc::AuditLog>(&props.on_refused);
    let export_call = use_shell_call::<ipc::ExportAudit>(&props.on_refused);
    // The filter of the rows shown (the next page and the export use it).
    let shown = use_state(|| None::<AuditQuery>);
    let rows = use_state(Vec::<AuditEntry>::new);
    let next = use_state(|| None::<i64>);
    let bad_day = use_state(|| false);
    let saved = use_state(|| None::<SavedExport>);
    let load = {
        let (call, shown, rows, next) = (call.clone(), shown.clone(), rows.clone(), next.clone());
        Callback::from(move |(query, append): (AuditQuery, bool)| {
            let (shown, rows, next) = (shown.clone(), rows.clone(), next.clone());
            let kept = query.clone();
            call.run(ipc::AuditArgs { query }, move |page| {
                let mut all = if append { (*rows).clone() } else { Vec::new() };
                all.extend(page.entries);
                rows.set(all);
                next.set(page.next_before);
                shown.set(Some(AuditQuery {
                    before: None,
                    ..kept
                }));
            });
        })
    };
    {
        let load = load.clone();
        use_effect_with((), move |_| load.emit((AuditQuery::default(), false)));
    }
    let search = {
        let (actor, kind, subject, from, to) = (
            actor.clone(),
            kind.clone(),
            subject.clone(),
            from.clone(),
            to.clone(),
        );
        let (load, bad_day, saved) = (load.clone(), bad_day.clone(), saved.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (Ok(from), Ok(to)) = (api_day(&input_value(&from)), api_day(&input_value(&to)))
            else {
                return bad_day.set(true);
            };
            bad_day.set(false);
            saved.set(None);
            let query = AuditQuery {
                actor: input_value(&actor),
                action: input_value(&kind),
                subject: input_value(&subject),
                from,
                to,
                before: None,
            };
            load.emit((query, false));
        })
    };
    let more = {
        let (load, shown, next) = (load.clone(), shown.clone(), next.clone());
        Callback::from(move |_: MouseEvent| {
            if let (Some(q), Some(before)) = ((*shown).clone(), *next) {
                load.emit((
                    AuditQuery {
                        before: Some(before),
                        ..q
                    },
                    true,
                ));
            }
        })
    };
    let export = |format: ExportFormat| {
        let (call, shown, saved) = (export_call.clone(), shown.clone(), saved.clone());
        Callback::from(move |_: MouseEvent| {
            let query = (*shown).clone().unwrap_or_default();
            let saved = saved.clone();
            call.run(ipc::AuditExportArgs { query, format }, move |s| {
                saved.set(Some(s))
            });
        })
    };
    let problem = call.problem().or(export_call.problem());
    html! {
        <section id="audit-log" aria-labelledby="audit-title">
            <div class="topbar">
                <h1 id="audit-title">{ t(lang, Admin::AuditLog) }</h1>
                <button id="audit-back" onclick={props.on_done.reform(|_: MouseEvent| ())}>{ t(lang, Msg::Back) }</button>
            </div>
            <p class="lead">{ t(lang, Admin::AuditLead) }</p>
            <form class="pin-form" role="search" onsubmit={search}>
                <label for="audit-actor">{ t(lang, Admin::Actor) }</label>
                <input id="audit-actor" class="words" ref={actor} type="text" autocomplete="off" maxlength="100" />
                <label for="audit-kind">{ t(lang, Admin::Kind) }</label>
                <select id="audit-kind" ref={kind}>
                    <option value="">{ t(lang, Admin::AllKinds) }</option>
                    { for KINDS.iter().map(|(prefix, name)| html! {
                        <option value={*prefix}>{ t(lang, *name) }</option>
                    }) }
                </select>
                <label for="audit-subject">{ t(lang, Admin::Subject) }</label>
                <input id="audit-subject" class="words" ref={subject} type="text" autocomplete="off" maxlength="100" />
                <label for="audit-from">{ t(lang, Admin::FromDay) }</label>
                <input id="audit-from" ref={from} type="text" inputmode="numeric"
                    placeholder="dd.mm.åååå" autocomplete="off" maxlength="10" aria-describedby="audit-day-error" />
                <label for="audit-to">{ t(lang, Admin::ToDay) }</label>
                <input id="audit-to" ref={to} type="text" inputmode="numeric"
                    placeholder="dd.mm.åååå" autocomplete="off" maxlength="10" aria-describedby="audit-day-error" />
                if *bad_day {
                    <p id="audit-day-error" class="notice error" role="alert">{ t(lang, Admin::DayInvalid) }</p>
                }
                <button id="audit-go" class="primary" type="submit" disabled={call.busy()}>{ t(lang, Msg::Search) }</button>
            </form>
            <nav class="menu" aria-label={t(lang, Admin::Export)}>
                <button id="audit-export-csv" onclick={export(ExportFormat::Csv)} disabled={export_call.busy()}>{ t(lang, Admin::ExportCsv) }</button>
                <button id="audit-export-xlsx" onclick={export(ExportFormat::Xlsx)} disabled={export_call.busy()}>{ t(lang, Admin::ExportXlsx) }</button>
            </nav>
            if let Some(s) = &*saved {
                <p id="audit-saved" class="notice" role="status">
                    { t(lang, Admin::ExportSaved) }<br/><span id="audit-saved-path" class="code">{ &s.path }</span>
                </p>
            }
            if let Some(code) = problem {
                <p class="notice error" role="alert">{ error_text(lang, code) }</p>
            }
            if shown.is_some() && rows.is_empty() {
                <p class="notice" role="status">{ t(lang, Msg::NoResults) }</p>
            }
            <ul class="cards" id="audit-rows">
                { for rows.iter().map(|e| html! {
                    <li class="card audit-row" key={e.id} data-action={e.action.clone()}>
                        <h2><span class="code action">{ &e.action }</span></h2>
                        <dl class="facts">
                            <dt>{ t(lang, Admin::When) }</dt><dd>{ local_time(e.at) }</dd>
                            <dt>{ t(lang, Admin::Actor) }</dt>
                            <dd class="actor">{ match &e.actor {
                                Some(a) => format!("{} ({})", a.name, a.user_id),
                                None => t(lang, Admin::NoPerson).to_string(),
                            } }</dd>
                            <dt>{ t(lang, Admin::Subject) }</dt><dd class="subject">{ &e.subject }</dd>
                        </dl>
                    </li>
                }) }
            </ul>
            if next.is_some() {
                <button id="audit-more" onclick={more} disabled={call.busy()}>{ t(lang, Admin::ShowMore) }</button>
            }
        </section>
    }
}
