//! The bare reference app: a window with a Yew counter and nothing else, the
//! floor Omsorg's start is measured against (`cargo xtask bench`).

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("the bare app runs");
}
