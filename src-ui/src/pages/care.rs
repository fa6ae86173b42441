//! The care record (SPEC C5): "Beboere", a resident's "Medicin",
//! "Målinger" with a trend per kind, and "Registrér måling", behind the
//! integration session ("Log ind i Nexus", 90 minutes, its time always in
//! view). The shell holds the care record's token and talks FHIR; this
//! page asks and renders. Health data lives only in this page's state: it
//! is gone from the DOM when the page is (sign-out, the lock).
//!
//! When the session runs out the page stays as it is (a half-typed
//! measurement keeps its values); the banner offers "Log ind i Nexus", and
//! after it the registration is sent again with the same key.

use gloo::timers::callback::Interval;
use omsorg_core::care::measure::{self, MeasuredValue, MeasurementKind};
use omsorg_core::care::{
    remaining_label, CareStatus, Measurement, MeasurementInput, MeasurementList, MedicationDay,
    Resident, ResidentList,
};
use omsorg_core::{ipc, ErrorCode};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::hooks::use_shell_call;
use crate::i18n::care::{kind_name, problem_text, Care};
use crate::i18n::{error_text, t, Lang, Msg};
use crate::pages::{local_time, PageProps};

/// The session as the banner shows it: when it ends by the web view's clock.
#[derive(Clone, Copy, PartialEq)]
enum Session {
    Unknown,
    Needed,
    Live { ends_ms: f64 },
    Expired,
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn session_of(status: CareStatus) -> Session {
    match status {
        CareStatus::None => Session::Needed,
        CareStatus::Expired => Session::Expired,
        CareStatus::Active { remaining_secs, .. } => Session::Live {
            ends_ms: now_ms() + remaining_secs as f64 * 1000.0,
        },
    }
}

/// A registration key, made once per form (uniqueness, not secrecy: the
/// care record stores one measurement per key).
fn new_key() -> String {
    let part = || {
        format!(
            "{:08x}",
            (js_sys::Math::random() * f64::from(u32::MAX)) as u32
        )
    };
    format!(
        "reg-{}-{}{}{}{}",
        now_ms() as u64,
        part(),
        part(),
        part(),
        part()
    )
}

#[derive(Clone, PartialEq)]
enum View {
    List,
    Resident(Resident, Tab),
}

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Medication,
    Measurements,
    Register,
}

#[function_component]
pub fn CarePage(props: &PageProps) -> Html {
    let lang = props.lang;
    let session = use_state(|| Session::Unknown);
    let view = use_state(|| View::List);
    let residents = use_state(|| None::<ResidentList>);
    // Bumped after each login: what was waiting for it loads again.
    let logins = use_state(|| 0u32);
    let tick = use_state(|| 0u32);
    // When the page appeared (the tap): the first list's timing starts here.
    let opened = use_state(|| Some(now_ms()));
    let status = use_shell_call::<ipc::CareStatusNow>(&props.on_refused);
    let login = use_shell_call::<ipc::CareLogin>(&props.on_refused);
    let list = use_shell_call::<ipc::CareResidents>(&props.on_refused);

    {
        let (status, session) = (status.clone(), session.clone());
        use_effect_with((), move |_| {
            status.run(ipc::NoArgs {}, move |s| session.set(session_of(s)));
        });
    }
    {
        // The banner counts down by itself; at zero the session is over.
        let (tick, session) = (tick.clone(), session.clone());
        use_effect_with(*session, move |s| {
            let s = *s;
            let timer = Interval::new(1_000, move || {
                if let Session::Live { ends_ms } = s {
                    if now_ms() >= ends_ms {
                        session.set(Session::Expired);
                    }
                }
                tick.set(*tick + 1);
            });
            move || drop(timer)
        });
    }
    let expired = {
        let session = session.clone();
        Callback::from(move |code: ErrorCode| {
            if code == ErrorCode::CareLoginRequired {
                session.set(Session::Expired);
            }
        })
    };
    let load_residents = {
        let (list, residents, expired, opened) = (
            list.clone(),
            residents.clone(),
            expired.clone(),
            opened.clone(),
        );
        Callback::from(move |_: ()| {
            let residents = residents.clone();
            let started = opened.unwrap_or_else(now_ms);
            opened.set(None);
            list.run_or(
                ipc::NoArgs {},
                move |r| {
                    residents.set(Some(r));
                    mark_rendered("residents", started);
                },
                {
                    let expired = expired.clone();
                    move |c| expired.emit(c)
                },
            );
        })
    };
    {
        let (load, session) = (load_residents.clone(), *session);
        let live = matches!(session, Session::Live { .. });
        use_effect_with((live, *logins), move |(live, _)| {
            if *live {
                load.emit(());
            }
        });
    }
    let do_login = {
        let (login, session, logins) = (login.clone(), session.clone(), logins.clone());
        let opened = opened.clone();
        Callback::from(move |_: MouseEvent| {
            // A list after a login is timed from the login's answer.
            opened.set(None);
            let (session, logins) = (session.clone(), logins.clone());
            login.run(ipc::NoArgs {}, move |s| {
                session.set(session_of(s));
                logins.set(*logins + 1);
            });
        })
    };
    let cancel_login = Callback::from(|_: MouseEvent| {
        yew::platform::spawn_local(async {
            let _ = crate::shell::call::<ipc::CancelLogin>(&ipc::NoArgs {}).await;
        });
    });

    let banner = match *session {
        Session::Unknown => html! {},
        Session::Live { ends_ms } => {
            let left = ((ends_ms - now_ms()) / 1000.0).max(0.0) as u64;
            let soon = left <= omsorg_core::care::NOTICE_BEFORE_END.num_seconds() as u64;
            html! {
                <div id="care-session" class={classes!("care-session", soon.then_some("warning"))} role="status">
                    <span>{ t(lang, Care::TimeLeft) }{ " " }</span>
                    <strong id="care-time-left">{ remaining_label(left) }</strong>
                    if soon {
                        <p id="care-ending-soon" class="notice warning">{ t(lang, Care::EndingSoon) }</p>
                    }
                </div>
            }
        }
        Session::Needed | Session::Expired => {
            let was = *session == Session::Expired;
            html! {
                <div id={if was { "care-expired" } else { "care-login-needed" }} class="notice care-login" role="alert">
                    <h2>{ t(lang, if was { Care::Expired } else { Care::LogInNeeded }) }</h2>
                    <p>{ t(lang, if was { Care::ExpiredLead } else { Care::LogInNeededLead }) }</p>
                    if login.busy() {
                        <p class="spinner" role="status">{ t(lang, Care::LoggingIn) }</p>
                        <button id="care-login-cancel" onclick={cancel_login}>{ t(lang, Msg::Cancel) }</button>
                    } else {
                        <button id="care-login" class="primary big" onclick={do_login}>{ t(lang, Care::LogIn) }</button>
                    }
                    if let Some(code) = login.problem() {
                        <p class="notice error" role="alert">{ error_text(lang, code) }</p>
                    }
                </div>
            }
        }
    };
    let live = matches!(*session, Session::Live { .. });
    let body = match &*view {
        View::List => {
            let open = {
                let view = view.clone();
                Callback::from(move |r: Resident| view.set(View::Resident(r, Tab::Medication)))
            };
            html! {
                <>
                    <p class="lead">{ t(lang, Care::ResidentsLead) }</p>
                    <Problem {lang} code={list.problem()} on_retry={load_residents.clone()} />
                    { match (&*residents, live) {
                        (Some(r), _) if r.residents.is_empty() => html! {
                            <p class="notice" role="status">{ t(lang, Care::NoResidents) }</p>
                        },
                        (Some(r), _) => html! {
                            <ul id="residents" class="cards">
                                { for r.residents.iter().map(|res| {
                                    let (open, res2) = (open.clone(), res.clone());
                                    html! {
                                        <li key={res.id.clone()} class="card resident">
                                            <button class="resident-open big" id={format!("resident-{}", res.id)}
                                                onclick={Callback::from(move |_: MouseEvent| open.emit(res2.clone()))}>
                                                <span class="resident-name">{ &res.name }</span>
                                                if let Some(a) = &res.apartment {
                                                    <span class="resident-apartment">{ t(lang, Msg::Apartment) }{ " " }{ a }</span>
                                                }
                                            </button>
                                        </li>
                                    }
                                }) }
                            </ul>
                        },
                        (None, true) if list.busy() => html! { <p class="spinner" role="status">{ t(lang, Msg::Loading) }</p> },
                        _ => html! {},
                    } }
                </>
            }
        }
        View::Resident(resident, tab) => {
            let to = |tab: Tab| {
                let (view, r) = (view.clone(), resident.clone());
                Callback::from(move |_: MouseEvent| view.set(View::Resident(r.clone(), tab)))
            };
            let back = {
                let view = view.clone();
                Callback::from(move |_: MouseEvent| view.set(View::List))
            };
            let pressed = |x: Tab| if *tab == x { "true" } else { "false" };
            html! {
                <article id="resident" aria-labelledby="resident-name">
                    <div class="topbar">
                        <h2 id="resident-name">{ &resident.name }</h2>
                        <button id="back-to-residents" onclick={back}>{ t(lang, Care::BackToResidents) }</button>
                    </div>
                    <dl class="facts">
                        if let Some(b) = resident.birth_date {
                            <dt>{ t(lang, Care::Born) }</dt><dd>{ b.format("%d.%m.%Y").to_string() }</dd>
                        }
                        if let Some(a) = &resident.apartment {
                            <dt>{ t(lang, Msg::Apartment) }</dt><dd>{ a }</dd>
                        }
                    </dl>
                    <nav class="tabs" aria-label={resident.name.clone()}>
                        <button id="tab-medication" aria-pressed={pressed(Tab::Medication)} onclick={to(Tab::Medication)}>{ t(lang, Care::Medication) }</button>
                        <button id="tab-measurements" aria-pressed={pressed(Tab::Measurements)} onclick={to(Tab::Measurements)}>{ t(lang, Care::Measurements) }</button>
                        <button id="tab-register" aria-pressed={pressed(Tab::Register)} onclick={to(Tab::Register)}>{ t(lang, Care::Register) }</button>
                    </nav>
                    { match tab {
                        Tab::Medication => html! {
                            <MedicationView {lang} resident={resident.id.clone()} {live} logins={*logins}
                                on_expired={expired.clone()} on_refused={props.on_refused.clone()} />
                        },
                        Tab::Measurements => html! {
                            <MeasurementsView {lang} resident={resident.id.clone()} {live} logins={*logins}
                                on_expired={expired.clone()} on_refused={props.on_refused.clone()} />
                        },
                        Tab::Register => html! {
                            <RegisterView {lang} resident={resident.id.clone()} {live}
                                on_expired={expired.clone()} on_refused={props.on_refused.clone()} />
                        },
                    } }
                </article>
            }
        }
    };
    html! {
        <section id="care" aria-labelledby="care-title">
            <div class="topbar">
                <h1 id="care-title">{ t(lang, Care::Residents) }</h1>
                <button id="care-back" onclick={props.on_done.reform(|_: MouseEvent| ())}>{ t(lang, Msg::Back) }</button>
            </div>
            if let Some(code) = status.problem() {
                <p class="notice error" role="alert">{ error_text(lang, code) }</p>
            }
            { banner }
            { body }
        </section>
    }
}

/// How long from asking to a rendered list, on the page (the E2E reads it:
/// `data-rendered-ms` on `#care-timing`).
fn mark_rendered(what: &str, started: f64) {
    let what = what.to_string();
    // After Yew has rendered the answer: the next frame.
    gloo::timers::callback::Timeout::new(0, move || {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let el = match doc.get_element_by_id("care-timing") {
            Some(el) => el,
            None => {
                let Ok(el) = doc.create_element("span") else {
                    return;
                };
                el.set_id("care-timing");
                el.set_attribute("hidden", "").ok();
                if let Some(body) = doc.body() {
                    body.append_child(&el).ok();
                }
                el
            }
        };
        el.set_attribute("data-what", &what).ok();
        el.set_attribute("data-rendered-ms", &format!("{:.0}", now_ms() - started))
            .ok();
    })
    .forget();
}

#[derive(Properties, PartialEq)]
struct ProblemProps {
    lang: Lang,
    code: Option<ErrorCode>,
    on_retry: Callback<()>,
}

/// An error from the care record with "Prøv igen" (never a blank screen);
/// an expired session is the banner's.
#[function_component]
fn Problem(props: &ProblemProps) -> Html {
    match props.code {
        None | Some(ErrorCode::CareLoginRequired) => html! {},
        Some(code) => html! {
            <div class="notice error care-problem" role="alert">
                <p>{ error_text(props.lang, code) }</p>
                <button class="care-retry" onclick={props.on_retry.reform(|_: MouseEvent| ())}>{ t(props.lang, Care::Retry) }</button>
            </div>
        },
    }
}

#[derive(Properties, PartialEq)]
struct ViewProps {
    lang: Lang,
    resident: String,
    live: bool,
    #[prop_or_default]
    logins: u32,
    on_expired: Callback<ErrorCode>,
    on_refused: Callback<ErrorCode>,
}

/// Loads a resident's `C` when the session is live (again after a login).
#[hook]
fn use_resident_load<C>(
    props: &ViewProps,
    what: &'static str,
) -> (
    UseStateHandle<Option<C::Output>>,
    crate::hooks::ShellCall<C>,
    Callback<()>,
)
where
    C: ipc::Command<Args = ipc::IdArgs> + 'static,
{
    let found = use_state(|| None::<C::Output>);
    let call = use_shell_call::<C>(&props.on_refused);
    let load = {
        let (call, found, id, expired) = (
            call.clone(),
            found.clone(),
            props.resident.clone(),
            props.on_expired.clone(),
        );
        Callback::from(move |_: ()| {
            let found = found.clone();
            let started = now_ms();
            let expired = expired.clone();
            call.run_or(
                ipc::IdArgs { id: id.clone() },
                move |m| {
                    found.set(Some(m));
                    mark_rendered(what, started);
                },
                move |c| expired.emit(c),
            );
        })
    };
    {
        let load = load.clone();
        use_effect_with(
            (props.live, props.logins, props.resident.clone()),
            move |(live, _, _)| {
                if *live {
                    load.emit(());
                }
            },
        );
    }
    (found, call, load)
}

#[function_component]
fn MedicationView(props: &ViewProps) -> Html {
    let lang = props.lang;
    let (found, call, load) = use_resident_load::<ipc::CareMedication>(props, "medication");
    let day: Option<&MedicationDay> = found.as_ref();
    html! {
        <div id="medication">
            <Problem {lang} code={call.problem()} on_retry={load} />
            { match day {
                None if call.busy() => html! { <p class="spinner" role="status">{ t(lang, Msg::Loading) }</p> },
                None => html! {},
                Some(d) if d.scheduled.is_empty() && d.as_needed.is_empty() => html! {
                    <p class="notice" role="status">{ t(lang, Care::NoMedication) }</p>
                },
                Some(d) => html! {
                    <>
                        <h3>{ t(lang, Care::Scheduled) }</h3>
                        <ol id="doses" class="doses">
                            { for d.scheduled.iter().map(|dose| html! {
                                <li class="dose">
                                    <span class="dose-time">{ dose.time.clone().unwrap_or_else(|| t(lang, Care::DuringDay).to_string()) }</span>
                                    <span class="dose-medicine">{ &dose.medicine }</span>
                                    <span class="dose-amount">{ &dose.dose }</span>
                                    if let Some(i) = &dose.instruction {
                                        <span class="dose-instruction">{ i }</span>
                                    }
                                </li>
                            }) }
                        </ol>
                        if !d.as_needed.is_empty() {
                            <h3>{ t(lang, Care::AsNeeded) }</h3>
                            <ul id="pn" class="doses">
                                { for d.as_needed.iter().map(|pn| html! {
                                    <li class="dose pn">
                                        <span class="dose-medicine">{ &pn.medicine }</span>
                                        <span class="dose-amount">{ &pn.dose }</span>
                                        if let Some(i) = &pn.instruction {
                                            <span class="dose-instruction">{ i }</span>
                                        }
                                        <span class="pn-last-given">
                                            { t(lang, Care::LastGiven) }{ ": " }
                                            { pn.last_given.map(local_time).unwrap_or_else(|| t(lang, Care::NeverGiven).to_string()) }
                                        </span>
                                    </li>
                                }) }
                            </ul>
                        }
                    </>
                },
            } }
        </div>
    }
}

fn value_text(m: &Measurement) -> String {
    let n = omsorg_core::care::medication::danish_number;
    let round = |v: f64| (v * 10.0).round() / 10.0;
    match m.value {
        MeasuredValue::Pressure {
            systolic,
            diastolic,
        } => format!("{}/{} {}", n(systolic), n(diastolic), m.kind.unit_label()),
        MeasuredValue::Single { value } => format!("{} {}", n(round(value)), m.kind.unit_label()),
    }
}

/// A small trend line of `points` (oldest first), scaled to their range.
fn trend(kind: MeasurementKind, points: &[&Measurement], label: &str) -> Html {
    let (w, h, pad) = (240.0, 64.0, 6.0);
    let values: Vec<f64> = points.iter().map(|m| m.value.primary()).collect();
    let (lo, hi) = values
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let step = if values.len() > 1 {
        (w - 2.0 * pad) / (values.len() - 1) as f64
    } else {
        0.0
    };
    let xy: Vec<(f64, f64)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            (
                pad + step * i as f64,
                h - pad - (v - lo) / span * (h - 2.0 * pad),
            )
        })
        .collect();
    let line = xy
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ");
    html! {
        <svg class="trend" id={format!("trend-{kind:?}").to_lowercase()} viewBox={format!("0 0 {w} {h}")}
            role="img" aria-label={label.to_string()} width="240" height="64">
            <polyline points={line} fill="none" stroke="currentColor" stroke-width="2" />
            { for xy.iter().map(|(x, y)| html! { <circle cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="3" fill="currentColor" /> }) }
        </svg>
    }
}

#[function_component]
fn MeasurementsView(props: &ViewProps) -> Html {
    let lang = props.lang;
    let (found, call, load) = use_resident_load::<ipc::CareMeasurements>(props, "measurements");
    let list: Option<&MeasurementList> = found.as_ref();
    html! {
        <div id="measurements">
            <Problem {lang} code={call.problem()} on_retry={load} />
            { match list {
                None if call.busy() => html! { <p class="spinner" role="status">{ t(lang, Msg::Loading) }</p> },
                None => html! {},
                Some(l) if l.measurements.is_empty() => html! {
                    <p class="notice" role="status">{ t(lang, Care::NoMeasurements) }</p>
                },
                Some(l) => html! {
                    <ul class="cards">
                        { for MeasurementKind::ALL.iter().filter_map(|kind| {
                            let points = l.series(*kind);
                            let latest = points.last()?;
                            let label = format!("{} – {}", kind_name(lang, *kind), t(lang, Care::Trend));
                            Some(html! {
                                <li class="card measurement" id={format!("measurements-{kind:?}").to_lowercase()}>
                                    <h3>{ kind_name(lang, *kind) }</h3>
                                    <p class="latest"><strong class="latest-value">{ value_text(latest) }</strong>
                                        { " · " }{ local_time(latest.taken_at) }</p>
                                    { trend(*kind, &points, &label) }
                                    <ol class="recent">
                                        { for points.iter().rev().take(5).map(|m| html! {
                                            <li class="recent-value">{ value_text(m) }{ " · " }{ local_time(m.taken_at) }</li>
                                        }) }
                                    </ol>
                                </li>
                            })
                        }) }
                    </ul>
                },
            } }
        </div>
    }
}

#[function_component]
fn RegisterView(props: &ViewProps) -> Html {
    let lang = props.lang;
    let kind = use_state(|| None::<MeasurementKind>);
    let value = use_state(String::new);
    let second = use_state(String::new);
    let key = use_state(new_key);
    let problem = use_state(|| None::<measure::MeasurementProblem>);
    let saved = use_state(|| None::<Measurement>);
    let call = use_shell_call::<ipc::RegisterMeasurement>(&props.on_refused);
    let input = MeasurementInput {
        kind: *kind,
        value: (*value).clone(),
        second: (*second).clone(),
    };
    let submit = {
        let (call, key, problem, saved, value, second) = (
            call.clone(),
            key.clone(),
            problem.clone(),
            saved.clone(),
            value.clone(),
            second.clone(),
        );
        let (resident, expired, input) = (
            props.resident.clone(),
            props.on_expired.clone(),
            input.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // Checked here first: an implausible value is never sent.
            if let Err(p) = measure::parse(&input) {
                problem.set(Some(p));
                return;
            }
            problem.set(None);
            let (key2, saved, value, second) =
                (key.clone(), saved.clone(), value.clone(), second.clone());
            let expired = expired.clone();
            call.run_or(
                ipc::MeasurementArgs {
                    resident: resident.clone(),
                    input: input.clone(),
                    key: (*key).clone(),
                },
                move |m| {
                    saved.set(Some(m));
                    value.set(String::new());
                    second.set(String::new());
                    key2.set(new_key());
                },
                move |c| expired.emit(c),
            );
        })
    };
    let choose = {
        let (kind, saved) = (kind.clone(), saved.clone());
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            kind.set(
                MeasurementKind::ALL
                    .into_iter()
                    .find(|k| format!("{k:?}") == v),
            );
            saved.set(None);
        })
    };
    let typed = |state: &UseStateHandle<String>| {
        let (state, saved) = (state.clone(), saved.clone());
        Callback::from(move |e: InputEvent| {
            state.set(e.target_unchecked_into::<HtmlInputElement>().value());
            saved.set(None);
        })
    };
    let pressure = *kind == Some(MeasurementKind::BloodPressure);
    let unit = kind.map(|k| k.unit_label()).unwrap_or("");
    html! {
        <form id="register" class="form" onsubmit={submit} novalidate=true>
            <label for="measurement-kind">{ t(lang, Care::Kind) }</label>
            <select id="measurement-kind" onchange={choose}>
                <option value="" selected={kind.is_none()}>{ t(lang, Care::ChooseKind) }</option>
                { for MeasurementKind::ALL.iter().map(|k| html! {
                    <option value={format!("{k:?}")} selected={*kind == Some(*k)}>{ kind_name(lang, *k) }</option>
                }) }
            </select>
            <label for="measurement-value">{ if pressure { t(lang, Care::Systolic) } else { t(lang, Care::Value) } }{ " " }{ unit }</label>
            <input id="measurement-value" inputmode="decimal" autocomplete="off" value={(*value).clone()} oninput={typed(&value)} />
            if pressure {
                <label for="measurement-second">{ t(lang, Care::Diastolic) }{ " " }{ unit }</label>
                <input id="measurement-second" inputmode="numeric" autocomplete="off" value={(*second).clone()} oninput={typed(&second)} />
            }
            if let Some(p) = *problem {
                <p id="measurement-problem" class="notice error" role="alert">{ problem_text(lang, *kind, p) }</p>
            }
            // Sent again with the same key by "Gem måling": stored once.
            if let Some(code) = call.problem().filter(|c| *c != ErrorCode::CareLoginRequired) {
                <p id="measurement-error" class="notice error" role="alert">{ error_text(lang, code) }</p>
            }
            if let Some(m) = &*saved {
                <p id="measurement-saved" class="notice" role="status">{ t(lang, Care::Saved) }{ " " }{ value_text(m) }</p>
            }
            <button id="measurement-save" type="submit" class="primary big" disabled={call.busy() || !props.live}>
                { t(lang, Care::Save) }
            </button>
        </form>
    }
}
