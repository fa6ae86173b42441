//! Step 1: the orderer has seen the substitute's photo ID, and which.

use omsorg_core::api::IdDocument;
use omsorg_core::bridge::OrderDraft;
use yew::prelude::*;

use super::StepProps;
use crate::i18n::{t, Msg};

pub(super) const ID_DOCUMENTS: [(IdDocument, Msg); 4] = [
    (IdDocument::Sundhedskort, Msg::IdSundhedskort),
    (IdDocument::Pas, Msg::IdPas),
    (IdDocument::Koerekort, Msg::IdKoerekort),
    (IdDocument::Opholdskort, Msg::IdOpholdskort),
];

pub(super) fn id_name(document: IdDocument) -> Msg {
    ID_DOCUMENTS
        .iter()
        .find(|(d, _)| *d == document)
        .map_or(Msg::IdPas, |(_, m)| *m)
}

#[function_component]
pub fn PhotoIdStep(props: &StepProps) -> Html {
    let (lang, d, update) = (props.lang, &props.draft, &props.on_change);
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
