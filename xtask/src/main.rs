//! `cargo xtask dev`   installs what is missing, then runs the app with its dev stack.
//! `cargo xtask test`  installs what is missing, then runs every check and test.
//! `cargo xtask setup` only installs; `cargo xtask size` prints bundle and binary sizes;
//! `cargo xtask bench` prints the benchmarks' figures (app start against a
//! bare Tauri 2 + Yew app; the backend's, release build).
//! `cargo xtask e2e <filter>` builds the app and runs the E2E tests whose
//! names contain `filter` (while working on one; `test` runs them all).
//! `cargo xtask fuzz [seconds]` fuzzes the parsers with cargo-fuzz (needs a
//! nightly toolchain and `cargo install cargo-fuzz`; 60 s per target).

mod bench;
mod build;
mod dev;
mod setup;
mod size;
mod test;
mod util;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run(),
        Some("dev") => dev::run(),
        Some("test") => test::run(&args[1..]),
        Some("size") => size::run(),
        Some("bench") => bench::run(),
        Some("e2e") => test::e2e(args.get(1).map_or("", String::as_str)),
        Some("fuzz") => fuzz(args.get(1).map_or("60", String::as_str)),
        _ => {
            eprintln!("usage: cargo xtask <dev | test [--no-e2e] | e2e <filter> | setup | size | bench | fuzz [seconds]>");
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("xtask: {e:#}");
        std::process::exit(1);
    }
}

/// Each fuzz target for `seconds`, starting from its seed corpus (new
/// inputs are written to `fuzz/corpus-found/`, not to the committed seeds).
fn fuzz(seconds: &str) -> anyhow::Result<()> {
    for target in ["cpr", "substitute_id_range", "order_body", "privileges"] {
        let found = util::root().join("fuzz/corpus-found").join(target);
        std::fs::create_dir_all(&found)?;
        util::step(
            &format!("cargo +nightly fuzz run {target} for {seconds} s"),
            util::cmd("cargo")
                .current_dir(util::root().join("fuzz"))
                .args(["+nightly", "fuzz", "run", target])
                .arg(&found)
                .arg(format!("corpus/{target}"))
                .arg("--")
                .arg(format!("-max_total_time={seconds}")),
        )?;
    }
    Ok(())
}
