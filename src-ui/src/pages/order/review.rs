//! Step 6, the review before sending, and the receipt after it (the only
//! place the one-time password is ever shown).

use omsorg_core::api::SubstituteAccessReceipt;
use omsorg_core::bridge::OrderDraft;
use yew::prelude::*;

use super::period;
use super::photo_id_step::id_name;
use crate::i18n::{t, Lang, Msg, Wizard};
use crate::pages::local_time;

#[derive(Properties, PartialEq)]
pub struct ReviewProps {
    pub lang: Lang,
    pub draft: OrderDraft,
}

#[derive(Properties, PartialEq)]
pub struct ReceiptProps {
    pub lang: Lang,
    pub receipt: SubstituteAccessReceipt,
    pub on_done: Callback<()>,
}

#[function_component]
pub fn Review(props: &ReviewProps) -> Html {
    let (lang, d) = (props.lang, &props.draft);
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
                if let Ok(Some(agency)) = omsorg_core::wizard::agency_of(&d.agency) {
                    <dt>{ t(lang, Wizard::AgencyShort) }</dt>
                    <dd id="review-agency">{ agency }</dd>
                }
                <dt>{ t(lang, Msg::StepDeclaration) }</dt>
                <dd>{ t(lang, Msg::Signed) }{ format!(" ({} {})", t(lang, Msg::Version), d.declaration_version) }</dd>
            </dl>
        </>
    }
}

#[function_component]
pub fn Receipt(props: &ReceiptProps) -> Html {
    let (lang, r, done) = (props.lang, &props.receipt, props.on_done.clone());
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
                if let Some(password) = &r.initial_password {
                    <span id="receipt-password" class="user-id">{ password }</span>
                } else {
                    <span id="receipt-password-gone">{ t(lang, Msg::PasswordShownOnce) }</span>
                }
                <span class="code">{ t(lang, Msg::ValidUntil) }{ " " }</span>
                <strong id="receipt-ends">{ local_time(r.ends_at) }</strong>
            </div>
            if !r.systems.is_empty() {
                <p id="receipt-systems" class="notice" role="status">
                    { t(lang, Wizard::SystemsGranted) }{ ": " }{ r.systems.join(", ") }
                </p>
            }
            <button id="receipt-done" class="primary big" onclick={done.reform(|_: MouseEvent| ())}>{ t(lang, Msg::Done) }</button>
        </section>
    }
}
