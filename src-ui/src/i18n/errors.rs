//! Every error code the shell can return, as a person reads it: what
//! happened and what to do (the match is exhaustive).

use omsorg_core::ErrorCode;

use super::Lang;

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
        (PinOfflineUnavailable, Da) => {
            "Der er ingen forbindelse, og enheden kan ikke tjekke din PIN-kode uden. Prøv igen, når du er på nettet."
        }
        (PinOfflineUnavailable, En) => {
            "There is no connection, and this device cannot check your PIN without one. Try again when online."
        }
        (Throttled, Da) => "For mange forsøg fra denne enhed. Vent lidt, og prøv igen.",
        (Throttled, En) => "Too many attempts from this device. Wait a little and try again.",
        (SignatureTooLarge, Da) => "Underskriften kunne ikke bruges. Ryd feltet, og skriv under igen.",
        (SignatureTooLarge, En) => "The signature could not be used. Clear the pad and sign again.",
        (IdentityUnavailable, Da) => "KOMBIT kan ikke nås lige nu. Du er stadig logget ind; prøv igen om lidt.",
        (IdentityUnavailable, En) => "KOMBIT cannot be reached right now. You are still signed in; try again shortly.",
        (CprLookupsThrottled, Da) => "Du har slået mange CPR-numre op på kort tid. Vent et par minutter, og prøv igen.",
        (CprLookupsThrottled, En) => "You have looked up many CPR numbers in a short time. Wait a few minutes and try again.",
        (EnrollmentInvalid, Da) => {
            "Koden virker ikke. Den kan være brugt eller udløbet. Bed en administrator om en ny."
        }
        (EnrollmentInvalid, En) => {
            "The code does not work. It may be used or expired. Ask an administrator for a new one."
        }
        (DeviceNotEnrolled, Da) => {
            "Enheden er ikke (længere) tilmeldt. En administrator skal tilmelde den igen."
        }
        (DeviceNotEnrolled, En) => {
            "This device is not (or no longer) enrolled. An administrator must enroll it again."
        }
        (SharedLoginFailed, Da) => {
            "Bruger-id eller PIN-kode er forkert. Prøv igen. Første gang skal du logge ind med KOMBIT på din egen enhed og vælge en PIN-kode."
        }
        (SharedLoginFailed, En) => {
            "The user ID or PIN is wrong. Try again. The first time, log in with KOMBIT on your own device and choose a PIN."
        }
        (SessionLocked, Da) => "Appen er låst. Skriv din PIN-kode.",
        (SessionLocked, En) => "The app is locked. Enter your PIN.",
        (Forbidden, Da) => "Det har du ikke adgang til. Kontakt din leder, hvis du skal have det.",
        (Forbidden, En) => "You do not have access to this. Contact your manager if you need it.",
        (FreshLoginRequired, Da) => {
            "Skriv din nuværende PIN-kode. Har du glemt den, så log ud og ind med KOMBIT, og vælg en ny."
        }
        (FreshLoginRequired, En) => {
            "Enter your current PIN. If you have forgotten it, sign out and in with KOMBIT, and choose a new one."
        }
        (NotProvisioned, Da) => "Din adgang er lukket. Kontakt din leder.",
        (NotProvisioned, En) => "Your access has been closed. Contact your manager.",
        (PrivilegesInvalid, Da) => {
            "Dine rettigheder fra KOMBIT kunne ikke læses. Log ind igen, eller kontakt IT-supporten."
        }
        (PrivilegesInvalid, En) => {
            "Your rights from KOMBIT could not be read. Log in again, or contact IT support."
        }
        (AssuranceTooLow, Da) => {
            "CPR-numre og bestilling kræver et login på sikringsniveau Betydelig. Log ind med MitID eller NemLog-in med det niveau, eller bed en kollega bestille."
        }
        (AssuranceTooLow, En) => {
            "CPR numbers and ordering need a login at assurance level Substantial. Log in with MitID at that level, or ask a colleague to order."
        }
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
        (CprInvalid, Da) => {
            "Det er ikke et gyldigt CPR-nummer. Skriv det som DDMMÅÅ-XXXX med en rigtig fødselsdato."
        }
        (CprInvalid, En) => "That is not a valid CPR number. Type it as DDMMYY-XXXX with a real date of birth.",
        (CprNotFound, Da) => "CPR-registret kender ingen person med det nummer. Tjek nummeret på ID-kortet.",
        (CprNotFound, En) => "The CPR register has no person with that number. Check the number on the ID card.",
        (CprRegisterUnavailable, Da) => "CPR-registret svarer ikke lige nu. Prøv igen om lidt.",
        (CprRegisterUnavailable, En) => "The CPR register is not answering right now. Try again in a moment.",
        (PeriodTooLong, Da) => "Så længe må adgangen ikke vare for denne enhed (aldrig over 30 dage). Vælg en tidligere slutdato.",
        (PeriodTooLong, En) => "The access may not last that long for this unit (never over 30 days). Choose an earlier end date.",
        (PeriodInPast, Da) => "Slutdatoen skal ligge i fremtiden.",
        (PeriodInPast, En) => "The end date must be in the future.",
        (SubstituteIdsExhausted, Da) => {
            "Der er ingen ledige vikar-bruger-id'er. Bed en administrator om at oprette flere."
        }
        (ReservationInvalid, Da) => {
            "Reservationen af bruger-id'et er udløbet. Gå tilbage og reserver et nyt."
        }
        (ReservationInvalid, En) => "The user ID reservation has expired. Go back and reserve a new one.",
        (IdempotencyMismatch, Da) => {
            "Bestillingen blev ændret, mens den blev sendt. Start bestillingen forfra."
        }
        (IdempotencyMismatch, En) => "The order changed while it was being sent. Start the order again.",
        (CareLoginRequired, Da) => "Din Nexus-adgang er udløbet. Log ind i Nexus igen.",
        (CareLoginRequired, En) => "Your Nexus access has expired. Log in to Nexus again.",
        (CareRecordUnavailable, Da) => {
            "Omsorgsjournalen svarer ikke lige nu. Intet er gået tabt; prøv igen om lidt."
        }
        (CareRecordUnavailable, En) => {
            "The care record is not answering right now. Nothing is lost; try again shortly."
        }
        (CareRecordNotConfigured, Da) => {
            "Din enhed er ikke koblet til en omsorgsjournal. Kontakt din administrator."
        }
        (CareRecordNotConfigured, En) => {
            "Your unit is not connected to a care record. Contact your administrator."
        }
        (MeasurementInvalid, Da) => "Målingen er ikke realistisk og er ikke sendt. Tjek værdien.",
        (MeasurementInvalid, En) => "The measurement is not plausible and was not sent. Check the value.",
        (SubstituteAlreadyActive, Da) => {
            "Vikaren har allerede en aktiv adgang her. Forlæng den under Mine bestillinger i stedet for at bestille en ny."
        }
        (SubstituteAlreadyActive, En) => {
            "The substitute already has an active access here. Extend it under My orders instead of ordering another."
        }
        (SubstituteIdsExhausted, En) => {
            "There are no free substitute user IDs. Ask an administrator to add more."
        }
        (RequestInvalid | NotFound | MethodNotAllowed, Da) => {
            "Det lykkedes ikke. Prøv igen, og kontakt support, hvis det bliver ved."
        }
        (RequestInvalid | NotFound | MethodNotAllowed, En) => {
            "That did not work. Try again, and contact support if it keeps happening."
        }
    }
}
