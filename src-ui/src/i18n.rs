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
    /// The picker of the unit a person with several acts for.
    ActFor,
    SignOut,
    Starting,
    PinSetupTitle,
    PinSetupLead,
    PinSetupNoteUserId,
    PinLockedChooseNew,
    NewPin,
    RepeatPin,
    CurrentPin,
    PinsDiffer,
    SavePin,
    ChangePin,
    PinChanged,
    LockedTitle,
    LockedLead,
    EnterPin,
    Unlock,
    AttemptsLeft,
    AttemptLeftLast,
    Erase,
    EnrollDevice,
    EnrollTitle,
    EnrollLead,
    EnrollmentCodeLabel,
    EnrollSubmit,
    Apartment,
    UserId,
    SharedLoginTitle,
    SharedLoginLead,
    SignIn,
    AutoSignOutNote,
    Administrator,
    AdminLoginTitle,
    DeviceAdminTitle,
    DeviceAdminLead,
    BackToKiosk,
    Unenroll,
    UnenrollConfirm,
    EnrollAnother,
    NewCodeTitle,
    NewCodeLead,
    ApartmentTablet,
    WallScreen,
    DeviceKind,
    CreateCode,
    CodeValidUntil,
    CodeShowOnce,
    Done,
    ApartmentRequired,
    ChangeCpr,
    PasswordShownOnce,
    ApartmentTooLong,
    ApartmentOnWallScreen,
    BlockedSharedHint,
    SignatureArea,
    SignHere,
    Undo,
    Clear,
    OrderSubstitute,
    ContinueOrder,
    MyOrders,
    SearchDeclarations,
    SubstituteIds,
    StepOf,
    Of,
    StepId,
    StepCpr,
    StepPeriod,
    StepUserId,
    StepDeclaration,
    StepReview,
    IdLead,
    IdSundhedskort,
    IdPas,
    IdKoerekort,
    IdOpholdskort,
    CprLead,
    LookUp,
    RegisterName,
    ConfirmName,
    NameConfirmed,
    LastDay,
    AccessEnds,
    UserIdLead,
    ReservedUntil,
    ReserveAgain,
    DeclarationLead,
    SignFirst,
    ReviewLead,
    Substitute,
    IdSeen,
    Signed,
    Next,
    SendOrder,
    Sending,
    NotSentYet,
    DiscardOrder,
    ReceiptTitle,
    ReceiptLead,
    OneTimePassword,
    ValidUntil,
    MyOrdersLead,
    NoOrders,
    Active,
    Ended,
    EndNow,
    ConfirmEnd,
    Extend,
    SaveNewEnd,
    OrderedBy,
    Period,
    DeclarationsLead,
    Name,
    UserIdLabel,
    Date,
    CprExact,
    Search,
    NoResults,
    ShowPdf,
    PdfOpened,
    PdfSaved,
    Version,
    IdsLead,
    Free,
    Reserved,
    InUse,
    Archived,
    Prefix,
    FromNumber,
    ToNumber,
    AddRange,
    Added,
    RangeInvalid,
    AllUnits,
    Units,
    UnitsLead,
    Manager,
    MayOrder,
    DefaultDays,
    MaxDays,
    Save,
    Saved,
    PeriodPolicyInvalid,
    FreeAgain,
    People,
    PeopleSearch,
    NoneFound,
    NarrowSearch,
    RoleStaff,
    RoleOrderer,
    RoleAdministrator,
    Roles,
    PinState,
    PinSet,
    PinNone,
    PinBlocked,
    LastLogin,
    ResetPin,
    ResetPinConfirm,
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
        (ActFor, Da) => "Jeg arbejder for",
        (ActFor, En) => "I am working for",
        (SignOut, Da) => "Log ud",
        (SignOut, En) => "Sign out",
        (Starting, Da) => "Starter …",
        (Starting, En) => "Starting …",
        (PinSetupTitle, Da) => "Vælg din PIN-kode",
        (PinSetupTitle, En) => "Choose your PIN",
        (PinSetupLead, Da) => {
            "Du bruger PIN-koden til at låse appen op, og sammen med dit bruger-id på lejlighedstablets og vægskærme."
        }
        (PinSetupLead, En) => {
            "You use the PIN to unlock the app, and with your user ID on apartment tablets and wall screens."
        }
        (PinSetupNoteUserId, Da) => {
            "Skriv dit bruger-id ned. Du skal bruge det på lejlighedstablets og vægskærme."
        }
        (PinSetupNoteUserId, En) => {
            "Note down your user ID. You need it on apartment tablets and wall screens."
        }
        (PinLockedChooseNew, Da) => "Din PIN-kode blev spærret. Vælg en ny.",
        (PinLockedChooseNew, En) => "Your PIN was blocked. Choose a new one.",
        (NewPin, Da) => "Ny PIN-kode (4–8 cifre)",
        (NewPin, En) => "New PIN (4–8 digits)",
        (RepeatPin, Da) => "Gentag den nye PIN-kode",
        (RepeatPin, En) => "Repeat the new PIN",
        (CurrentPin, Da) => "Nuværende PIN-kode",
        (CurrentPin, En) => "Current PIN",
        (PinsDiffer, Da) => "De to PIN-koder er ikke ens. Skriv dem igen.",
        (PinsDiffer, En) => "The two PINs are not the same. Type them again.",
        (SavePin, Da) => "Gem PIN-kode",
        (SavePin, En) => "Save PIN",
        (ChangePin, Da) => "Skift PIN-kode",
        (ChangePin, En) => "Change PIN",
        (PinChanged, Da) => "Din PIN-kode er skiftet.",
        (PinChanged, En) => "Your PIN has been changed.",
        (LockedTitle, Da) => "Appen er låst",
        (LockedTitle, En) => "The app is locked",
        (LockedLead, Da) => "Skriv din PIN-kode for at fortsætte, hvor du slap.",
        (LockedLead, En) => "Enter your PIN to continue where you left off.",
        (EnterPin, Da) => "PIN-kode",
        (EnterPin, En) => "PIN",
        (Unlock, Da) => "Lås op",
        (Unlock, En) => "Unlock",
        (AttemptsLeft, Da) => "Forkert PIN-kode. Forsøg tilbage:",
        (AttemptsLeft, En) => "Wrong PIN. Attempts left:",
        (AttemptLeftLast, Da) => "Forkert PIN-kode. Sidste forsøg: skriver du forkert igen, bliver du logget ud.",
        (AttemptLeftLast, En) => "Wrong PIN. Last attempt: if it is wrong again, you will be signed out.",
        (Erase, Da) => "Slet",
        (Erase, En) => "Delete",
        (EnrollDevice, Da) => "Tilmeld som delt enhed",
        (EnrollDevice, En) => "Enroll as a shared device",
        (EnrollTitle, Da) => "Tilmeld delt enhed",
        (EnrollTitle, En) => "Enroll shared device",
        (EnrollLead, Da) => "Skriv engangskoden fra en administrator. Enheden bliver derefter en lejlighedstablet eller vægskærm, hvor personalet logger ind med bruger-id og PIN-kode.",
        (EnrollLead, En) => "Type the one-time code from an administrator. The device then becomes an apartment tablet or wall screen where staff sign in with user ID and PIN.",
        (EnrollmentCodeLabel, Da) => "Engangskode (8 tegn)",
        (EnrollmentCodeLabel, En) => "One-time code (8 characters)",
        (EnrollSubmit, Da) => "Tilmeld",
        (EnrollSubmit, En) => "Enroll",
        (Apartment, Da) => "Lejlighed",
        (Apartment, En) => "Apartment",
        (UserId, Da) => "Bruger-id",
        (UserId, En) => "User ID",
        (SharedLoginTitle, Da) => "Log ind",
        (SharedLoginTitle, En) => "Sign in",
        (SharedLoginLead, Da) => "Skriv dit bruger-id og din PIN-kode.",
        (SharedLoginLead, En) => "Enter your user ID and PIN.",
        (SignIn, Da) => "Log ind",
        (SignIn, En) => "Sign in",
        (AutoSignOutNote, Da) => "Du bliver logget ud automatisk, når enheden ikke har været brugt i et stykke tid. Tryk Log ud, når du går.",
        (AutoSignOutNote, En) => "You are signed out automatically when the device has not been used for a while. Tap Sign out when you leave.",
        (Administrator, Da) => "Administrator",
        (Administrator, En) => "Administrator",
        (AdminLoginTitle, Da) => "Administratorens bruger-id og PIN-kode",
        (AdminLoginTitle, En) => "The administrator's user ID and PIN",
        (DeviceAdminTitle, Da) => "Administration af enheden",
        (DeviceAdminTitle, En) => "Device administration",
        (DeviceAdminLead, Da) => "Kiosktilstanden er slået fra, mens administrationen er åben.",
        (DeviceAdminLead, En) => "Kiosk mode is off while the administration is open.",
        (BackToKiosk, Da) => "Tilbage til login-skærmen",
        (BackToKiosk, En) => "Back to the sign-in screen",
        (Unenroll, Da) => "Afmeld enheden",
        (Unenroll, En) => "Un-enroll the device",
        (UnenrollConfirm, Da) => "Enheden bliver en almindelig enhed igen og skal tilmeldes på ny for at blive delt. Afmeld?",
        (UnenrollConfirm, En) => "The device becomes an ordinary device again and must be enrolled anew to be shared. Un-enroll?",
        (EnrollAnother, Da) => "Tilmeld en delt enhed",
        (EnrollAnother, En) => "Enroll a shared device",
        (NewCodeTitle, Da) => "Engangskode til en delt enhed",
        (NewCodeTitle, En) => "One-time code for a shared device",
        (NewCodeLead, Da) => "Vælg hvor enheden skal stå. Koden kan bruges én gang og udløber efter 15 minutter.",
        (NewCodeLead, En) => "Choose where the device will be. The code can be used once and expires after 15 minutes.",
        (ApartmentTablet, Da) => "Lejlighedstablet",
        (ApartmentTablet, En) => "Apartment tablet",
        (WallScreen, Da) => "Vægskærm",
        (WallScreen, En) => "Wall screen",
        (DeviceKind, Da) => "Slags enhed",
        (DeviceKind, En) => "Kind of device",
        (CreateCode, Da) => "Lav kode",
        (CreateCode, En) => "Create code",
        (CodeValidUntil, Da) => "Gyldig til",
        (CodeValidUntil, En) => "Valid until",
        (CodeShowOnce, Da) => "Skriv koden på enheden nu. Den vises kun denne ene gang.",
        (CodeShowOnce, En) => "Type the code on the device now. It is shown only this once.",
        (Done, Da) => "Færdig",
        (Done, En) => "Done",
        (ApartmentRequired, Da) => "Skriv hvilken lejlighed tabletten skal stå i.",
        (ApartmentRequired, En) => "Type which apartment the tablet will be in.",
        (ChangeCpr, Da) => "Ret CPR-nummer",
        (ChangeCpr, En) => "Change CPR number",
        (PasswordShownOnce, Da) => "Adgangskoden blev vist, da adgangen blev bestilt. Den vises ikke igen; spørg en administrator om en ny.",
        (PasswordShownOnce, En) => "The password was shown when the access was ordered. It is not shown again; ask an administrator for a new one.",
        (ApartmentTooLong, Da) => "Lejligheden kan højst have 40 tegn.",
        (ApartmentTooLong, En) => "The apartment can have at most 40 characters.",
        (ApartmentOnWallScreen, Da) => "En vægskærm hører til enheden, ikke til en lejlighed.",
        (ApartmentOnWallScreen, En) => "A wall screen belongs to the unit, not to an apartment.",
        (BlockedSharedHint, Da) => "Bed en administrator om at nulstille PIN-koden, eller vælg en ny efter KOMBIT-login på din egen enhed.",
        (BlockedSharedHint, En) => "Ask an administrator to reset the PIN, or choose a new one after a KOMBIT sign-in on your own device.",
        (SignatureArea, Da) => "Underskriftsfelt: skriv under med fingeren eller en pen",
        (SignatureArea, En) => "Signature area: sign with your finger or a pen",
        (SignHere, Da) => "Underskrift",
        (SignHere, En) => "Signature",
        (Undo, Da) => "Fortryd",
        (Undo, En) => "Undo",
        (Clear, Da) => "Ryd",
        (Clear, En) => "Clear",
        (OrderSubstitute, Da) => "Bestil vikaradgang",
        (OrderSubstitute, En) => "Order substitute access",
        (ContinueOrder, Da) => "Fortsæt påbegyndt bestilling",
        (ContinueOrder, En) => "Continue the order you started",
        (MyOrders, Da) => "Mine bestillinger",
        (MyOrders, En) => "My orders",
        (SearchDeclarations, Da) => "Søg erklæringer",
        (SearchDeclarations, En) => "Search declarations",
        (SubstituteIds, Da) => "Vikar-bruger-id'er",
        (SubstituteIds, En) => "Substitute user IDs",
        (StepOf, Da) => "Trin",
        (StepOf, En) => "Step",
        (Of, Da) => "af",
        (Of, En) => "of",
        (StepId, Da) => "Billed-ID",
        (StepId, En) => "Photo ID",
        (StepCpr, Da) => "CPR-nummer",
        (StepCpr, En) => "CPR number",
        (StepPeriod, Da) => "Periode",
        (StepPeriod, En) => "Period",
        (StepUserId, Da) => "Bruger-id",
        (StepUserId, En) => "User ID",
        (StepDeclaration, Da) => "Tavshedserklæring",
        (StepDeclaration, En) => "Confidentiality declaration",
        (StepReview, Da) => "Gennemse og send",
        (StepReview, En) => "Review and send",
        (IdLead, Da) => "Se vikarens billed-ID, og vælg hvilket ID du har set.",
        (IdLead, En) => "Look at the substitute's photo ID and choose which ID you saw.",
        (IdSundhedskort, Da) => "Sundhedskort med billede",
        (IdSundhedskort, En) => "Health card with photo",
        (IdPas, Da) => "Pas",
        (IdPas, En) => "Passport",
        (IdKoerekort, Da) => "Kørekort",
        (IdKoerekort, En) => "Driving licence",
        (IdOpholdskort, Da) => "Opholdskort",
        (IdOpholdskort, En) => "Residence card",
        (CprLead, Da) => "Skriv vikarens CPR-nummer som på ID-kortet.",
        (CprLead, En) => "Type the substitute's CPR number as on the ID card.",
        (LookUp, Da) => "Slå op i CPR",
        (LookUp, En) => "Look up in CPR",
        (RegisterName, Da) => "Navn i CPR-registret",
        (RegisterName, En) => "Name in the CPR register",
        (ConfirmName, Da) => "Navnet passer med ID-kortet",
        (ConfirmName, En) => "The name matches the ID card",
        (NameConfirmed, Da) => "Navnet er bekræftet",
        (NameConfirmed, En) => "The name is confirmed",
        (LastDay, Da) => "Sidste dag med adgang",
        (LastDay, En) => "Last day of access",
        (AccessEnds, Da) => "Adgangen slutter",
        (AccessEnds, En) => "The access ends",
        (UserIdLead, Da) => "Vikaren får dette bruger-id. Det er reserveret til dig i 30 minutter.",
        (UserIdLead, En) => "The substitute gets this user ID. It is reserved for you for 30 minutes.",
        (ReservedUntil, Da) => "Reserveret til",
        (ReservedUntil, En) => "Reserved until",
        (ReserveAgain, Da) => "Reserver et nyt bruger-id",
        (ReserveAgain, En) => "Reserve a new user ID",
        (DeclarationLead, Da) => "Giv tabletten til vikaren. Vikaren læser erklæringen og skriver under.",
        (DeclarationLead, En) => "Hand the tablet to the substitute. The substitute reads the declaration and signs.",
        (SignFirst, Da) => "Vikaren skal skrive under, før du kan gå videre.",
        (SignFirst, En) => "The substitute must sign before you can go on.",
        (ReviewLead, Da) => "Tjek oplysningerne, og send bestillingen.",
        (ReviewLead, En) => "Check the details and send the order.",
        (Substitute, Da) => "Vikar",
        (Substitute, En) => "Substitute",
        (IdSeen, Da) => "Set ID",
        (IdSeen, En) => "ID seen",
        (Signed, Da) => "Underskrevet",
        (Signed, En) => "Signed",
        (Next, Da) => "Næste",
        (Next, En) => "Next",
        (SendOrder, Da) => "Send bestilling",
        (SendOrder, En) => "Send order",
        (Sending, Da) => "Sender …",
        (Sending, En) => "Sending …",
        (NotSentYet, Da) => "Bestillingen er ikke sendt endnu. Den er gemt, så du kan prøve igen uden at lave en ekstra bestilling.",
        (NotSentYet, En) => "The order has not been sent yet. It is saved, so you can try again without making a second order.",
        (DiscardOrder, Da) => "Kassér bestillingen",
        (DiscardOrder, En) => "Discard the order",
        (ReceiptTitle, Da) => "Vikaradgangen er oprettet",
        (ReceiptTitle, En) => "The substitute access is created",
        (ReceiptLead, Da) => "Giv vikaren bruger-id og engangsadgangskode. Adgangskoden vises kun nu og skal skiftes ved første login.",
        (ReceiptLead, En) => "Give the substitute the user ID and one-time password. The password is shown only now and must be changed at first sign-in.",
        (OneTimePassword, Da) => "Engangsadgangskode",
        (OneTimePassword, En) => "One-time password",
        (ValidUntil, Da) => "Gyldig til",
        (ValidUntil, En) => "Valid until",
        (MyOrdersLead, Da) => "Dine bestillinger. Du kan afslutte en adgang før tid eller forlænge den, så den højst varer 30 dage i alt.",
        (MyOrdersLead, En) => "Your orders. You can end an access early or extend it, up to 30 days in all.",
        (NoOrders, Da) => "Der er ingen bestillinger endnu.",
        (NoOrders, En) => "There are no orders yet.",
        (Active, Da) => "Aktiv",
        (Active, En) => "Active",
        (Ended, Da) => "Afsluttet",
        (Ended, En) => "Ended",
        (EndNow, Da) => "Afslut nu",
        (EndNow, En) => "End now",
        (ConfirmEnd, Da) => "Tryk igen for at afslutte adgangen",
        (ConfirmEnd, En) => "Tap again to end the access",
        (Extend, Da) => "Forlæng",
        (Extend, En) => "Extend",
        (SaveNewEnd, Da) => "Gem ny slutdato",
        (SaveNewEnd, En) => "Save new end date",
        (OrderedBy, Da) => "Bestilt af",
        (OrderedBy, En) => "Ordered by",
        (Period, Da) => "Periode",
        (Period, En) => "Period",
        (DeclarationsLead, Da) => "Find en underskrevet tavshedserklæring. En søgning på CPR-nummer og hver visning af en PDF bliver logget.",
        (DeclarationsLead, En) => "Find a signed confidentiality declaration. A search by CPR number and every PDF view are logged.",
        (Name, Da) => "Navn",
        (Name, En) => "Name",
        (UserIdLabel, Da) => "Bruger-id",
        (UserIdLabel, En) => "User ID",
        (Date, Da) => "Dato",
        (Date, En) => "Date",
        (CprExact, Da) => "CPR-nummer (hele nummeret)",
        (CprExact, En) => "CPR number (the whole number)",
        (Search, Da) => "Søg",
        (Search, En) => "Search",
        (NoResults, Da) => "Ingen erklæringer passer til søgningen.",
        (NoResults, En) => "No declarations match the search.",
        (ShowPdf, Da) => "Vis PDF",
        (ShowPdf, En) => "Show PDF",
        (PdfOpened, Da) => "PDF'en er åbnet i din PDF-fremviser.",
        (PdfOpened, En) => "The PDF is open in your PDF viewer.",
        (PdfSaved, Da) => "PDF'en er gemt her:",
        (PdfSaved, En) => "The PDF is saved here:",
        (Version, Da) => "Version",
        (Version, En) => "Version",
        (People, Da) => "Medarbejdere",
        (People, En) => "People",
        (PeopleSearch, Da) => "Navn eller bruger-id",
        (PeopleSearch, En) => "Name or user ID",
        (NoneFound, Da) => "Ingen fundet.",
        (NoneFound, En) => "Nobody found.",
        (NarrowSearch, Da) => "Der er flere: søg mere præcist.",
        (NarrowSearch, En) => "There are more: search more precisely.",
        (RoleStaff, Da) => "medarbejder",
        (RoleStaff, En) => "staff",
        (RoleOrderer, Da) => "bestiller",
        (RoleOrderer, En) => "orderer",
        (RoleAdministrator, Da) => "administrator",
        (RoleAdministrator, En) => "administrator",
        (Roles, Da) => "Roller",
        (Roles, En) => "Roles",
        (PinState, Da) => "PIN-kode",
        (PinState, En) => "PIN",
        (PinSet, Da) => "Valgt",
        (PinSet, En) => "Chosen",
        (PinNone, Da) => "Ingen",
        (PinNone, En) => "None",
        (PinBlocked, Da) => "Spærret efter fem forkerte",
        (PinBlocked, En) => "Blocked after five wrong",
        (LastLogin, Da) => "Seneste KOMBIT-login",
        (LastLogin, En) => "Last KOMBIT login",
        (ResetPin, Da) => "Nulstil PIN-kode",
        (ResetPin, En) => "Reset PIN",
        (ResetPinConfirm, Da) => "Tryk igen for at nulstille",
        (ResetPinConfirm, En) => "Tap again to reset",
        (FreeAgain, Da) => "ledig igen",
        (FreeAgain, En) => "free again",
        (Units, Da) => "Enheder",
        (Units, En) => "Units",
        (UnitsLead, Da) => "Om enheden bestiller vikaradgang, og hvor længe en adgang varer som standard og højst (aldrig over 30 dage). Gælder nye bestillinger og forlængelser.",
        (UnitsLead, En) => "Whether the unit orders substitute access, and how long an access lasts by default and at most (never over 30 days). Applies to new orders and extensions.",
        (Manager, Da) => "Nærmeste leder",
        (Manager, En) => "Nearest manager",
        (MayOrder, Da) => "Må bestille vikaradgang",
        (MayOrder, En) => "May order substitute access",
        (DefaultDays, Da) => "Standardperiode (dage)",
        (DefaultDays, En) => "Default period (days)",
        (MaxDays, Da) => "Længste periode (dage)",
        (MaxDays, En) => "Longest period (days)",
        (Save, Da) => "Gem",
        (Save, En) => "Save",
        (Saved, Da) => "Gemt.",
        (Saved, En) => "Saved.",
        (PeriodPolicyInvalid, Da) => "Standardperioden skal være mindst 1 dag og højst den længste, som højst er 30 dage.",
        (PeriodPolicyInvalid, En) => "The default must be at least 1 day and at most the longest, which is at most 30 days.",
        (IdsLead, Da) => "Vikar-bruger-id'er i din kommune. Tilføj en række, når der er få ledige.",
        (IdsLead, En) => "Substitute user IDs in your municipality. Add a range when few are free.",
        (Free, Da) => "Ledig",
        (Free, En) => "Free",
        (Reserved, Da) => "Reserveret",
        (Reserved, En) => "Reserved",
        (InUse, Da) => "I brug",
        (InUse, En) => "In use",
        (Archived, Da) => "Arkiveret",
        (Archived, En) => "Archived",
        (Prefix, Da) => "Forstavelse (bogstaver)",
        (Prefix, En) => "Prefix (letters)",
        (FromNumber, Da) => "Fra nummer",
        (FromNumber, En) => "From number",
        (ToNumber, Da) => "Til nummer",
        (ToNumber, En) => "To number",
        (AddRange, Da) => "Tilføj",
        (AddRange, En) => "Add",
        (Added, Da) => "Tilføjet:",
        (Added, En) => "Added:",
        (AllUnits, Da) => "Alle arbejdssteder",
        (AllUnits, En) => "All units",
        (RangeInvalid, Da) => "Skriv 1–8 bogstaver a–z og to tal, hvor det sidste er mindst lige så stort som det første. Højst 500 ad gangen.",
        (RangeInvalid, En) => "Type 1–8 letters a–z and two numbers, the second at least as large as the first. At most 500 at a time.",
    }
}

/// What a person sees for an error code: what happened and what to do.
/// The PIN policy with the deployment's minimum length (`pin.invalid`).
pub fn pin_policy(lang: Lang, min_len: u8) -> String {
    let max = omsorg_core::pin::MAX_LEN;
    match lang {
        Lang::Da => format!(
            "PIN-koden skal være {min_len}–{max} cifre og må ikke være nem at gætte (fx 0000 eller 1234)."
        ),
        Lang::En => format!(
            "The PIN must be {min_len}–{max} digits and not easy to guess (e.g. 0000 or 1234)."
        ),
    }
}

/// The period step's lead with the unit's default and longest period.
pub fn period_lead(lang: Lang, policy: omsorg_core::period::PeriodPolicy) -> String {
    let (default, max) = (policy.default_days, policy.max_days);
    let days = |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match lang {
        Lang::Da => format!(
            "Adgangen starter, når du sender bestillingen. Den varer {}, hvis du ikke vælger andet, og højst {}.",
            days(default, "dag", "dage"),
            days(max, "dag", "dage")
        ),
        Lang::En => format!(
            "The access starts when you send the order. It lasts {} unless you choose otherwise, and at most {}.",
            days(default, "day", "days"),
            days(max, "day", "days")
        ),
    }
}

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
