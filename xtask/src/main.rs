//! `cargo xtask dev`   installs what is missing, then runs the app with its dev stack.
//! `cargo xtask test`  installs what is missing, then runs every check and test.
//! `cargo xtask setup` only installs; `cargo xtask size` prints bundle and binary sizes;
//! `cargo xtask bench` prints the benchmarks' figures (release build).

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
        Some("bench") => util::step(
            "cargo bench (PIN verification; shared-device shift change; order; declaration PDF)",
            util::cmd("cargo").args(["bench", "-p", "omsorg-server"]),
        ),
        _ => {
            eprintln!("usage: cargo xtask <dev | test [--no-e2e] | setup | size | bench>");
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("xtask: {e:#}");
        std::process::exit(1);
    }
}
