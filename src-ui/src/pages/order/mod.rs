//! "Bestil vikaradgang" (SPEC C4): photo ID seen → CPR number and the
//! register's name confirmed → period → a reserved user ID → the
//! declaration signed → review → send → receipt. Every change is handed to
//! the shell, which keeps the draft sealed: the lock, a crash or going back
//! and forth loses nothing. Sending is the shell's (one idempotency key,
//! retried); the receipt's one-time password lives only in this page.

mod declaration_step;
mod period_step;
mod person_step;
mod photo_id_step;
mod review;
mod user_id_step;

use chrono::{NaiveDate, Utc};
use omsorg_core::api::SubstituteAccessReceipt;
use omsorg_core::bridge::OrderDraft;
use omsorg_core::ipc;
use omsorg_core::period::{AccessPeriod, PeriodError};
use omsorg_core::wizard::WizardStep;
use omsorg_core::{declaration, ErrorCode};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::components::signature_pad::export_png;
use crate::hooks::{use_shell_call, use_shell_load};
use crate::i18n::{error_text, t, Msg};
use crate::pages::PageProps;
use crate::shell;
use declaration_step::DeclarationStep;
use period_step::PeriodStep;
use person_step::PersonStep;
use photo_id_step::PhotoIdStep;
use review::{Receipt, Review};
use user_id_step::UserIdStep;

/// What every step gets: the draft, and where its changes and refusals go.
#[derive(Properties, PartialEq)]
pub struct StepProps {
    pub lang: crate::i18n::Lang,
    pub draft: OrderDraft,
    /// Every change, handed on to the shell at once.
    pub on_change: Callback<OrderDraft>,
    /// A refusal to show under the step (`None` clears it).
    pub on_problem: Callback<Option<ErrorCode>>,
}

const STEPS: [Msg; 6] = [
    Msg::StepId,
    Msg::StepCpr,
    Msg::StepPeriod,
    Msg::StepUserId,
    Msg::StepDeclaration,
    Msg::StepReview,
];

/// Today in Denmark (the device's own zone does not count).
pub(super) fn today() -> NaiveDate {
    omsorg_core::danish_time::today(Utc::now())
}

/// The period the draft asks for, as it would be if sent now.
pub(super) fn period(draft: &OrderDraft) -> Result<AccessPeriod, PeriodError> {
    draft.period(Utc::now(), today())
}

/// Whether the step's input is complete enough to go on (the core's rule,
/// which the shell applies again before sending).
fn step_done(draft: &OrderDraft, step: u8) -> bool {
    draft
        .check_step(WizardStep::of(step), Utc::now(), today())
        .is_ok()
}

#[function_component]
pub fn OrderWizard(props: &PageProps) -> Html {
    let lang = props.lang;
    let draft = use_state(|| None::<OrderDraft>);
    let problem = use_state(|| None::<ErrorCode>);
    let busy = use_state(|| false);
    let receipt = use_state(|| None::<SubstituteAccessReceipt>);
    let not_sent = use_state(|| false);

    // The kept draft, or a new one, under the unit's period as the backend
    // says it is now (it checks the order against it again).
    let (kept, load) = use_shell_load::<ipc::LoadOrderDraft>(&props.on_refused, 0);
    let (me, _) = use_shell_load::<ipc::CurrentPerson>(&props.on_refused, 0);
    // The last change's number (`OrderDraft::revision`), from the kept one's.
    let revision = use_mut_ref(|| 0u64);
    {
        let (draft, revision) = (draft.clone(), revision.clone());
        use_effect_with((kept.clone(), me.clone()), move |(kept, me)| {
            if let (Some(kept), Some(me)) = (&**kept, &**me) {
                let mut next = kept.clone().unwrap_or_else(|| OrderDraft {
                    declaration_version: declaration::current().0.to_string(),
                    ..OrderDraft::default()
                });
                next.period_policy = me.period;
                *revision.borrow_mut() = next.revision;
                draft.set(Some(next));
            }
        });
    }
    // Every change goes to the shell at once, numbered in the order made.
    let save = use_shell_call::<ipc::SaveOrderDraft>(&props.on_refused);
    let update = {
        let (draft, save) = (draft.clone(), save.clone());
        Callback::from(move |mut next: OrderDraft| {
            next.revision = {
                let mut last = revision.borrow_mut();
                *last += 1;
                *last
            };
            draft.set(Some(next.clone()));
            save.run(ipc::DraftArgs { draft: next }, |_| ());
        })
    };

    if let Some(r) = &*receipt {
        return html! { <Receipt {lang} receipt={r.clone()} on_done={props.on_done.clone()} /> };
    }
    let Some(d) = (*draft).clone() else {
        return html! {
            <section id="order-wizard">
                <h1>{ t(lang, Msg::OrderSubstitute) }</h1>
                if let Some(code) = load.problem() {
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

    let on_problem = {
        let problem = problem.clone();
        Callback::from(move |p: Option<ErrorCode>| problem.set(p))
    };
    let (draft_now, on_change) = (d.clone(), update.clone());
    let body = match WizardStep::of(step) {
        WizardStep::PhotoId => {
            html! { <PhotoIdStep {lang} draft={draft_now} {on_change} {on_problem} /> }
        }
        WizardStep::Person => {
            html! { <PersonStep {lang} draft={draft_now} {on_change} {on_problem} /> }
        }
        WizardStep::Period => {
            html! { <PeriodStep {lang} draft={draft_now} {on_change} {on_problem} /> }
        }
        WizardStep::UserId => {
            html! { <UserIdStep {lang} draft={draft_now} {on_change} {on_problem} /> }
        }
        WizardStep::Declaration => {
            html! { <DeclarationStep {lang} draft={draft_now} {on_change} {on_problem} /> }
        }
        WizardStep::Review => html! { <Review {lang} draft={draft_now} /> },
    };

    let submit = use_shell_call::<ipc::SubmitOrder>(&props.on_refused);
    let send = {
        let (save, submit, problem, busy) =
            (save.clone(), submit.clone(), problem.clone(), busy.clone());
        let (receipt, not_sent, d, update) =
            (receipt.clone(), not_sent.clone(), d.clone(), update.clone());
        Callback::from(move |_: MouseEvent| {
            problem.set(None);
            busy.set(true);
            let (submit, receipt, not_sent, update) = (
                submit.clone(),
                receipt.clone(),
                not_sent.clone(),
                update.clone(),
            );
            let (draft, d) = (d.clone(), d.clone());
            let (done, failed) = (busy.clone(), busy.clone());
            let on_sent = move |r| {
                done.set(false);
                receipt.set(Some(r));
            };
            let on_not_sent = move |code: ErrorCode| {
                failed.set(false);
                not_sent.set(code.is_transient());
                if code == ErrorCode::ReservationInvalid {
                    update.emit(OrderDraft {
                        reservation: None,
                        step: 3,
                        ..d
                    });
                }
            };
            // The draft as shown is what is sent: kept first, then submitted.
            let not_kept = busy.clone();
            save.run_or(
                ipc::DraftArgs { draft },
                move |()| submit.run_or(ipc::NoArgs {}, on_sent, on_not_sent),
                move |_| not_kept.set(false),
            );
        })
    };
    let problem = (*problem).or(submit.problem()).or(save.problem());
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
            if let Some(code) = problem {
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
