//! Bundle and binary sizes: `cargo xtask size` (after a build).

use std::io::Write;

use anyhow::{Context, Result};

use crate::util::{root, target_dir};

fn compressed(bytes: &[u8]) -> Result<(usize, usize)> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes)?;
    let gz = gz.finish()?.len();
    let mut br = Vec::new();
    brotli::BrotliCompress(
        &mut std::io::Cursor::new(bytes),
        &mut br,
        &brotli::enc::BrotliEncoderParams {
            quality: 11,
            ..Default::default()
        },
    )?;
    Ok((gz, br.len()))
}

pub fn run() -> Result<()> {
    let dist = root().join("src-ui/dist");
    let mut rows = Vec::new();
    for entry in std::fs::read_dir(&dist)
        .with_context(|| format!("{} (run a build first)", dist.display()))?
    {
        let path = entry?.path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        if [".wasm", ".js", ".css", ".html"]
            .iter()
            .any(|e| name.ends_with(e))
        {
            let bytes = std::fs::read(&path)?;
            let (gz, br) = compressed(&bytes)?;
            rows.push((name, bytes.len(), gz, br));
        }
    }
    rows.sort();
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "UI bundle file", "raw", "gzip -9", "brotli 11"
    );
    let mut total = (0, 0, 0);
    for (name, raw, gz, br) in &rows {
        println!("{name:<44} {raw:>10} {gz:>10} {br:>10}");
        total = (total.0 + raw, total.1 + gz, total.2 + br);
    }
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "total", total.0, total.1, total.2
    );
    let bin = target_dir().join("release/omsorg-app");
    let len = std::fs::metadata(&bin)
        .with_context(|| format!("{}", bin.display()))?
        .len();
    println!(
        "\napp binary {}: {len} bytes ({:.1} MiB)",
        bin.display(),
        len as f64 / 1048576.0
    );
    Ok(())
}
