//! How the authorization URL reaches the system browser (never a web view).

use std::process::Command;

/// Opens a URL in the person's browser.
pub trait Browser: Send + Sync {
    fn open(&self, url: &str) -> Result<(), String>;
}

/// Runs a program with the URL as its only argument: `OMSORG_BROWSER` for
/// tests and diagnostics, or the platform's opener.
pub struct ProgramBrowser(pub String);

impl ProgramBrowser {
    /// `OMSORG_BROWSER` if set.
    pub fn from_env() -> Option<ProgramBrowser> {
        std::env::var("OMSORG_BROWSER")
            .ok()
            .filter(|p| !p.is_empty())
            .map(ProgramBrowser)
    }

    /// The desktop's default browser.
    pub fn system() -> ProgramBrowser {
        ProgramBrowser(
            if cfg!(target_os = "macos") {
                "open"
            } else {
                "xdg-open"
            }
            .to_string(),
        )
    }
}

impl Browser for ProgramBrowser {
    fn open(&self, url: &str) -> Result<(), String> {
        let mut child = Command::new(&self.0)
            .arg(url)
            .spawn()
            .map_err(|e| format!("{}: {e}", self.0))?;
        // Not waited for here: a browser may live on after the login; reap it when it ends.
        std::thread::spawn(move || child.wait());
        Ok(())
    }
}
