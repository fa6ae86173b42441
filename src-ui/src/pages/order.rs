//! "Bestil vikaradgang" (SPEC C4): photo ID seen → CPR number and the
//! register's name confirmed → period → a reserved user ID → the
//! declaration signed → review → send → receipt. Every change is handed to
//! the shell, which keeps the draft sealed: the lock, a crash or going back
//! and forth loses nothing. Sending is the shell's (one idempotency key,
//! retried); the receipt's one-time password lives only in this page.

use chrono::{Local, NaiveDate, Utc};
use omsorg_core::api::{IdDocument, SubstituteAccessReceipt};
use omsorg_core::bridge::OrderDraft;
use omsorg_core::cpr::Cpr;
use omsorg_core::ipc;
use omsorg_core::period::{default_day, last_day, AccessPeriod, PeriodError};
use omsorg_core::signature::is_signed;
use omsorg_core::wizard::WizardStep;
use omsorg_core::{declaration, ErrorCode};
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::components::signature_pad::{export_png, SignaturePad};
use crate::i18n::{error_text, t, Lang, Msg};
use crate::pages::{input_value, local_time, refusal, PageProps};
use crate::shell;

const STEPS: [Msg; 6] = [
    Msg::StepId,
    Msg::StepCpr,
    Msg::StepPeriod,
    Msg::StepUserId,
    Msg::StepDeclaration,
    Msg::StepReview,
];
const ID_DOCUMENTS: [(IdDocument, Msg); 4] = [
    (IdDocument::Sundhedskort, Msg::IdSundhedskort),
    (IdDocument::Pas, Msg::IdPas),
    (IdDocument::Koerekort, Msg::IdKoerekort),
    (IdDocument::Opholdskort, Msg::IdOpholdskort),
];

fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// The period the draft asks for, as it would be if sent now.
fn period(draft: &OrderDraft) -> Result<AccessPeriod, PeriodError> {
    draft.period(Utc::now(), today())
}

/// Whether the step's input is complete enough to go on (the core's rule,
/// which the shell applies again before sending).
fn step_done(draft: &OrderDraft, step: u8) -> bool {
    draft
        .check_step(WizardStep::of(step), Utc::now(), today())
        .is_ok()
}

fn id_name(document: IdDocument) -> Msg {
    ID_DOCUMENTS
        .iter()
        .find(|(d, _)| *d == document)
        .map_or(Msg::IdPas, |(_, m)| *m)
}

#[function_component]
pub fn OrderWizard(props: &PageProps) -> Html {
    let lang = props.lang;
    let draft = use_state(|| None::<OrderDraft>);
    let problem = use_state(|| None::<ErrorCode>);
    let busy = use_state(|| false);
    let receipt = use_state(|| None::<SubstituteAccessReceipt>);
    let not_sent = use_state(|| false);
    let cpr_input = use_node_ref();

    // The kept draft, or a new one.
    {
        let (draft, problem, refused) = (draft.clone(), problem.clone(), props.on_refused.clone());
        use_effect_with((), move |_| {
            spawn_local(async move {
                match shell::call::<ipc::LoadOrderDraft>(&ipc::NoArgs {}).await {
                    Ok(kept) => draft.set(Some(kept.unwrap_or_else(|| OrderDraft {
                        declaration_version: declaration::current().0.to_string(),
                        ..OrderDraft::default()
                    }))),
                    Err(e) if refusal(e.code) => refused.emit(e.code),
                    Err(e) => problem.set(Some(e.code)),
                }
            });
        });
    }
    // Every change goes to the shell at once.
    let update = {
        let (draft, refused) = (draft.clone(), props.on_refused.clone());
        Callback::from(move |next: OrderDraft| {
            draft.set(Some(next.clone()));
            let refused = refused.clone();
            spawn_local(async move {
                if let Err(e) = shell::call::<ipc::SaveOrderDraft>(&ipc::DraftArgs {
                    draft: next.clone(),
                })
                .await
                {
                    if refusal(e.code) {
                        refused.emit(e.code);
                    }
                }
            });
        })
    };

    if let Some(r) = &*receipt {
        return receipt_view(lang, r, props.on_done.clone());
    }
    let Some(d) = (*draft).clone() else {
        return html! {
            <section id="order-wizard">
                <h1>{ t(lang, Msg::OrderSubstitute) }</h1>
                if let Some(code) = *problem {
                    <p class="notice error" role="alert">{ error_text(lang, code) }</p>
                } else {
                    <p class="spinner" role="status">{ t(lang, Msg::Loading) }</p>
                }
            </section>
        };
    };
    let step = d.step.min(5);
    let go = |to: u8| {
        let (update, d, problem) = (update.clone(), d.clone(), problem.clone());
        Callback::from(move |_: MouseEvent| {
            problem.set(None);
            let mut next = d.clone();
            if d.step == 4 && to == 5 {
                next.signature_png = export_png(&d.strokes);
            }
            next.step = to;
            update.emit(next);
        })
    };

    let body = match step {
        0 => {
            let buttons = ID_DOCUMENTS.iter().map(|(document, msg)| {
                let pick = *document;
                let chosen = d.id_document == Some(pick);
                let (update, d) = (update.clone(), d.clone());
                let onclick = Callback::from(move |_: MouseEvent| {
                    update.emit(OrderDraft {
                        id_document: Some(pick),
                        ..d.clone()
                    })
                });
                let id = match pick {
                    IdDocument::Sundhedskort => "id-sundhedskort",
                    IdDocument::Pas => "id-pas",
                    IdDocument::Koerekort => "id-koerekort",
                    IdDocument::Opholdskort => "id-opholdskort",
                };
                html! {
                    <li><button {id} aria-pressed={chosen.to_string()} {onclick}>
                        { t(lang, *msg) }{ if chosen { " ✓" } else { "" } }
                    </button></li>
                }
            });
            html! {
                <>
                    <p class="lead">{ t(lang, Msg::IdLead) }</p>
                    <ul class="list">{ for buttons }</ul>
                </>
            }
        }
        1 => {
            let lookup = {
                let (update, d, problem, busy, node) = (
                    update.clone(),
                    d.clone(),
                    problem.clone(),
                    busy.clone(),
                    cpr_input.clone(),
                );
                Callback::from(move |e: SubmitEvent| {
                    e.prevent_default();
                    let typed = input_value(&node);
                    // Checked here first: a malformed number never leaves the page.
                    if Cpr::parse(&typed).is_err() {
                        problem.set(Some(ErrorCode::CprInvalid));
                        return;
                    }
                    let (update, d, problem, busy) =
                        (update.clone(), d.clone(), problem.clone(), busy.clone());
                    busy.set(true);
                    problem.set(None);
                    spawn_local(async move {
                        let found =
                            shell::call::<ipc::LookupCpr>(&ipc::CprArgs { cpr: typed.clone() })
                                .await;
                        busy.set(false);
                        match found {
                            Ok(person) => update.emit(OrderDraft {
                                cpr: typed,
                                person: Some(person),
                                name_confirmed: false,
                                ..d
                            }),
                            Err(e) => {
                                problem.set(Some(e.code));
                                update.emit(OrderDraft {
                                    cpr: typed,
                                    person: None,
                                    name_confirmed: false,
                                    ..d
                                });
                            }
                        }
                    });
                })
            };
            // Kept as typed (the lock loses nothing); another number takes
            // back the name found for the last one.
            let typed = {
                let (update, d) = (update.clone(), d.clone());
                Callback::from(move |e: InputEvent| {
                    let value = e.target_unchecked_into::<HtmlInputElement>().value();
                    if value != d.cpr {
                        update.emit(OrderDraft {
                            cpr: value,
                            person: None,
                            name_confirmed: false,
                            ..d.clone()
                        });
                    }
                })
            };
            let confirm = {
                let (update, d) = (update.clone(), d.clone());
                Callback::from(move |_: MouseEvent| {
                    update.emit(OrderDraft {
                        name_confirmed: !d.name_confirmed,
                        ..d.clone()
                    })
                })
            };
            html! {
                <>
                    <p class="lead">{ t(lang, Msg::CprLead) }</p>
                    <form onsubmit={lookup} class="pin-form">
                        <label for="cpr">{ t(lang, Msg::StepCpr) }</label>
                        <input id="cpr" ref={cpr_input.clone()} type="text" inputmode="numeric"
                            autocomplete="off" maxlength="11" placeholder="DDMMÅÅ-XXXX"
                            value={d.cpr.clone()} oninput={typed} />
                        <button id="cpr-lookup" type="submit" disabled={*busy}>{ t(lang, Msg::LookUp) }</button>
                    </form>
                    if let Some(person) = &d.person {
                        <div class="user-id-card">
                            <span class="code">{ t(lang, Msg::RegisterName) }</span>
                            <span id="register-name" class="user-id">{ &person.name }</span>
                            <span class="code">{ &person.cpr_masked }</span>
                        </div>
                        <button id="confirm-name" aria-pressed={d.name_confirmed.to_string()} onclick={confirm}
                            class={if d.name_confirmed { "primary" } else { "" }}>
                            { if d.name_confirmed { t(lang, Msg::NameConfirmed) } else { t(lang, Msg::ConfirmName) } }
                            { if d.name_confirmed { " ✓" } else { "" } }
                        </button>
                    }
                </>
            }
        }
        2 => {
            let day = d.end_day.unwrap_or_else(|| default_day(today()));
            let pick = {
                let (update, d) = (update.clone(), d.clone());
                Callback::from(move |e: Event| {
                    let value = e.target_unchecked_into::<HtmlInputElement>().value();
                    if let Ok(day) = NaiveDate::parse_from_str(&value, "%Y-%m-%d") {
                        update.emit(OrderDraft {
                            end_day: Some(day),
                            ..d.clone()
                        });
                    }
                })
            };
            let checked = period(&d);
            html! {
                <>
                    <p class="lead">{ t(lang, Msg::PeriodLead) }</p>
                    <label for="end-day">{ t(lang, Msg::LastDay) }</label>
                    <input id="end-day" type="date" value={day.format("%Y-%m-%d").to_string()}
                        min={(today() + chrono::Duration::days(1)).format("%Y-%m-%d").to_string()}
                        max={last_day(today()).format("%Y-%m-%d").to_string()}
                        onchange={pick} aria-describedby="period-check" />
                    { match checked {
                        Ok(p) => html! {
                            <p id="period-check" class="notice" role="status">
                                { t(lang, Msg::AccessEnds) }{ ": " }<strong id="access-ends">{ local_time(p.end()) }</strong>
                            </p>
                        },
                        Err(e) => html! {
                            <p id="period-check" class="notice error" role="alert">{ error_text(lang, e.code()) }</p>
                        },
                    } }
                </>
            }
        }
        3 => {
            let reserve = {
                let (update, d, problem, busy) =
                    (update.clone(), d.clone(), problem.clone(), busy.clone());
                Callback::from(move |_: MouseEvent| {
                    let (update, d, problem, busy) =
                        (update.clone(), d.clone(), problem.clone(), busy.clone());
                    busy.set(true);
                    spawn_local(async move {
                        let reserved =
                            shell::call::<ipc::ReserveSubstituteId>(&ipc::NoArgs {}).await;
                        busy.set(false);
                        match reserved {
                            Ok(r) => {
                                problem.set(None);
                                update.emit(OrderDraft {
                                    reservation: Some(r),
                                    ..d
                                });
                            }
                            Err(e) => problem.set(Some(e.code)),
                        }
                    });
                })
            };
            let live = d
                .reservation
                .as_ref()
                .filter(|r| r.reserved_until > Utc::now());
            html! {
                <>
                    <p class="lead">{ t(lang, Msg::UserIdLead) }</p>
                    if let Some(r) = live {
                        <div class="user-id-card">
                            <span id="reserved-user-id" class="user-id">{ &r.user_id }</span>
                            <span class="code">{ t(lang, Msg::ReservedUntil) }{ " " }{ local_time(r.reserved_until) }</span>
                        </div>
                    } else {
                        <button id="reserve" class="primary big" onclick={reserve} disabled={*busy}>
                            { if d.reservation.is_some() { t(lang, Msg::ReserveAgain) } else { t(lang, Msg::StepUserId) } }
                        </button>
                    }
                </>
            }
        }
        4 => {
            let text =
                declaration::text(&d.declaration_version).unwrap_or(declaration::current().1);
            let strokes_changed = {
                let (update, d) = (update.clone(), d.clone());
                Callback::from(move |strokes| {
                    update.emit(OrderDraft {
                        strokes,
                        signature_png: None,
                        ..d.clone()
                    })
                })
            };
            html! {
                <>
                    <p class="lead">{ t(lang, Msg::DeclarationLead) }</p>
                    <article id="declaration-text" class="declaration" tabindex="0">
                        { for text.split("\n\n").map(|p| html! { <p>{ p }</p> }) }
                        <p class="code">{ t(lang, Msg::Version) }{ " " }{ &d.declaration_version }</p>
                    </article>
                    <SignaturePad {lang} strokes={d.strokes.clone()} on_change={strokes_changed} />
                    if !is_signed(&d.strokes) {
                        <p class="lead">{ t(lang, Msg::SignFirst) }</p>
                    }
                </>
            }
        }
        _ => review(lang, &d),
    };

    let send = {
        let (problem, busy, receipt, not_sent, d, update) = (
            problem.clone(),
            busy.clone(),
            receipt.clone(),
            not_sent.clone(),
            d.clone(),
            update.clone(),
        );
        let refused = props.on_refused.clone();
        Callback::from(move |_: MouseEvent| {
            let (problem, busy, receipt, not_sent, d, update, refused) = (
                problem.clone(),
                busy.clone(),
                receipt.clone(),
                not_sent.clone(),
                d.clone(),
                update.clone(),
                refused.clone(),
            );
            busy.set(true);
            problem.set(None);
            spawn_local(async move {
                // The draft as shown is what is sent.
                let _ =
                    shell::call::<ipc::SaveOrderDraft>(&ipc::DraftArgs { draft: d.clone() }).await;
                let result = shell::call::<ipc::SubmitOrder>(&ipc::NoArgs {}).await;
                busy.set(false);
                match result {
                    Ok(r) => receipt.set(Some(r)),
                    Err(e) if refusal(e.code) => refused.emit(e.code),
                    Err(e) => {
                        not_sent.set(e.code.is_transient());
                        if e.code == ErrorCode::ReservationInvalid {
                            update.emit(OrderDraft {
                                reservation: None,
                                step: 3,
                                ..d
                            });
                        }
                        problem.set(Some(e.code));
                    }
                }
            });
        })
    };
    let discard = {
        let done = props.on_done.clone();
        Callback::from(move |_: MouseEvent| {
            let done = done.clone();
            spawn_local(async move {
                let _ = shell::call::<ipc::DiscardOrderDraft>(&ipc::NoArgs {}).await;
                done.emit(());
            });
        })
    };
    let can_go_on = step_done(&d, step);
    html! {
        <section id="order-wizard" aria-labelledby="order-title">
            <div class="topbar">
                <h1 id="order-title">{ t(lang, Msg::OrderSubstitute) }</h1>
                <button id="order-close" onclick={props.on_done.reform(|_: MouseEvent| ())}>{ t(lang, Msg::Back) }</button>
            </div>
            <p id="order-progress" class="lead">
                { t(lang, Msg::StepOf) }{ format!(" {} ", step + 1) }{ t(lang, Msg::Of) }{ format!(" {}: ", STEPS.len()) }
                <strong>{ t(lang, STEPS[step as usize]) }</strong>
            </p>
            <ol class="progress" aria-hidden="true">
                { for (0..STEPS.len() as u8).map(|i| html! {
                    <li class={if i < step { "done" } else if i == step { "current" } else { "" }}></li>
                }) }
            </ol>
            <h2>{ t(lang, STEPS[step as usize]) }</h2>
            { body }
            if let Some(code) = *problem {
                <p id="order-problem" class="notice error" role="alert">
                    { error_text(lang, code) }
                    if *not_sent { <br/>{ t(lang, Msg::NotSentYet) } }
                </p>
            }
            <div class="menu wizard-nav">
                if step > 0 {
                    <button id="order-back" onclick={go(step - 1)} disabled={*busy}>{ t(lang, Msg::Back) }</button>
                }
                if step < 5 {
                    <button id="order-next" class="primary" onclick={go(step + 1)} disabled={!can_go_on || *busy}>
                        { t(lang, Msg::Next) }
                    </button>
                } else {
                    <button id="order-send" class="primary" onclick={send} disabled={*busy}>
                        { if *busy { t(lang, Msg::Sending) } else { t(lang, Msg::SendOrder) } }
                    </button>
                }
            </div>
            <p><button id="order-discard" onclick={discard} disabled={*busy}>{ t(lang, Msg::DiscardOrder) }</button></p>
        </section>
    }
}

fn review(lang: Lang, d: &OrderDraft) -> Html {
    let end = period(d).map(|p| local_time(p.end())).unwrap_or_default();
    html! {
        <>
            <p class="lead">{ t(lang, Msg::ReviewLead) }</p>
            <dl class="facts" id="order-review">
                <dt>{ t(lang, Msg::Substitute) }</dt>
                <dd>{ d.person.as_ref().map(|p| p.name.clone()).unwrap_or_default() }</dd>
                <dt>{ t(lang, Msg::StepCpr) }</dt>
                <dd>{ d.person.as_ref().map(|p| p.cpr_masked.clone()).unwrap_or_default() }</dd>
                <dt>{ t(lang, Msg::IdSeen) }</dt>
                <dd>{ d.id_document.map(|doc| t(lang, id_name(doc))).unwrap_or_default() }</dd>
                <dt>{ t(lang, Msg::StepUserId) }</dt>
                <dd>{ d.reservation.as_ref().map(|r| r.user_id.clone()).unwrap_or_default() }</dd>
                <dt>{ t(lang, Msg::AccessEnds) }</dt>
                <dd>{ end }</dd>
                <dt>{ t(lang, Msg::StepDeclaration) }</dt>
                <dd>{ t(lang, Msg::Signed) }{ format!(" ({} {})", t(lang, Msg::Version), d.declaration_version) }</dd>
            </dl>
        </>
    }
}

fn receipt_view(lang: Lang, r: &SubstituteAccessReceipt, done: Callback<()>) -> Html {
    html! {
        <section id="order-receipt" aria-labelledby="receipt-title">
            <h1 id="receipt-title">{ t(lang, Msg::ReceiptTitle) }</h1>
            <p class="lead">{ t(lang, Msg::ReceiptLead) }</p>
            <dl class="facts">
                <dt>{ t(lang, Msg::Substitute) }</dt>
                <dd>{ &r.substitute_name }</dd>
            </dl>
            <div class="user-id-card">
                <span class="code">{ t(lang, Msg::StepUserId) }</span>
                <span id="receipt-user-id" class="user-id">{ &r.user_id }</span>
                <span class="code">{ t(lang, Msg::OneTimePassword) }</span>
                <span id="receipt-password" class="user-id">{ &r.initial_password }</span>
                <span class="code">{ t(lang, Msg::ValidUntil) }{ " " }</span>
                <strong id="receipt-ends">{ local_time(r.ends_at) }</strong>
            </div>
            <button id="receipt-done" class="primary big" onclick={done.reform(|_: MouseEvent| ())}>{ t(lang, Msg::Done) }</button>
        </section>
    }
}
