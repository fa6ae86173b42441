//! The Omsorg UI: asks the shell through commands and renders what it gets.
//! It makes no HTTP calls and never holds a token (the CSP forbids the first,
//! the shell never hands out the second).

mod app;
mod components;
#[cfg(feature = "gallery")]
mod gallery;
mod hooks;
mod i18n;
mod pages;
mod shell;

/// A point on the page's clock, for `cargo xtask bench`'s start figures.
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

fn main() {
    mark("omsorg-ui-start");
    app::take_early_screen();
    yew::Renderer::<app::App>::new().render();
}
