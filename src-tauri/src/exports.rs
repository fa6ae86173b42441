//! Files the shell writes for an administrator: exports of the audit log
//! and of orders, saved owner-only in the export folder (`Shell::exports`),
//! named by what and when, never overwriting an earlier one.

use omsorg_core::api::ExportFormat;
use omsorg_core::bridge::SavedExport;
use omsorg_core::ErrorCode;

use crate::error::CommandError;
use crate::Shell;

fn failed(why: &str) -> CommandError {
    CommandError::new(ErrorCode::Internal, why)
}

/// Whether `bytes` are what `format` promises: a workbook is a ZIP file,
/// a CSV file is UTF-8 text with a header row.
fn looks_like(format: ExportFormat, bytes: &[u8]) -> bool {
    match format {
        ExportFormat::Xlsx => bytes.starts_with(b"PK\x03\x04"),
        ExportFormat::Csv => std::str::from_utf8(bytes).is_ok_and(|t| t.contains('\n')),
    }
}

/// Saves an export the backend made as `<what>-<Danish time>.<ext>` in the
/// export folder (`-2`, `-3`… when that name is taken).
pub fn save(
    shell: &Shell,
    what: &str,
    format: ExportFormat,
    bytes: &[u8],
) -> Result<SavedExport, CommandError> {
    if !looks_like(format, bytes) {
        return Err(CommandError::new(
            ErrorCode::NetworkBadResponse,
            "the answer is not the file asked for",
        ));
    }
    let now = chrono::Utc::now().with_timezone(&omsorg_core::danish_time::Copenhagen);
    let stem = format!("{what}-{}", now.format("%Y-%m-%d-%H%M"));
    let ext = format.as_str();
    let path = (1..1000)
        .map(|n| match n {
            1 => shell.exports.join(format!("{stem}.{ext}")),
            n => shell.exports.join(format!("{stem}-{n}.{ext}")),
        })
        .find(|p| !p.exists())
        .ok_or_else(|| failed("no free file name"))?;
    write_private(&path, bytes).map_err(|e| failed(&format!("saving the export: {e}")))?;
    tracing::info!(what, format = ext, bytes = bytes.len(), "export saved");
    Ok(SavedExport {
        path: path.display().to_string(),
        bytes: bytes.len() as u64,
    })
}

/// A file only its owner can read; a directory the shell made itself is
/// only its owner's too (an existing folder such as Downloads is left as
/// it is).
pub fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().expect("a file in a directory");
    let made = !dir.exists();
    std::fs::create_dir_all(dir)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if made {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn exports_are_checked_named_by_time_and_never_overwrite() {
        let (mut shell, dir) = crate::test_support::shell_on("http://127.0.0.1:9").await;
        shell.exports = dir.path().join("exports");
        let csv = b"a,b\n1,2\n";
        let first = save(&shell, "revisionslog", ExportFormat::Csv, csv).unwrap();
        let second = save(&shell, "revisionslog", ExportFormat::Csv, csv).unwrap();
        assert_ne!(first.path, second.path, "{first:?}");
        assert!(
            first.path.ends_with(".csv") && second.path.ends_with("-2.csv"),
            "{second:?}"
        );
        assert_eq!(std::fs::read(&first.path).unwrap(), csv);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&first.path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "owner only: {mode:o}");
        }
        for (format, wrong) in [
            (ExportFormat::Xlsx, &b"a,b\n"[..]),
            (ExportFormat::Csv, &b"\xff\xfe\x00"[..]),
        ] {
            let e = save(&shell, "x", format, wrong).unwrap_err();
            assert_eq!(e.code, ErrorCode::NetworkBadResponse);
        }
        assert!(save(&shell, "x", ExportFormat::Xlsx, b"PK\x03\x04rest").is_ok());
    }
}
