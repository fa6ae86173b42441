pub mod audit;
pub mod care;
pub mod declarations;
pub mod devices;
pub mod enroll;
pub mod home;
pub mod keypad;
pub mod lock;
pub mod login;
pub mod municipality;
pub mod new_code;
pub mod order;
pub mod orders;
pub mod people;
pub mod pin_setup;
pub mod shared;
pub mod substitute_ids;
pub mod unit_orders;
pub mod units;

use chrono::{DateTime, NaiveDate, Utc};
use omsorg_core::ErrorCode;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// A page that returns to the home screen when done, and hands refusals
/// (locked, signed out) to the app.
#[derive(Properties, PartialEq)]
pub struct PageProps {
    pub lang: crate::i18n::Lang,
    pub on_done: Callback<()>,
    /// The shell refused (locked, signed out, closed centrally).
    pub on_refused: Callback<ErrorCode>,
}

/// The shell refused because the person is no longer there (locked, signed
/// out, closed centrally): the app, not the page, handles it.
pub fn refusal(code: ErrorCode) -> bool {
    code.ends_session()
}

/// A moment as Danish people read it, in Danish time whatever the device's
/// time zone and locale: "27.11.2026 kl. 09.30".
pub fn local_time(t: DateTime<Utc>) -> String {
    omsorg_core::danish_time::date_time(t)
}

/// A `<select>` of days from `first` to `last` (Danish labels, ISO values),
/// for pickers that must look the same on every device and cannot offer a
/// day the rules refuse.
pub fn day_options(first: NaiveDate, last: NaiveDate, chosen: NaiveDate) -> Html {
    let days = (0..=(last - first).num_days()).map(|n| first + chrono::Duration::days(n));
    html! {
        { for days.map(|d| html! {
            <option value={d.format("%Y-%m-%d").to_string()} selected={d == chosen}>
                { omsorg_core::danish_time::day_with_weekday(d) }
            </option>
        }) }
    }
}

/// A day typed the Danish way (`25.12.2026`, `parse_date`) as the API's
/// YYYY-MM-DD; blank is no day, anything else `Err` (and nothing is sent).
pub fn api_day(typed: &str) -> Result<String, ()> {
    if typed.trim().is_empty() {
        return Ok(String::new());
    }
    omsorg_core::danish_time::parse_date(typed)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .ok_or(())
}

/// The value of the input (or select) behind `node` (empty if it is gone).
pub fn input_value(node: &NodeRef) -> String {
    node.cast::<HtmlInputElement>()
        .map(|i| i.value())
        .or_else(|| node.cast::<web_sys::HtmlSelectElement>().map(|s| s.value()))
        .unwrap_or_default()
}

/// A field that has the focus when its screen appears.
#[hook]
pub fn use_autofocus() -> NodeRef {
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with((), move |_| {
            if let Some(i) = node.cast::<HtmlInputElement>() {
                let _ = i.focus();
            }
        });
    }
    node
}
