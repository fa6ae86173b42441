//! Diagnostic for municipal IT (and our conformance tests): runs the app's own
//! OpenID Connect login without a window.
//!
//!   omsorg-login-check --issuer URL --client-id ID [--hint H] [--resource URI] [--timeout-secs N] [--fresh]
//!
//! Opens the authorization URL with the program in `OMSORG_BROWSER` (default:
//! the system browser), waits for the loopback redirect, validates everything
//! as the app does, and prints the verified identity as one JSON line. On any
//! failure it prints the error code to stderr and exits non-zero.

use std::time::Duration;

use omsorg_app::oidc::browser::ProgramBrowser;
use omsorg_app::oidc::redirect::RedirectTarget;
use omsorg_app::oidc::{LoginRequest, Provider};

const USAGE: &str = "usage: omsorg-login-check --issuer URL --client-id ID [--hint H] [--resource URI] [--timeout-secs N] [--fresh]";

fn parse(args: &[String]) -> Result<LoginRequest, String> {
    let mut issuer = None;
    let mut client_id = None;
    let mut hint = None;
    let mut resource = None;
    let mut timeout = 300;
    let mut fresh = false;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().cloned().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--issuer" => issuer = Some(value()?),
            "--client-id" => client_id = Some(value()?),
            "--hint" => hint = Some(value()?),
            // max_age=0: the person must authenticate now (auth_time checked).
            "--fresh" => fresh = true,
            "--resource" => resource = Some(value()?),
            "--timeout-secs" => {
                timeout = value()?
                    .parse()
                    .map_err(|_| "--timeout-secs takes a whole number".to_string())?
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(LoginRequest {
        issuer: issuer.ok_or("--issuer is required")?,
        client_id: client_id.ok_or("--client-id is required")?,
        hint,
        resource,
        timeout: Duration::from_secs(timeout),
        fresh,
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // Reasons go to stderr only when asked for (RUST_LOG=warn); the code is always last.
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let request = match parse(&args) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let browser = ProgramBrowser::from_env().unwrap_or_else(ProgramBrowser::system);
    let result = async {
        let mut provider = Provider::discover(&request.issuer, &request.client_id).await?;
        let target = RedirectTarget::loopback().await.map_err(|e| {
            omsorg_app::error::CommandError::new(omsorg_core::ErrorCode::Internal, e.to_string())
        })?;
        provider.login(&request, &browser, target).await
    }
    .await;
    match result {
        Ok(login) => {
            // Identity only: tokens are never printed.
            let line = serde_json::json!({
                "sub": login.subject,
                "name": login.name,
                "email": login.email,
                "issuer": login.issuer,
            });
            println!("{line}");
        }
        Err(e) => {
            eprintln!("{}", e.code);
            std::process::exit(1);
        }
    }
}
