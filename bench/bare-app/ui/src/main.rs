//! A counter: the least a Yew app in the Tauri window does.

use yew::prelude::*;

#[function_component]
fn App() -> Html {
    let count = use_state(|| 0u32);
    let inc = {
        let count = count.clone();
        Callback::from(move |_| count.set(*count + 1))
    };
    html! {
        <main>
            <p id="count">{ *count }</p>
            <button id="login-kombit" onclick={inc}>{ "+1" }</button>
        </main>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
