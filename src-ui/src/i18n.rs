//! The one message catalogue: Danish first, English available. Every error
//! code the shell can return has a text here (the match is exhaustive).

use omsorg_core::ErrorCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Da,
    En,
}

impl Lang {
    pub fn from_tag(tag: &str) -> Lang {
        match tag {
            "en" => Lang::En,
            _ => Lang::Da,
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Lang::Da => "da",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Da => Lang::En,
            Lang::En => Lang::Da,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg {
    AppName,
    LoginLead,
    LoginWithKombit,
    SwitchLanguage,
    ChooseMunicipality,
    ChooseMunicipalityLead,
    SearchMunicipality,
    NoMatches,
    Loading,
    TryAgain,
    Back,
    ShowingCachedList,
    Chosen,
    ContinueInBrowser,
    ContinueInBrowserLead,
    Cancel,
    Hello,
    YourUserId,
    Unit,
    SignOut,
    Starting,
}

pub fn t(lang: Lang, msg: Msg) -> &'static str {
    use Lang::*;
    use Msg::*;
    match (msg, lang) {
        (AppName, _) => "Omsorg",
        (LoginLead, Da) => "Log ind med din kommunes login for at komme i gang.",
        (LoginLead, En) => "Sign in with your municipality's login to get started.",
        (LoginWithKombit, Da) => "Log ind med KOMBIT",
        (LoginWithKombit, En) => "Sign in with KOMBIT",
        // Each language's name in itself, so a person who cannot read the current one finds theirs.
        (SwitchLanguage, Da) => "English",
        (SwitchLanguage, En) => "Dansk",
        (ChooseMunicipality, Da) => "Vælg kommune",
        (ChooseMunicipality, En) => "Choose municipality",
        (ChooseMunicipalityLead, Da) => "Vælg den kommune, du arbejder for.",
        (ChooseMunicipalityLead, En) => "Choose the municipality you work for.",
        (SearchMunicipality, Da) => "Søg efter kommune",
        (SearchMunicipality, En) => "Search for a municipality",
        (NoMatches, Da) => "Ingen kommuner matcher din søgning.",
        (NoMatches, En) => "No municipality matches your search.",
        (Loading, Da) => "Henter kommuner …",
        (Loading, En) => "Fetching municipalities …",
        (TryAgain, Da) => "Prøv igen",
        (TryAgain, En) => "Try again",
        (Back, Da) => "Tilbage",
        (Back, En) => "Back",
        (ShowingCachedList, Da) => "Viser den gemte liste fra",
        (ShowingCachedList, En) => "Showing the saved list from",
        (Chosen, Da) => "Valgt",
        (Chosen, En) => "Chosen",
        (ContinueInBrowser, Da) => "Fortsæt i browseren",
        (ContinueInBrowser, En) => "Continue in the browser",
        (ContinueInBrowserLead, Da) => {
            "Log ind i browservinduet, der er åbnet. Når du er færdig, kommer du automatisk tilbage hertil."
        }
        (ContinueInBrowserLead, En) => {
            "Sign in in the browser window that has opened. When you are done, you return here automatically."
        }
        (Cancel, Da) => "Annuller",
        (Cancel, En) => "Cancel",
        (Hello, Da) => "Hej",
        (Hello, En) => "Hello",
        (YourUserId, Da) => "Dit bruger-id",
        (YourUserId, En) => "Your user ID",
        (Unit, Da) => "Arbejdssted",
        (Unit, En) => "Workplace",
        (SignOut, Da) => "Log ud",
        (SignOut, En) => "Sign out",
        (Starting, Da) => "Starter …",
        (Starting, En) => "Starting …",
    }
}

/// What a person sees for an error code: what happened and what to do.
pub fn error_text(lang: Lang, code: ErrorCode) -> &'static str {
    use ErrorCode::*;
    use Lang::*;
    match (code, lang) {
        (NetworkUnreachable, Da) => {
            "Der er ingen forbindelse til Omsorg. Tjek at enheden er på nettet, og prøv igen."
        }
        (NetworkUnreachable, En) => {
            "Omsorg cannot be reached. Check that the device is online and try again."
        }
        (NetworkBadResponse | Internal, Da) => {
            "Omsorg svarer ikke som forventet lige nu. Prøv igen om lidt."
        }
        (NetworkBadResponse | Internal, En) => {
            "Omsorg is not answering as expected right now. Try again in a moment."
        }
        (PinInvalid, Da) => {
            "PIN-koden skal være 4–8 cifre og må ikke være nem at gætte (fx 0000 eller 1234)."
        }
        (PinInvalid, En) => "The PIN must be 4–8 digits and not easy to guess (e.g. 0000 or 1234).",
        (PinWrong, Da) => "Forkert PIN-kode. Prøv igen.",
        (PinWrong, En) => "Wrong PIN. Try again.",
        (PinLocked, Da) => {
            "PIN-koden er spærret efter for mange forsøg. Log ind med KOMBIT for at vælge en ny."
        }
        (PinLocked, En) => "The PIN is blocked after too many attempts. Sign in with KOMBIT to choose a new one.",
        (PinNotSet, Da) => "Du har ikke valgt en PIN-kode endnu.",
        (PinNotSet, En) => "You have not chosen a PIN yet.",
        (NotProvisioned, Da) => "Din adgang er lukket. Kontakt din leder.",
        (NotProvisioned, En) => "Your access has been closed. Contact your manager.",
        (InvalidToken, Da) => "Du er blevet logget ud. Log ind igen.",
        (InvalidToken, En) => "You have been signed out. Please sign in again.",
        (LoginCancelled, Da) => "Login blev annulleret. Du kan prøve igen, når du er klar.",
        (LoginCancelled, En) => "The sign-in was cancelled. You can try again when ready.",
        (LoginStateMismatch, Da) => {
            "Login-svaret passede ikke til dette login og blev afvist af sikkerhedshensyn. Prøv igen."
        }
        (LoginStateMismatch, En) => {
            "The sign-in response did not match this sign-in and was refused for security. Try again."
        }
        (LoginInvalidToken, Da) => {
            "Login kunne ikke bekræftes og blev afvist af sikkerhedshensyn. Prøv igen, og kontakt IT-support, hvis det bliver ved."
        }
        (LoginInvalidToken, En) => {
            "The sign-in could not be verified and was refused for security. Try again, and contact IT support if it keeps happening."
        }
        (LoginClockSkew, Da) => "Enhedens ur går forkert. Ret dato og klokkeslæt, og prøv igen.",
        (LoginClockSkew, En) => "The device clock is wrong. Correct the date and time, and try again.",
        (LoginProviderUnreachable, Da) => {
            "Kommunens login svarer ikke. Tjek forbindelsen, og prøv igen om lidt."
        }
        (LoginProviderUnreachable, En) => {
            "The municipality's login is not answering. Check the connection and try again shortly."
        }
        (LoginProviderError, Da) => "Kommunens login afviste forespørgslen. Prøv igen, eller kontakt IT-support.",
        (LoginProviderError, En) => "The municipality's login refused the request. Try again, or contact IT support.",
        (LoginTimedOut, Da) => "Login blev ikke gennemført i tide. Prøv igen.",
        (LoginTimedOut, En) => "The sign-in was not completed in time. Try again.",
        (NoSession, Da) => "Du er ikke logget ind. Log ind igen.",
        (NoSession, En) => "You are not signed in. Please sign in again.",
        (KeystoreFailed, Da) => {
            "Enhedens sikre nøglelager kunne ikke bruges. Genstart enheden, og prøv igen."
        }
        (KeystoreFailed, En) => "The device's secure keystore could not be used. Restart the device and try again.",
        (StoreFailed, Da) => "Appen kunne ikke gemme på enheden. Genstart appen og prøv igen.",
        (StoreFailed, En) => {
            "The app could not save on this device. Restart the app and try again."
        }
        (RequestInvalid | NotFound | MethodNotAllowed, Da) => {
            "Det lykkedes ikke. Prøv igen, og kontakt support, hvis det bliver ved."
        }
        (RequestInvalid | NotFound | MethodNotAllowed, En) => {
            "That did not work. Try again, and contact support if it keeps happening."
        }
    }
}
