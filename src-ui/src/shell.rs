//! Calls into the Rust shell. The only way out of the web view: one typed
//! call per command declared in `omsorg_core::ipc`, e.g.
//! `call::<ipc::LookupCpr>(&ipc::CprArgs { cpr })`.

use omsorg_core::ipc::Command;
use omsorg_core::{ErrorBody, ErrorCode};
#[cfg(not(feature = "gallery"))]
use wasm_bindgen::prelude::*;

#[cfg(not(feature = "gallery"))]
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], catch, js_name = invoke)]
    async fn tauri_invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;
}

/// Runs the command `C` in the shell with `args`; its answer, or the
/// shell's refusal (`{code, message}`).
#[cfg(not(feature = "gallery"))]
pub async fn call<C: Command>(args: &C::Args) -> Result<C::Output, ErrorBody> {
    let args = serde_wasm_bindgen::to_value(args).map_err(internal)?;
    match tauri_invoke(C::NAME, args).await {
        Ok(value) => serde_wasm_bindgen::from_value(value).map_err(internal),
        // The shell's errors are `{code, message}`; anything else is a bug in the bridge.
        Err(err) => Err(serde_wasm_bindgen::from_value(err.clone())
            .unwrap_or_else(|_| internal(format!("{err:?}")))),
    }
}

fn internal(e: impl std::fmt::Display) -> ErrorBody {
    ErrorBody::new(ErrorCode::Internal, e.to_string())
}

/// The screen gallery's shell: fixture answers for the scene (test-only build).
#[cfg(feature = "gallery")]
pub async fn call<C: Command>(_args: &C::Args) -> Result<C::Output, ErrorBody> {
    let value = crate::gallery::answer(C::NAME).await?;
    serde_json::from_value(value).map_err(internal)
}
