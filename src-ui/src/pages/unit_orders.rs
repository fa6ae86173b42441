//! "Bestillinger" for administrators: the orders placed for their units,
//! by unit, state and period, newest first a page at a time; each can be
//! ended or extended here (the same card as "Mine bestillinger"); and the
//! list exported as CSV or Excel for statistics, without CPR numbers.

use omsorg_core::api::{ExportFormat, OrderQuery, OrderState, SubstituteAccessSummary};
use omsorg_core::bridge::SavedExport;
use omsorg_core::ipc;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::hooks::{use_shell_call, use_shell_load};
use crate::i18n::{error_text, t, Admin, Msg};
use crate::pages::orders::OrderCard;
use crate::pages::{api_day, input_value, PageProps};

fn state_of(value: &str) -> Option<OrderState> {
    [OrderState::Active, OrderState::Ended, OrderState::Archived]
        .into_iter()
        .find(|s| s.as_str() == value)
}

#[function_component]
pub fn UnitOrdersPage(props: &PageProps) -> Html {
    let lang = props.lang;
    let (state, from, to) = (use_node_ref(), use_node_ref(), use_node_ref());
    // The unit chosen, held here: the options arrive after the first
    // draw, and the picker must not fall on one of them by itself.
    let unit = use_state(String::new);
    let pick_unit = {
        let unit = unit.clone();
        Callback::from(move |e: Event| {
            unit.set(e.target_unchecked_into::<HtmlSelectElement>().value());
        })
    };
    let (units, _) = use_shell_load::<ipc::ListUnitSettings>(&props.on_refused, 0);
    let call = use_shell_call::<ipc::AdminOrders>(&props.on_refused);
    let export_call = use_shell_call::<ipc::ExportOrders>(&props.on_refused);
    let shown = use_state(|| None::<OrderQuery>);
    let rows = use_state(Vec::<SubstituteAccessSummary>::new);
    let more = use_state(|| false);
    let bad_day = use_state(|| false);
    let saved = use_state(|| None::<SavedExport>);
    let load = {
        let (call, shown, rows, more) = (call.clone(), shown.clone(), rows.clone(), more.clone());
        Callback::from(move |query: OrderQuery| {
            let (shown, rows, more) = (shown.clone(), rows.clone(), more.clone());
            let kept = query.clone();
            call.run(ipc::OrderQueryArgs { query }, move |page| {
                let mut all = if kept.page > 0 {
                    (*rows).clone()
                } else {
                    Vec::new()
                };
                all.extend(page.orders);
                rows.set(all);
                more.set(page.more);
                shown.set(Some(kept));
            });
        })
    };
    {
        let load = load.clone();
        use_effect_with((), move |_| load.emit(OrderQuery::default()));
    }
    let read = {
        let (unit, state, from, to, bad_day) = (
            unit.clone(),
            state.clone(),
            from.clone(),
            to.clone(),
            bad_day.clone(),
        );
        move || -> Option<OrderQuery> {
            let (Ok(from), Ok(to)) = (api_day(&input_value(&from)), api_day(&input_value(&to)))
            else {
                bad_day.set(true);
                return None;
            };
            bad_day.set(false);
            Some(OrderQuery {
                unit_id: (*unit).clone(),
                state: state_of(&input_value(&state)),
                from,
                to,
                page: 0,
            })
        }
    };
    let search = {
        let (load, saved, read) = (load.clone(), saved.clone(), read.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            saved.set(None);
            if let Some(q) = read() {
                load.emit(q);
            }
        })
    };
    let next = {
        let (load, shown) = (load.clone(), shown.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(q) = (*shown).clone() {
                load.emit(OrderQuery {
                    page: q.page + 1,
                    ..q
                });
            }
        })
    };
    // An order changed (ended, extended): the pages shown so far again.
    let changed = {
        let (load, shown) = (load.clone(), shown.clone());
        Callback::from(move |()| {
            if let Some(q) = (*shown).clone() {
                load.emit(OrderQuery { page: 0, ..q });
            }
        })
    };
    let export = |format: ExportFormat| {
        let (call, shown, saved) = (export_call.clone(), shown.clone(), saved.clone());
        Callback::from(move |_: MouseEvent| {
            let query = OrderQuery {
                page: 0,
                ..(*shown).clone().unwrap_or_default()
            };
            let saved = saved.clone();
            call.run(ipc::OrderExportArgs { query, format }, move |s| {
                saved.set(Some(s))
            });
        })
    };
    let problem = call.problem().or(export_call.problem());
    html! {
        <section id="unit-orders" aria-labelledby="unit-orders-title">
            <div class="topbar">
                <h1 id="unit-orders-title">{ t(lang, Admin::Orders) }</h1>
                <button id="unit-orders-back" onclick={props.on_done.reform(|_: MouseEvent| ())}>{ t(lang, Msg::Back) }</button>
            </div>
            <p class="lead">{ t(lang, Admin::OrdersLead) }</p>
            <form class="pin-form" role="search" onsubmit={search}>
                <label for="orders-unit">{ t(lang, Msg::Unit) }</label>
                <select id="orders-unit" onchange={pick_unit}>
                    <option value="" selected={unit.is_empty()}>{ t(lang, Msg::AllUnits) }</option>
                    { for units.iter().flatten().map(|u| html! {
                        <option value={u.id.clone()} selected={*unit == u.id}>{ &u.name }</option>
                    }) }
                </select>
                <label for="orders-state">{ t(lang, Admin::State) }</label>
                <select id="orders-state" ref={state}>
                    <option value="">{ t(lang, Admin::AllKinds) }</option>
                    <option value="active">{ t(lang, Msg::Active) }</option>
                    <option value="ended">{ t(lang, Msg::Ended) }</option>
                    <option value="archived">{ t(lang, Admin::Archived) }</option>
                </select>
                <label for="orders-from">{ t(lang, Admin::FromDay) }</label>
                <input id="orders-from" ref={from} type="text" inputmode="numeric"
                    placeholder="dd.mm.åååå" autocomplete="off" maxlength="10" aria-describedby="orders-day-error" />
                <label for="orders-to">{ t(lang, Admin::ToDay) }</label>
                <input id="orders-to" ref={to} type="text" inputmode="numeric"
                    placeholder="dd.mm.åååå" autocomplete="off" maxlength="10" aria-describedby="orders-day-error" />
                if *bad_day {
                    <p id="orders-day-error" class="notice error" role="alert">{ t(lang, Admin::DayInvalid) }</p>
                }
                <button id="orders-go" class="primary" type="submit" disabled={call.busy()}>{ t(lang, Msg::Search) }</button>
            </form>
            <nav class="menu" aria-label={t(lang, Admin::Export)}>
                <button id="orders-export-csv" onclick={export(ExportFormat::Csv)} disabled={export_call.busy()}>{ t(lang, Admin::ExportCsv) }</button>
                <button id="orders-export-xlsx" onclick={export(ExportFormat::Xlsx)} disabled={export_call.busy()}>{ t(lang, Admin::ExportXlsx) }</button>
            </nav>
            if let Some(s) = &*saved {
                <p id="orders-saved" class="notice" role="status">
                    { t(lang, Admin::ExportSaved) }<br/><span id="orders-saved-path" class="code">{ &s.path }</span>
                </p>
            }
            if let Some(code) = problem {
                <p class="notice error" role="alert">{ error_text(lang, code) }</p>
            }
            if shown.is_some() && rows.is_empty() {
                <p class="notice" role="status">{ t(lang, Msg::NoOrders) }</p>
            }
            <ul class="cards" id="unit-order-list">
                { for rows.iter().map(|a| html! {
                    <OrderCard key={a.id.clone()} {lang} access={a.clone()} on_changed={changed.clone()}
                        on_refused={props.on_refused.clone()} />
                }) }
            </ul>
            if *more {
                <button id="orders-more" onclick={next} disabled={call.busy()}>{ t(lang, Admin::ShowMore) }</button>
            }
        </section>
    }
}
