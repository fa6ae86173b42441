//! An administrator's view of a declaration PDF: saved owner-only under the
//! data dir and handed to the platform's viewer; gone at every sign-out.

use omsorg_core::bridge::SavedPdf;
use omsorg_core::ErrorCode;

use super::draft::failed;

use crate::api_client::Auth;
use crate::error::CommandError;
use crate::exports::write_private;
use crate::Shell;

/// Saves a declaration's PDF for viewing (owner-only file in the app's
/// cache, emptied at start and sign-out) and asks the platform's viewer to
/// open it. The administrator's call is audited by the backend.
pub async fn open_declaration(
    shell: &Shell,
    auth: &Auth,
    id: &str,
) -> Result<SavedPdf, CommandError> {
    use sha2::Digest;
    let pdf = shell.api.declaration_pdf(auth, id).await?;
    if !pdf.starts_with(b"%PDF-") {
        return Err(CommandError::new(
            ErrorCode::NetworkBadResponse,
            "the answer is not a PDF",
        ));
    }
    let sha256: String = sha2::Sha256::digest(&pdf)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let name: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(64)
        .collect();
    let path = shell.files.join(format!("tavshedserklaering-{name}.pdf"));
    write_private(&path, &pdf).map_err(|e| failed(&format!("saving the PDF: {e}")))?;
    let url = url::Url::from_file_path(&path).map_err(|_| failed("an unusable file path"))?;
    let opened = match shell.viewer.open(url.as_str()) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, "no PDF viewer opened the declaration");
            false
        }
    };
    Ok(SavedPdf {
        path: path.display().to_string(),
        opened,
        sha256,
    })
}

/// Sign-out: no viewed declaration stays on the device.
pub fn forget_files(shell: &Shell) {
    if let Err(e) = std::fs::remove_dir_all(&shell.files) {
        if e.kind() != std::io::ErrorKind::NotFound {
            tracing::error!(error = %e, "could not delete viewed declarations");
        }
    }
}
