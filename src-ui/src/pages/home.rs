//! The signed-in start screen.

use omsorg_core::api::{Me, Role};
use omsorg_core::ipc;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::i18n::{t, Lang, Msg};
use crate::shell;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub me: Me,
    pub on_signed_out: Callback<()>,
    pub on_change_pin: Callback<()>,
    /// Shown once after the PIN was changed.
    #[prop_or_default]
    pub pin_changed: bool,
    /// On a shared device: no PIN change, no administration, and "Log ud"
    /// ends the shared session (the shell then resets the web view).
    #[prop_or_default]
    pub shared: bool,
    #[prop_or_default]
    pub on_new_code: Callback<()>,
    #[prop_or_default]
    pub on_order: Callback<()>,
    #[prop_or_default]
    pub on_my_orders: Callback<()>,
    #[prop_or_default]
    pub on_declarations: Callback<()>,
    #[prop_or_default]
    pub on_substitute_ids: Callback<()>,
    #[prop_or_default]
    pub on_units: Callback<()>,
    #[prop_or_default]
    pub on_people: Callback<()>,
    #[prop_or_default]
    pub on_devices: Callback<()>,
    #[prop_or_default]
    pub on_audit: Callback<()>,
    /// "Beboere": the care record (personal devices; see ARCHITECTURE.md).
    #[prop_or_default]
    pub on_residents: Callback<()>,
    #[prop_or_default]
    pub on_unit_orders: Callback<()>,
    /// The person as seen after choosing another unit to act for.
    #[prop_or_default]
    pub on_me: Callback<Me>,
}

#[function_component]
pub fn HomePage(props: &Props) -> Html {
    let lang = props.lang;
    let me = &props.me;
    let busy = use_state(|| false);
    // The backend's answer (`omsorg_core::wizard::may_order`): never on a
    // shared device's session.
    let may_order = me.may_order_substitutes;
    let admin = me.roles.contains(&Role::Administrator);
    // Roles and units change centrally: the person as the backend sees
    // them now, each time this screen opens. An answer that comes after
    // the person has already left for another screen is dropped: it must
    // not pull them back here (the next visit asks again).
    {
        let (on_me, shown) = (props.on_me.clone(), me.clone());
        let shared = props.shared;
        use_effect_with((), move |_| {
            let here = std::rc::Rc::new(std::cell::Cell::new(true));
            if !shared {
                let here = here.clone();
                spawn_local(async move {
                    if let Ok(now) = shell::call::<ipc::CurrentPerson>(&ipc::NoArgs {}).await {
                        if here.get() && now != shown {
                            on_me.emit(now);
                        }
                    }
                });
            }
            move || here.set(false)
        });
    }
    // A started order (kept through the lock or a restart) is offered again.
    let draft_waiting = use_state(|| false);
    {
        let draft_waiting = draft_waiting.clone();
        use_effect_with(may_order, move |may_order| {
            if *may_order {
                spawn_local(async move {
                    draft_waiting.set(matches!(
                        shell::call::<ipc::LoadOrderDraft>(&ipc::NoArgs {}).await,
                        Ok(Some(_))
                    ));
                });
            }
        });
    }
    let sign_out = {
        let done = props.on_signed_out.clone();
        let busy = busy.clone();
        let shared = props.shared;
        Callback::from(move |_: MouseEvent| {
            let done = done.clone();
            busy.set(true);
            spawn_local(async move {
                // The shell wipes the session even when the provider is unreachable.
                let _ = if shared {
                    shell::call::<ipc::SharedSignOut>(&ipc::NoArgs {}).await
                } else {
                    shell::call::<ipc::SignOut>(&ipc::NoArgs {}).await
                };
                done.emit(());
            });
        })
    };
    // Several units: the one acted for is chosen here (and remembered on
    // this device by the shell).
    let choose_unit = {
        let (on_me, busy) = (props.on_me.clone(), busy.clone());
        Callback::from(move |e: Event| {
            let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() else {
                return;
            };
            let (on_me, busy, id) = (on_me.clone(), busy.clone(), select.value());
            busy.set(true);
            spawn_local(async move {
                let answer = shell::call::<ipc::ChooseUnit>(&ipc::IdArgs { id }).await;
                busy.set(false);
                if let Ok(me) = answer {
                    on_me.emit(me);
                }
            });
        })
    };
    let several_units = !props.shared && me.units.len() > 1;
    let acting = me.unit.as_ref().map(|u| u.id.clone()).unwrap_or_default();
    html! {
        <section id="home-screen" aria-labelledby="home-title">
            <div class="topbar">
                <h1 id="home-title">{ t(lang, Msg::Hello) }{ ", " }<span id="person-name">{ &me.name }</span></h1>
                <button id="sign-out" onclick={sign_out} disabled={*busy}>{ t(lang, Msg::SignOut) }</button>
            </div>
            if several_units {
                <p class="field">
                    <label for="acting-unit">{ t(lang, Msg::ActFor) }</label>
                    <select id="acting-unit" onchange={choose_unit} disabled={*busy}>
                        { for me.units.iter().map(|u| html! {
                            <option value={u.id.clone()} selected={u.id == acting}>{ &u.name }</option>
                        }) }
                    </select>
                </p>
            }
            <dl class="facts">
                if let Some(unit) = &me.unit {
                    <dt>{ t(lang, Msg::Unit) }</dt>
                    <dd id="person-unit">{ &unit.name }</dd>
                }
                <dt>{ t(lang, Msg::YourUserId) }</dt>
                <dd id="person-user-id">{ &me.user_id }</dd>
            </dl>
            if props.pin_changed {
                <p id="pin-changed" class="notice" role="status">{ t(lang, Msg::PinChanged) }</p>
            }
            if props.shared {
                <p id="auto-sign-out-note" class="lead">{ t(lang, Msg::AutoSignOutNote) }</p>
            } else {
                <nav class="menu" aria-label={t(lang, crate::i18n::care::Care::Residents)}>
                    <button id="residents-button" class="primary big" onclick={props.on_residents.reform(|_: MouseEvent| ())}>
                        { t(lang, crate::i18n::care::Care::Residents) }
                    </button>
                </nav>
                <nav class="menu">
                    <button id="change-pin" onclick={props.on_change_pin.reform(|_: MouseEvent| ())}>
                        { t(lang, Msg::ChangePin) }
                    </button>
                    if admin {
                        <button id="new-enrollment-code" onclick={props.on_new_code.reform(|_: MouseEvent| ())}>
                            { t(lang, Msg::EnrollAnother) }
                        </button>
                    }
                </nav>
                if may_order || admin {
                    <nav class="menu" aria-label={t(lang, Msg::OrderSubstitute)}>
                        if may_order {
                            <button id="order-substitute" class="primary big" onclick={props.on_order.reform(|_: MouseEvent| ())}>
                                { if *draft_waiting { t(lang, Msg::ContinueOrder) } else { t(lang, Msg::OrderSubstitute) } }
                            </button>
                        }
                        <button id="my-orders-button" onclick={props.on_my_orders.reform(|_: MouseEvent| ())}>
                            { t(lang, Msg::MyOrders) }
                        </button>
                        if admin {
                            <button id="declarations-button" onclick={props.on_declarations.reform(|_: MouseEvent| ())}>
                                { t(lang, Msg::SearchDeclarations) }
                            </button>
                            <button id="substitute-ids-button" onclick={props.on_substitute_ids.reform(|_: MouseEvent| ())}>
                                { t(lang, Msg::SubstituteIds) }
                            </button>
                            <button id="units-button" onclick={props.on_units.reform(|_: MouseEvent| ())}>
                                { t(lang, Msg::Units) }
                            </button>
                            <button id="people-button" onclick={props.on_people.reform(|_: MouseEvent| ())}>
                                { t(lang, Msg::People) }
                            </button>
                            <button id="devices-button" onclick={props.on_devices.reform(|_: MouseEvent| ())}>
                                { t(lang, crate::i18n::Admin::Devices) }
                            </button>
                            <button id="unit-orders-button" onclick={props.on_unit_orders.reform(|_: MouseEvent| ())}>
                                { t(lang, crate::i18n::Admin::Orders) }
                            </button>
                            <button id="audit-button" onclick={props.on_audit.reform(|_: MouseEvent| ())}>
                                { t(lang, crate::i18n::Admin::AuditLog) }
                            </button>
                        }
                    </nav>
                }
            }
        </section>
    }
}
