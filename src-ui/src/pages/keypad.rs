//! The large PIN keypad (lock screen, shared login): keys of at least 72 px
//! for gloved fingers; the keyboard works too. It types into `input`.

use omsorg_core::pin::MAX_LEN;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::{t, Lang, Msg};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    /// The PIN field the keys type into.
    pub input: NodeRef,
    pub submit_id: AttrValue,
    pub submit_label: AttrValue,
    pub busy: bool,
}

#[function_component]
pub fn Keypad(props: &Props) -> Html {
    let lang = props.lang;
    let press = |digit: char| {
        let input = props.input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(i) = input.cast::<HtmlInputElement>() {
                let mut v = i.value();
                if v.len() < MAX_LEN {
                    v.push(digit);
                    i.set_value(&v);
                }
            }
        })
    };
    let erase = {
        let input = props.input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(i) = input.cast::<HtmlInputElement>() {
                let mut v = i.value();
                v.pop();
                i.set_value(&v);
            }
        })
    };
    html! {
        <div class="keypad" role="group" aria-label={t(lang, Msg::EnterPin)}>
            { for "123456789".chars().map(|d| html! {
                <button type="button" class="key" data-digit={d.to_string()} onclick={press(d)}>{ d }</button>
            }) }
            <button type="button" class="key" id="key-erase" onclick={erase}>{ t(lang, Msg::Erase) }</button>
            <button type="button" class="key" data-digit="0" onclick={press('0')}>{ "0" }</button>
            <button type="submit" class="key primary" id={props.submit_id.clone()} disabled={props.busy}>
                { props.submit_label.clone() }
            </button>
        </div>
    }
}
