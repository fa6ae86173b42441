//! The "system browser" the E2E suite gives the app (via `OMSORG_BROWSER`):
//! it hands the URL to the test through the file in `OMSORG_E2E_BROWSER_INBOX`,
//! and the test opens it in real headless Chromium.

use std::io::Write;

fn main() {
    let url = std::env::args().nth(1).expect("usage: browser-relay URL");
    let inbox = std::env::var("OMSORG_E2E_BROWSER_INBOX").expect("OMSORG_E2E_BROWSER_INBOX");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(inbox)
        .expect("inbox");
    writeln!(file, "{url}").expect("write inbox");
}
