//! Step 4: a substitute user ID reserved for this order.

use chrono::Utc;
use omsorg_core::bridge::OrderDraft;
use omsorg_core::ipc;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::StepProps;
use crate::i18n::{t, Msg};
use crate::pages::local_time;
use crate::shell;

#[function_component]
pub fn UserIdStep(props: &StepProps) -> Html {
    let (lang, d, update) = (props.lang, &props.draft, &props.on_change);
    let busy = use_state(|| false);
    let problem = props.on_problem.clone();
    let reserve = {
        let (update, d, problem, busy) = (update.clone(), d.clone(), problem.clone(), busy.clone());
        Callback::from(move |()| {
            let (update, d, problem, busy) =
                (update.clone(), d.clone(), problem.clone(), busy.clone());
            busy.set(true);
            spawn_local(async move {
                let reserved = shell::call::<ipc::ReserveSubstituteId>(&ipc::NoArgs {}).await;
                busy.set(false);
                match reserved {
                    Ok(r) => {
                        problem.emit(None);
                        update.emit(OrderDraft {
                            reservation: Some(r),
                            ..d
                        });
                    }
                    Err(e) => problem.emit(Some(e.code)),
                }
            });
        })
    };
    let live = d
        .reservation
        .as_ref()
        .filter(|r| r.reserved_until > Utc::now())
        .cloned();
    // The step reserves an ID as it opens (no tap); the button stays for
    // when that failed (none free) or the reservation ran out meanwhile.
    {
        let reserve = reserve.clone();
        let needed = live.is_none();
        use_effect_with((), move |_| {
            if needed {
                reserve.emit(());
            }
        });
    }
    html! {
        <>
            <p class="lead">{ t(lang, Msg::UserIdLead) }</p>
            if let Some(r) = &live {
                <div class="user-id-card">
                    <span id="reserved-user-id" class="user-id">{ &r.user_id }</span>
                    <span class="code">{ t(lang, Msg::ReservedUntil) }{ " " }{ local_time(r.reserved_until) }</span>
                </div>
                if r.same_as_before {
                    <p id="same-user-id" class="notice" role="status">{ crate::i18n::wizard::same_as_before(lang) }</p>
                }
            } else {
                <button id="reserve" class="primary big" onclick={reserve.reform(|_: MouseEvent| ())} disabled={*busy}>
                    { if d.reservation.is_some() { t(lang, Msg::ReserveAgain) } else { t(lang, Msg::StepUserId) } }
                </button>
            }
        </>
    }
}
