//! A shared device (SPEC C3): the idle screen shows only the unit, the time
//! and the login keypad; nothing personal. An administrator's user ID + PIN
//! opens the device's administration (and suspends a wall screen's kiosk).

use gloo::timers::callback::Interval;
use omsorg_core::api::{DeviceInfo, DeviceMode, Me};
use omsorg_core::ipc;
use omsorg_core::ErrorCode;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::i18n::{error_text, t, Admin, Lang, Msg};
use crate::pages::keypad::Keypad;
use crate::shell;

/// "14:05", Danish time (whatever zone the device is set to).
fn clock_now() -> String {
    omsorg_core::danish_time::clock(chrono::Utc::now())
}

/// How often an idle shared screen checks in with the backend.
const CHECK_IN_EVERY_MS: u32 = 5 * 60 * 1000;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub device: DeviceInfo,
    pub on_signed_in: Callback<Me>,
    /// An administrator proved themself: open the administration.
    pub on_admin: Callback<()>,
    /// The device turned out to be revoked.
    pub on_unenrolled: Callback<ErrorCode>,
    pub on_toggle_lang: Callback<()>,
}

#[function_component]
pub fn SharedLoginPage(props: &Props) -> Html {
    let lang = props.lang;
    let (user, pin) = (use_node_ref(), use_node_ref());
    let error = use_state(|| None::<ErrorCode>);
    let busy = use_state(|| false);
    let admin = use_state(|| false);
    let clock = use_state(clock_now);
    {
        let clock = clock.clone();
        use_effect_with((), move |_| {
            let tick = Interval::new(1_000, move || clock.set(clock_now()));
            move || drop(tick)
        });
    }
    // The device checks in now and then, even when nobody uses it: its
    // "last seen" stays true, and a revoked device leaves at once.
    {
        let on_unenrolled = props.on_unenrolled.clone();
        use_effect_with((), move |_| {
            let check = Interval::new(CHECK_IN_EVERY_MS, move || {
                let on_unenrolled = on_unenrolled.clone();
                spawn_local(async move {
                    if let Ok(None) = shell::call::<ipc::DeviceStatusNow>(&ipc::NoArgs {}).await {
                        on_unenrolled.emit(ErrorCode::DeviceNotEnrolled);
                    }
                });
            });
            move || drop(check)
        });
    }
    {
        let user = user.clone();
        use_effect_with(*admin, move |_| {
            if let Some(i) = user.cast::<HtmlInputElement>() {
                i.set_value("");
                let _ = i.focus();
            }
        });
    }
    let submit = {
        let (user, pin, error, busy, admin) = (
            user.clone(),
            pin.clone(),
            error.clone(),
            busy.clone(),
            admin.clone(),
        );
        let (on_signed_in, on_admin, on_unenrolled) = (
            props.on_signed_in.clone(),
            props.on_admin.clone(),
            props.on_unenrolled.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (Some(u), Some(p)) = (
                user.cast::<HtmlInputElement>(),
                pin.cast::<HtmlInputElement>(),
            ) else {
                return;
            };
            let (user_id, code) = (u.value(), p.value());
            p.set_value("");
            let (error, busy, as_admin) = (error.clone(), busy.clone(), *admin);
            let (on_signed_in, on_admin, on_unenrolled) = (
                on_signed_in.clone(),
                on_admin.clone(),
                on_unenrolled.clone(),
            );
            // The answer replaces the last one, so each attempt is seen anew.
            error.set(None);
            busy.set(true);
            spawn_local(async move {
                let result = if as_admin {
                    shell::call::<ipc::DeviceAdmin>(&ipc::UserPinArgs {
                        user_id: user_id.clone(),
                        pin: code.clone(),
                    })
                    .await
                    .map(|()| None)
                } else {
                    shell::call::<ipc::SharedLogin>(&ipc::UserPinArgs {
                        user_id: user_id.clone(),
                        pin: code.clone(),
                    })
                    .await
                    .map(Some)
                };
                busy.set(false);
                match result {
                    Ok(Some(me)) => on_signed_in.emit(me),
                    Ok(None) => on_admin.emit(()),
                    Err(e) if e.code == ErrorCode::DeviceNotEnrolled => on_unenrolled.emit(e.code),
                    Err(e) => error.set(Some(e.code)),
                }
            });
        })
    };
    let toggle_admin = {
        let (admin, error) = (admin.clone(), error.clone());
        Callback::from(move |_: MouseEvent| {
            error.set(None);
            admin.set(!*admin);
        })
    };
    let device = &props.device;
    let wall = device.mode == DeviceMode::WallScreen;
    let title = if *admin {
        t(lang, Msg::AdminLoginTitle)
    } else {
        t(lang, Msg::SharedLoginTitle)
    };
    html! {
        <section id="shared-login-screen" class={classes!("shared", wall.then_some("wall"))}
            aria-labelledby="shared-title">
            <div class="topbar">
                <p class="place">
                    <span id="device-unit">{ &device.unit.name }</span>
                    if let Some(a) = &device.apartment {
                        { " · " }{ t(lang, Msg::Apartment) }{ " " }<span id="device-apartment">{ a }</span>
                    }
                </p>
                <p id="clock" class="clock" aria-live="off">{ (*clock).clone() }</p>
                <button id="lang-toggle" lang={lang.other().tag()} onclick={props.on_toggle_lang.reform(|_: MouseEvent| ())}>
                    { t(lang, Msg::SwitchLanguage) }
                </button>
            </div>
            <h1 id="shared-title">{ title }</h1>
            if !*admin {
                <p class="lead">{ t(lang, Msg::SharedLoginLead) }</p>
            }
            <form class="pin-form" onsubmit={submit}>
                <label for="shared-user-id">{ t(lang, Msg::UserId) }</label>
                <input id="shared-user-id" ref={user} type="text" autocomplete="off"
                    autocapitalize="none" spellcheck="false" maxlength="64"
                    aria-describedby="shared-error" />
                <label for="shared-pin">{ t(lang, Msg::EnterPin) }</label>
                <input id="shared-pin" ref={pin.clone()} type="password" inputmode="numeric"
                    autocomplete="off" maxlength={omsorg_core::pin::MAX_LEN.to_string()} aria-describedby="shared-error" />
                if let Some(code) = *error {
                    <p id="shared-error" class="notice error" role="alert">
                        { error_text(lang, code) }
                        if code == ErrorCode::PinLocked {
                            { " " }{ t(lang, Msg::BlockedSharedHint) }
                        }
                    </p>
                }
                <Keypad {lang} input={pin} submit_id="shared-login-submit"
                    submit_label={t(lang, Msg::SignIn)} busy={*busy} />
            </form>
            <button id="device-admin" class="quiet" onclick={toggle_admin}>
                { if *admin { t(lang, Msg::Cancel) } else { t(lang, Msg::Administrator) } }
            </button>
            <p class="device-id">
                { t(lang, Admin::DeviceLabel) }{ " " }
                <span id="device-label">{ omsorg_core::enrollment::device_label(&device.device_id) }</span>
            </p>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct AdminProps {
    pub lang: Lang,
    pub device: DeviceInfo,
    pub on_done: Callback<()>,
    pub on_unenrolled: Callback<()>,
}

/// Opened by an administrator's PIN; nobody is signed in meanwhile.
#[function_component]
pub fn DeviceAdminPage(props: &AdminProps) -> Html {
    let lang = props.lang;
    let confirming = use_state(|| false);
    let error = use_state(|| None::<ErrorCode>);
    let back = {
        let done = props.on_done.clone();
        Callback::from(move |_: MouseEvent| {
            let done = done.clone();
            spawn_local(async move {
                let _ = shell::call::<ipc::LeaveDeviceAdmin>(&ipc::NoArgs {}).await;
                done.emit(());
            });
        })
    };
    let unenroll = {
        let (confirming, error, gone) = (
            confirming.clone(),
            error.clone(),
            props.on_unenrolled.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            if !*confirming {
                confirming.set(true);
                return;
            }
            let (error, gone) = (error.clone(), gone.clone());
            spawn_local(async move {
                match shell::call::<ipc::UnenrollDevice>(&ipc::NoArgs {}).await {
                    Ok(()) => gone.emit(()),
                    Err(e) => error.set(Some(e.code)),
                }
            });
        })
    };
    let device = &props.device;
    html! {
        <section id="device-admin-screen" aria-labelledby="device-admin-title">
            <h1 id="device-admin-title">{ t(lang, Msg::DeviceAdminTitle) }</h1>
            <dl class="facts">
                <dt>{ t(lang, Msg::Unit) }</dt>
                <dd>{ &device.unit.name }</dd>
                <dt>{ t(lang, Msg::DeviceKind) }</dt>
                <dd>{ match device.mode {
                    DeviceMode::ApartmentTablet => t(lang, Msg::ApartmentTablet),
                    DeviceMode::WallScreen => t(lang, Msg::WallScreen),
                } }</dd>
                if let Some(a) = &device.apartment {
                    <dt>{ t(lang, Msg::Apartment) }</dt>
                    <dd>{ a }</dd>
                }
                <dt>{ t(lang, Admin::DeviceLabel) }</dt>
                <dd id="device-admin-label">{ omsorg_core::enrollment::device_label(&device.device_id) }</dd>
            </dl>
            if device.mode == DeviceMode::WallScreen {
                <p class="lead">{ t(lang, Msg::DeviceAdminLead) }</p>
            }
            if let Some(code) = *error {
                <p id="device-admin-error" class="notice error" role="alert">{ error_text(lang, code) }</p>
            }
            <nav class="menu">
                <button id="kiosk-resume" class="primary big" onclick={back}>{ t(lang, Msg::BackToKiosk) }</button>
                if *confirming {
                    <p class="notice" role="alert">{ t(lang, Msg::UnenrollConfirm) }</p>
                    <button id="device-unenroll-confirm" class="danger" onclick={unenroll}>{ t(lang, Msg::Unenroll) }</button>
                } else {
                    <button id="device-unenroll" onclick={unenroll}>{ t(lang, Msg::Unenroll) }</button>
                }
            </nav>
        </section>
    }
}
