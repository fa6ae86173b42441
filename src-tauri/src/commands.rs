//! Tauri commands: thin wrappers that call the services below them.

use chrono::Utc;
use omsorg_core::api::MunicipalityChoice;
use omsorg_core::ErrorCode;
use tauri::State;

use crate::api_client::ApiClient;
use crate::error::CommandError;
use crate::store::Store;
use crate::Shell;

#[tauri::command]
pub async fn list_municipalities(
    shell: State<'_, Shell>,
) -> Result<MunicipalityChoice, CommandError> {
    load_municipalities(&shell.api, &shell.store).await
}

#[tauri::command]
pub fn choose_municipality(shell: State<'_, Shell>, code: String) -> Result<(), CommandError> {
    remember_municipality(&shell.store, &code)
}

/// The live list (cached for next time), or, when the backend cannot be
/// reached, the cached list marked with when it was fetched.
pub async fn load_municipalities(
    api: &ApiClient,
    store: &Store,
) -> Result<MunicipalityChoice, CommandError> {
    let last_choice = store.last_municipality()?;
    match api.municipalities().await {
        Ok(list) => {
            store.cache_municipalities(&list, Utc::now())?;
            Ok(MunicipalityChoice {
                municipalities: list,
                cached_at: None,
                last_choice,
            })
        }
        Err(e)
            if matches!(
                e.code,
                ErrorCode::NetworkUnreachable | ErrorCode::NetworkBadResponse
            ) =>
        {
            match store.cached_municipalities()? {
                Some((list, at)) => Ok(MunicipalityChoice {
                    municipalities: list,
                    cached_at: Some(at),
                    last_choice,
                }),
                None => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

/// Remembers the choice, but only of a municipality the app knows.
pub fn remember_municipality(store: &Store, code: &str) -> Result<(), CommandError> {
    let known = store
        .cached_municipalities()?
        .is_some_and(|(list, _)| list.iter().any(|m| m.code == code));
    if !known {
        return Err(CommandError::new(
            ErrorCode::RequestInvalid,
            "unknown municipality",
        ));
    }
    store.set_last_municipality(code)?;
    Ok(())
}
