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

fn main() {
    yew::Renderer::<app::App>::new().render();
}
