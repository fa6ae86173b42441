pub mod enroll;
pub mod home;
pub mod keypad;
pub mod lock;
pub mod login;
pub mod municipality;
pub mod new_code;
pub mod pin_setup;
pub mod shared;

use web_sys::HtmlInputElement;
use yew::prelude::*;

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
