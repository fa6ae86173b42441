//! Step 5: the confidentiality declaration, read and signed on the pad.

use omsorg_core::bridge::OrderDraft;
use omsorg_core::declaration;
use omsorg_core::signature::is_signed;
use yew::prelude::*;

use super::StepProps;
use crate::components::signature_pad::SignaturePad;
use crate::i18n::{t, Msg};

#[function_component]
pub fn DeclarationStep(props: &StepProps) -> Html {
    let (lang, d, update) = (props.lang, &props.draft, &props.on_change);
    let text = declaration::text(&d.declaration_version).unwrap_or(declaration::current().1);
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
