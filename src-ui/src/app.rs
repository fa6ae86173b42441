use omsorg_core::ipc;
use std::cell::Cell;
use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use gloo::timers::callback::Interval;
use omsorg_core::api::{DeviceInfo, Me};
use omsorg_core::lock::LockState;
use omsorg_core::ErrorCode;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::i18n::{t, Lang, Msg};
use crate::pages::audit::AuditLogPage;
use crate::pages::declarations::DeclarationSearchPage;
use crate::pages::devices::DevicesPage;
use crate::pages::enroll::EnrollPage;
use crate::pages::home::HomePage;
use crate::pages::lock::LockScreen;
use crate::pages::login::LoginPage;
use crate::pages::municipality::MunicipalityPage;
use crate::pages::new_code::NewCodePage;
use crate::pages::order::OrderWizard;
use crate::pages::orders::MyOrdersPage;
use crate::pages::people::PeoplePage;
use crate::pages::pin_setup::{Mode, PinSetupPage};
use crate::pages::shared::{DeviceAdminPage, SharedLoginPage};
use crate::pages::substitute_ids::SubstituteIdsPage;
use crate::pages::unit_orders::UnitOrdersPage;
use crate::pages::units::UnitsPage;
use crate::shell;

/// Activity is reported to the shell at most this often.
const ACTIVITY_THROTTLE_MS: f64 = 2_000.0;

#[derive(Clone, PartialEq)]
enum Screen {
    /// Asking the shell for a stored session, or for the person after unlock.
    Starting,
    /// `notice`: why we are here (e.g. the backend refused the person).
    Login {
        notice: Option<ErrorCode>,
    },
    Municipality,
    /// No PIN yet, or a blocked one: nothing else until one is set.
    PinSetup(Me),
    Home {
        me: Me,
        pin_changed: bool,
    },
    ChangePin(Me),
    /// An administrator making an enrollment code (personal device).
    NewCode(Me),
    /// The substitute-access wizard, My orders, and the administrator's
    /// declaration search and substitute-ID inventory.
    Order(Me),
    MyOrders(Me),
    Declarations(Me),
    SubstituteIds(Me),
    Units(Me),
    People(Me),
    Devices(Me),
    AuditLog(Me),
    UnitOrders(Me),
    /// The care record: residents, medication, measurements (SPEC C5).
    Residents(Me),
    /// Typing an enrollment code (nobody signed in).
    Enroll,
    /// A shared device with nobody signed in.
    Shared(DeviceInfo),
    SharedHome {
        me: Me,
        device: DeviceInfo,
    },
    /// A shared device opened by an administrator's PIN.
    DeviceAdmin(DeviceInfo),
}

impl Screen {
    fn signed_in(&self) -> bool {
        matches!(
            self,
            Screen::PinSetup(_)
                | Screen::Home { .. }
                | Screen::ChangePin(_)
                | Screen::NewCode(_)
                | Screen::Order(_)
                | Screen::MyOrders(_)
                | Screen::Declarations(_)
                | Screen::SubstituteIds(_)
                | Screen::Units(_)
                | Screen::People(_)
                | Screen::Devices(_)
                | Screen::AuditLog(_)
                | Screen::Residents(_)
                | Screen::UnitOrders(_)
                | Screen::SharedHome { .. }
        )
    }

    /// Where a signed-in person belongs.
    fn for_person(me: Me) -> Screen {
        if !me.has_pin || me.pin_locked {
            Screen::PinSetup(me)
        } else {
            Screen::Home {
                me,
                pin_changed: false,
            }
        }
    }
}

/// The lock as the UI shows it. The shell decides; this only mirrors it.
#[derive(Clone, Copy, PartialEq)]
enum Lock {
    Open,
    Closed { attempts_left: u8 },
}

/// Asks the shell who is signed in and routes there (after start or unlock).
fn load_person(screen: UseStateHandle<Screen>, lock: UseStateHandle<Lock>) {
    spawn_local(async move {
        match shell::call::<ipc::CurrentPerson>(&ipc::NoArgs {}).await {
            Ok(me) => screen.set(Screen::for_person(me)),
            Err(e) if e.code == ErrorCode::SessionLocked => lock.set(Lock::Closed {
                attempts_left: omsorg_core::lock::MAX_ATTEMPTS,
            }),
            Err(e) => screen.set(Screen::Login {
                notice: Some(e.code),
            }),
        }
    });
}

/// What the shell told the page before it loaded (`window.__OMSORG_START__`,
/// first load only): its language, and whether nobody is signed in and the
/// device is not enrolled, in which case the login screen is drawn at once.
/// (The screen gallery's shell answers from fixtures, which the real
/// shell's hint does not describe: it has none.)
fn start_hint() -> Option<(Lang, bool)> {
    if cfg!(feature = "gallery") {
        return None;
    }
    let hint = js_sys::Reflect::get(&gloo::utils::window(), &"__OMSORG_START__".into()).ok()?;
    if !hint.is_object() {
        return None;
    }
    let field = |name: &str| js_sys::Reflect::get(&hint, &name.into()).ok();
    let lang = field("lang")?.as_string().map(|t| Lang::from_tag(&t))?;
    let nobody =
        field("enrolled")?.as_bool() == Some(false) && field("signedIn")?.as_bool() == Some(false);
    Some((lang, nobody))
}

/// What was tapped on the login screen drawn before the app's code ran
/// (`prescreen.js`), and which of its controls had the focus.
struct Early {
    lang: Option<Lang>,
    go: Option<String>,
    focused: Option<String>,
}

thread_local! {
    /// What [`take_early_screen`] found, until the app's first render takes it.
    static EARLY: std::cell::RefCell<Option<Early>> = const { std::cell::RefCell::new(None) };
}

/// Removes the early login screen, if it was drawn, and keeps what was done
/// on it for the app's first render. Called before the app is mounted:
/// mounting empties the page's body.
pub fn take_early_screen() {
    let early = read_early();
    EARLY.with(|kept| *kept.borrow_mut() = early);
}

fn read_early() -> Option<Early> {
    let document = gloo::utils::document();
    let early = document.query_selector("main[data-early]").ok()??;
    let focused = document
        .active_element()
        .filter(|active| early.contains(Some(active)))
        .map(|active| active.id())
        .filter(|id| !id.is_empty());
    early.remove();
    let taps = js_sys::Reflect::get(&gloo::utils::window(), &"__OMSORG_EARLY__".into()).ok()?;
    let field = |name: &str| {
        js_sys::Reflect::get(&taps, &name.into())
            .ok()
            .and_then(|v| v.as_string())
    };
    Some(Early {
        lang: field("lang").map(|tag| Lang::from_tag(&tag)),
        go: field("go"),
        focused,
    })
}

/// Focuses the element with `id`, if there is one.
fn focus(id: &str) -> Option<()> {
    use wasm_bindgen::JsCast;
    let element = gloo::utils::document().get_element_by_id(id)?;
    element
        .dyn_into::<web_sys::HtmlElement>()
        .ok()?
        .focus()
        .ok()
}

#[function_component]
pub fn App() -> Html {
    // Danish until the shell says otherwise; web storage is never used.
    let hint = use_memo((), |_| start_hint());
    let lang = use_state(|| hint.map_or(Lang::Da, |(lang, _)| lang));
    let screen = use_state(|| match *hint {
        Some((_, true)) => Screen::Login { notice: None },
        _ => Screen::Starting,
    });
    let lock = use_state(|| Lock::Open);

    {
        let (lang, screen, lock) = (lang.clone(), screen.clone(), lock.clone());
        let hinted = *hint;
        use_effect_with((), move |_| {
            spawn_local(async move {
                crate::mark("omsorg-shell-asked");
                // Asked at once, not one after another: each is a round trip
                // to the shell, and the first screen waits for all three.
                // (On an enrolled device `restore_session` restores nothing.)
                let (tag, status, restored) = futures::join!(
                    shell::call::<ipc::GetLanguage>(&ipc::NoArgs {}),
                    shell::call::<ipc::DeviceStatusNow>(&ipc::NoArgs {}),
                    shell::call::<ipc::RestoreSession>(&ipc::NoArgs {}),
                );
                crate::mark("omsorg-shell-answered");
                // The hint's language is the stored one; a language tapped
                // since (here or on the early screen) is newer than this answer.
                if let (Ok(tag), None) = (tag, hinted) {
                    lang.set(Lang::from_tag(&tag));
                }
                match status {
                    Ok(Some(status)) if status.admin => {
                        return screen.set(Screen::DeviceAdmin(status.device))
                    }
                    Ok(Some(status)) => return screen.set(Screen::Shared(status.device)),
                    Ok(None) => {}
                    Err(e) => {
                        return screen.set(Screen::Login {
                            notice: Some(e.code),
                        })
                    }
                }
                match restored {
                    // The login screen was drawn at once (the hint said
                    // nobody): the person may have moved on from it since.
                    Ok(None) if matches!(hinted, Some((_, true))) => {}
                    Ok(None) => screen.set(Screen::Login { notice: None }),
                    Ok(Some(LockState::Locked { attempts_left })) => {
                        lock.set(Lock::Closed { attempts_left })
                    }
                    Ok(Some(LockState::Unlocked)) => load_person(screen, lock),
                    Ok(Some(LockState::SignedOut)) => screen.set(Screen::Login {
                        notice: Some(ErrorCode::PinLocked),
                    }),
                    Err(e) => screen.set(Screen::Login {
                        notice: Some(e.code),
                    }),
                }
            });
        });
    }
    {
        let tag = lang.tag();
        use_effect_with(tag, |tag| {
            if let Some(html) = gloo::utils::document().document_element() {
                let _ = html.set_attribute("lang", tag);
            }
        });
    }

    // Mirror the shell's lock: it closes on its own clock, so ask every second.
    let apply = {
        let (screen, lock) = (screen.clone(), lock.clone());
        move |state: Option<LockState>| match state {
            // A shared device's person is signed out, never locked out (the
            // shell also resets the web view): back to its login screen.
            Some(LockState::Locked { .. }) | Some(LockState::SignedOut) | None
                if matches!(*screen, Screen::SharedHome { .. }) =>
            {
                if let Screen::SharedHome { device, .. } = &*screen {
                    screen.set(Screen::Shared(device.clone()));
                }
            }
            // A wall screen's administration closed by itself (idle, past
            // its time): back to the kiosk's login. (Only on that word: a
            // `None` also follows "Afmeld enheden", whose own answer moves on.)
            Some(LockState::SignedOut) if matches!(*screen, Screen::DeviceAdmin(_)) => {
                if let Screen::DeviceAdmin(device) = &*screen {
                    screen.set(Screen::Shared(device.clone()));
                }
            }
            Some(LockState::Locked { attempts_left }) => lock.set(Lock::Closed { attempts_left }),
            // Signed out behind our back (e.g. refused): back to login.
            None | Some(LockState::SignedOut) if screen.signed_in() => {
                lock.set(Lock::Open);
                screen.set(Screen::Login { notice: None });
            }
            _ => {}
        }
    };
    {
        let apply = apply.clone();
        let signed_in =
            screen.signed_in() || matches!(*screen, Screen::Starting | Screen::DeviceAdmin(_));
        use_effect_with((signed_in, *lock), move |(signed_in, lock)| {
            // An answer that arrives after this poll has stopped (the person
            // signed out, the screen moved on) speaks of a screen that is
            // gone: applying it would undo what the person did since.
            let alive = Rc::new(Cell::new(true));
            let poll = (*signed_in && *lock == Lock::Open).then(|| {
                let alive = alive.clone();
                Interval::new(1_000, move || {
                    let (apply, alive) = (apply.clone(), alive.clone());
                    spawn_local(async move {
                        if let Ok(state) = shell::call::<ipc::LockStateNow>(&ipc::NoArgs {}).await {
                            if alive.get() {
                                apply(state);
                            }
                        }
                    });
                })
            });
            move || {
                alive.set(false);
                drop(poll)
            }
        });
    }
    // Touch, key, pointer, scroll and coming back to the app count as use.
    {
        let apply = apply.clone();
        use_effect_with((), move |_| {
            let last = Rc::new(Cell::new(0.0_f64));
            let document = gloo::utils::document();
            let options = EventListenerOptions {
                phase: gloo::events::EventListenerPhase::Capture,
                passive: true,
            };
            let listeners: Vec<EventListener> = [
                "pointerdown",
                "keydown",
                "touchstart",
                "wheel",
                "scroll",
                "visibilitychange",
            ]
            .into_iter()
            .map(|kind| {
                let (last, apply) = (last.clone(), apply.clone());
                EventListener::new_with_options(&document, kind, options, move |_| {
                    let now = js_sys::Date::now();
                    if now - last.get() < ACTIVITY_THROTTLE_MS {
                        return;
                    }
                    last.set(now);
                    let apply = apply.clone();
                    spawn_local(async move {
                        if let Ok(state) = shell::call::<ipc::ReportActivity>(&ipc::NoArgs {}).await
                        {
                            apply(state);
                        }
                    });
                })
            })
            .collect();
            move || drop(listeners)
        });
    }

    // The web view's own context menu (reload, inspect) has no place here,
    // least of all on a wall screen in kiosk mode.
    use_effect_with((), |_| {
        let options = EventListenerOptions::enable_prevent_default();
        let menu = EventListener::new_with_options(
            &gloo::utils::document(),
            "contextmenu",
            options,
            |e| e.prevent_default(),
        );
        move || drop(menu)
    });

    let toggle_lang = {
        let lang = lang.clone();
        Callback::from(move |_| {
            let next = lang.other();
            lang.set(next);
            spawn_local(async move {
                let _ = shell::call::<ipc::SetLanguage>(&ipc::TagArgs {
                    tag: next.tag().into(),
                })
                .await;
            });
        })
    };
    let to_login = {
        let (screen, lock) = (screen.clone(), lock.clone());
        Callback::from(move |notice: Option<ErrorCode>| {
            lock.set(Lock::Open);
            screen.set(Screen::Login { notice })
        })
    };
    // A refusal while signed in: locked → the lock screen; anything else → login.
    let refused = {
        let (to_login, lock) = (to_login.clone(), lock.clone());
        Callback::from(move |code: ErrorCode| {
            if code == ErrorCode::SessionLocked {
                lock.set(Lock::Closed {
                    attempts_left: omsorg_core::lock::MAX_ATTEMPTS,
                });
            } else {
                to_login.emit(Some(code));
            }
        })
    };
    let to_picker = {
        let screen = screen.clone();
        Callback::from(move |_| screen.set(Screen::Municipality))
    };
    let signed_in = {
        let screen = screen.clone();
        Callback::from(move |me: Me| screen.set(Screen::for_person(me)))
    };
    let to_enroll = {
        let screen = screen.clone();
        Callback::from(move |_| screen.set(Screen::Enroll))
    };
    let to_shared = {
        let screen = screen.clone();
        Callback::from(move |device: DeviceInfo| screen.set(Screen::Shared(device)))
    };
    let to_home = {
        let screen = screen.clone();
        Callback::from(move |(me, pin_changed): (Me, bool)| {
            screen.set(Screen::Home { me, pin_changed })
        })
    };

    // The login screen drawn before this code ran (`prescreen.js`) gives
    // way to this one, and what was tapped on it is done now.
    {
        let (lang, toggle_lang) = (*lang, toggle_lang.clone());
        let (to_picker, to_enroll) = (to_picker.clone(), to_enroll.clone());
        use_effect_with((), move |_| {
            let Some(early) = EARLY.with(|kept| kept.borrow_mut().take()) else {
                return;
            };
            if early.lang.is_some_and(|chosen| chosen != lang) {
                toggle_lang.emit(());
            }
            match early.go.as_deref() {
                Some("login") => to_picker.emit(()),
                Some("enroll") => to_enroll.emit(()),
                // Nothing tapped: a keyboard's focus stays where it was.
                _ => early.focused.and_then(|id| focus(&id)).unwrap_or_default(),
            }
        });
    }

    if let Lock::Closed { attempts_left } = *lock {
        // Nothing of the screen below is rendered; its state waits in `screen`.
        let on_unlocked = {
            let (screen, lock) = (screen.clone(), lock.clone());
            Callback::from(move |_| {
                lock.set(Lock::Open);
                if *screen == Screen::Starting {
                    load_person(screen.clone(), lock.clone());
                }
            })
        };
        return html! {
            <main>
                <LockScreen lang={*lang} {attempts_left} {on_unlocked}
                    on_signed_out={to_login.reform(Some)} />
            </main>
        };
    }

    html! {
        <main>
            { match &*screen {
                Screen::Starting => html! {
                    <p class="spinner" role="status">{ t(*lang, Msg::Starting) }</p>
                },
                Screen::Login { notice } => html! {
                    <LoginPage lang={*lang} notice={*notice} on_login={to_picker}
                        on_toggle_lang={toggle_lang} on_enroll={to_enroll} />
                },
                Screen::Enroll => html! {
                    <EnrollPage lang={*lang} on_enrolled={to_shared} on_cancel={to_login.reform(|_| None)} />
                },
                Screen::Shared(device) => {
                    let signed_in = { let (screen, device) = (screen.clone(), device.clone());
                        Callback::from(move |me: Me| screen.set(Screen::SharedHome { me, device: device.clone() })) };
                    let admin = { let (screen, device) = (screen.clone(), device.clone());
                        Callback::from(move |_| screen.set(Screen::DeviceAdmin(device.clone()))) };
                    html! {
                        <SharedLoginPage lang={*lang} device={device.clone()} on_signed_in={signed_in}
                            on_admin={admin} on_unenrolled={to_login.reform(Some)} on_toggle_lang={toggle_lang} />
                    }
                }
                Screen::SharedHome { me, device } => {
                    let out = { let (screen, device) = (screen.clone(), device.clone());
                        Callback::from(move |_| screen.set(Screen::Shared(device.clone()))) };
                    html! {
                        <HomePage lang={*lang} me={me.clone()} shared=true
                            on_signed_out={out} on_change_pin={Callback::noop()} />
                    }
                }
                Screen::DeviceAdmin(device) => {
                    let back = { let (screen, device) = (screen.clone(), device.clone());
                        Callback::from(move |_| screen.set(Screen::Shared(device.clone()))) };
                    html! {
                        <DeviceAdminPage lang={*lang} device={device.clone()} on_done={back}
                            on_unenrolled={to_login.reform(|_| None)} />
                    }
                }
                Screen::NewCode(me) => {
                    let back = { let (to_home, me) = (to_home.clone(), me.clone());
                        Callback::from(move |_| to_home.emit((me.clone(), false))) };
                    html! { <NewCodePage lang={*lang} on_done={back} on_refused={refused.clone()} /> }
                }
                Screen::Order(me) | Screen::MyOrders(me) | Screen::Declarations(me) | Screen::SubstituteIds(me)
                | Screen::Units(me) | Screen::People(me) | Screen::Devices(me)
                | Screen::AuditLog(me) | Screen::UnitOrders(me) | Screen::Residents(me) => {
                    let back = { let (to_home, me) = (to_home.clone(), me.clone());
                        Callback::from(move |_| to_home.emit((me.clone(), false))) };
                    let refused = refused.clone();
                    match &*screen {
                        Screen::Order(_) => html! { <OrderWizard lang={*lang} on_done={back} on_refused={refused} /> },
                        Screen::MyOrders(_) => html! { <MyOrdersPage lang={*lang} on_done={back} on_refused={refused} /> },
                        Screen::Declarations(_) => html! { <DeclarationSearchPage lang={*lang} on_done={back} on_refused={refused} /> },
                        Screen::Units(_) => html! { <UnitsPage lang={*lang} on_done={back} on_refused={refused} /> },
                        Screen::People(_) => html! { <PeoplePage lang={*lang} on_done={back} on_refused={refused} /> },
                        Screen::Devices(_) => html! { <DevicesPage lang={*lang} on_done={back} on_refused={refused} /> },
                        Screen::AuditLog(_) => html! { <AuditLogPage lang={*lang} on_done={back} on_refused={refused} /> },
                        Screen::UnitOrders(_) => html! { <UnitOrdersPage lang={*lang} on_done={back} on_refused={refused} /> },
                        Screen::Residents(_) => html! { <crate::pages::care::CarePage lang={*lang} on_done={back} on_refused={refused} /> },
                        _ => html! { <SubstituteIdsPage lang={*lang} on_done={back} on_refused={refused} /> },
                    }
                }
                Screen::Municipality => html! {
                    <MunicipalityPage lang={*lang} on_back={to_login.reform(|_| None)}
                        on_signed_in={signed_in} on_refused={to_login.reform(Some)} />
                },
                Screen::PinSetup(me) => html! {
                    <PinSetupPage lang={*lang} me={me.clone()} mode={Mode::Setup}
                        on_done={to_home.reform(|me| (me, false))}
                        on_cancel={Callback::noop()} on_refused={refused} />
                },
                Screen::ChangePin(me) => {
                    let back = { let (to_home, me) = (to_home.clone(), me.clone());
                        Callback::from(move |_| to_home.emit((me.clone(), false))) };
                    html! {
                        <PinSetupPage lang={*lang} me={me.clone()} mode={Mode::Change}
                            on_done={to_home.reform(|me| (me, true))}
                            on_cancel={back} on_refused={refused} />
                    }
                }
                Screen::Home { me, pin_changed } => {
                    let change = { let (screen, me) = (screen.clone(), me.clone());
                        Callback::from(move |_| screen.set(Screen::ChangePin(me.clone()))) };
                    let to = |make: fn(Me) -> Screen| { let (screen, me) = (screen.clone(), me.clone());
                        Callback::from(move |_| screen.set(make(me.clone()))) };
                    html! {
                        <HomePage lang={*lang} me={me.clone()} pin_changed={*pin_changed}
                            on_signed_out={to_login.reform(|_| None)} on_change_pin={change}
                            on_new_code={to(Screen::NewCode)} on_order={to(Screen::Order)}
                            on_my_orders={to(Screen::MyOrders)} on_declarations={to(Screen::Declarations)}
                            on_substitute_ids={to(Screen::SubstituteIds)} on_units={to(Screen::Units)} on_devices={to(Screen::Devices)}
                            on_audit={to(Screen::AuditLog)} on_unit_orders={to(Screen::UnitOrders)}
                            on_people={to(Screen::People)} on_residents={to(Screen::Residents)}
                            on_me={ let screen = screen.clone();
                                Callback::from(move |me| screen.set(Screen::Home { me, pin_changed: false })) } />
                    }
                }
            } }
        </main>
    }
}
