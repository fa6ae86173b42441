//! The municipality's shared devices for administrators: each with the
//! identifier its own screen shows, its kind, unit and apartment, who
//! enrolled it and when, and when it was last seen; "Tilbagekald" (two
//! taps: its credential and sessions end, and at its next contact it
//! forgets its enrollment and shows the ordinary login).

use omsorg_core::api::{DeviceList, DeviceMode, DeviceSummary};
use omsorg_core::ipc;
use yew::prelude::*;

use crate::hooks::use_shell_call;
use crate::i18n::{error_text, t, Admin, Lang, Msg};
use crate::pages::{local_time, PageProps};

#[function_component]
pub fn DevicesPage(props: &PageProps) -> Html {
    let lang = props.lang;
    let found = use_state(|| None::<DeviceList>);
    let call = use_shell_call::<ipc::AdminDevices>(&props.on_refused);
    {
        let (call, found) = (call.clone(), found.clone());
        use_effect_with((), move |_| {
            call.run(ipc::NoArgs {}, move |list| found.set(Some(list)));
        });
    }
    html! {
        <section id="devices" aria-labelledby="devices-title">
            <div class="topbar">
                <h1 id="devices-title">{ t(lang, Admin::Devices) }</h1>
                <button id="devices-back" onclick={props.on_done.reform(|_: MouseEvent| ())}>{ t(lang, Msg::Back) }</button>
            </div>
            <p class="lead">{ t(lang, Admin::DevicesLead) }</p>
            if let Some(code) = call.problem() {
                <p class="notice error" role="alert">{ error_text(lang, code) }</p>
            }
            { match &*found {
                Some(list) if list.devices.is_empty() => html! {
                    <p class="notice" role="status">{ t(lang, Admin::NoDevices) }</p>
                },
                Some(list) => html! {
                    <ul class="cards" id="devices-list">
                        { for list.devices.iter().map(|d| html! {
                            <DeviceCard key={d.device_id.clone()} {lang} device={d.clone()}
                                on_refused={props.on_refused.clone()} />
                        }) }
                    </ul>
                },
                None => html! { <p class="spinner" role="status">{ t(lang, Msg::Loading) }</p> },
            } }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct CardProps {
    lang: Lang,
    device: DeviceSummary,
    on_refused: Callback<omsorg_core::ErrorCode>,
}

#[function_component]
fn DeviceCard(props: &CardProps) -> Html {
    let (lang, d) = (props.lang, &props.device);
    let confirming = use_state(|| false);
    let revoked = use_state(|| false);
    let call = use_shell_call::<ipc::RevokeDevice>(&props.on_refused);
    let revoke = {
        let (confirming, revoked, call) = (confirming.clone(), revoked.clone(), call.clone());
        let id = d.device_id.clone();
        Callback::from(move |_: MouseEvent| {
            if !*confirming {
                return confirming.set(true);
            }
            let revoked = revoked.clone();
            call.run(ipc::IdArgs { id: id.clone() }, move |_| revoked.set(true));
        })
    };
    let kind = match d.mode {
        DeviceMode::ApartmentTablet => Msg::ApartmentTablet,
        DeviceMode::WallScreen => Msg::WallScreen,
    };
    html! {
        <li class="card" id={format!("device-{}", d.label)}>
            <h2>{ t(lang, kind) }{ " · " }{ &d.unit.name }</h2>
            <dl class="facts">
                <dt>{ t(lang, Admin::DeviceLabel) }</dt><dd class="device-label">{ &d.label }</dd>
                if let Some(a) = &d.apartment {
                    <dt>{ t(lang, Msg::Apartment) }</dt><dd>{ a }</dd>
                }
                <dt>{ t(lang, Admin::EnrolledBy) }</dt>
                <dd class="enrolled-by">{ d.enrolled_by.clone().unwrap_or_else(|| "–".into()) }</dd>
                <dt>{ t(lang, Admin::EnrolledAt) }</dt><dd>{ local_time(d.enrolled_at) }</dd>
                <dt>{ t(lang, Admin::LastSeen) }</dt>
                <dd class="last-seen">{ d.last_seen.map(local_time).unwrap_or_else(|| "–".into()) }</dd>
            </dl>
            if *revoked {
                <p class="notice revoked" role="status">{ t(lang, Admin::Revoked) }</p>
            } else {
                <button class={classes!("revoke", confirming.then_some("danger"))} onclick={revoke} disabled={call.busy()}>
                    { if *confirming { t(lang, Admin::RevokeConfirm) } else { t(lang, Admin::Revoke) } }
                </button>
            }
            if let Some(code) = call.problem() {
                <p class="notice error" role="alert">{ error_text(lang, code) }</p>
            }
        </li>
    }
}
