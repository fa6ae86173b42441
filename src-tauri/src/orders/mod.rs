//! The substitute-access wizard's shell side (SPEC C4): the draft kept
//! sealed so it survives the lock and a crash (`draft`), the order sent with
//! one idempotency key however often it is retried (`submit`), and the
//! administrator's declaration PDFs (`pdf`). The web view never sees a
//! token; the CPR number it typed is sent on through here and stored only
//! sealed.

mod draft;
mod pdf;
mod submit;
#[cfg(test)]
mod tests;

pub use draft::{discard_draft, load_draft, save_draft, DRAFT_KEY};
pub use pdf::{forget_files, open_declaration};
pub use submit::{auth, submit};
