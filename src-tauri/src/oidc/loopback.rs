//! The loopback redirect receiver of RFC 8252 section 7.3: one ephemeral port
//! on 127.0.0.1, one expected path, the first matching request wins.

use std::collections::HashMap;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const CALLBACK_PATH: &str = "/callback";

pub struct Loopback {
    listener: TcpListener,
    pub redirect_uri: String,
}

const DONE_PAGE: &str =
    "<!doctype html><html lang=\"da\"><meta charset=\"utf-8\"><title>Omsorg</title>\
<body style=\"font-family:system-ui,sans-serif;font-size:1.2rem;max-width:30rem;margin:3rem auto\">\
<h1>Du kan lukke denne fane</h1><p>Gå tilbage til Omsorg-appen.</p>\
<p lang=\"en\">You can close this tab and return to the Omsorg app.</p></body></html>";

impl Loopback {
    pub async fn bind() -> std::io::Result<Loopback> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        Ok(Loopback {
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}{CALLBACK_PATH}"),
        })
    }

    /// Waits for the redirect and returns its query parameters. Other requests
    /// (favicon, probes) get a 404 and are otherwise ignored.
    pub async fn receive(&self) -> std::io::Result<HashMap<String, String>> {
        loop {
            let (mut stream, _) = self.listener.accept().await?;
            match read_target(&mut stream).await {
                Some(target) if target.split('?').next() == Some(CALLBACK_PATH) => {
                    respond(&mut stream, "200 OK", DONE_PAGE).await;
                    let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
                    return Ok(url::form_urlencoded::parse(query.as_bytes())
                        .into_owned()
                        .collect());
                }
                _ => respond(&mut stream, "404 Not Found", "").await,
            }
        }
    }
}

/// The request target of a `GET`, from a head of at most 8 KiB.
async fn read_target(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 || buf.len() + n > 8192 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    let mut parts = head.lines().next()?.split(' ');
    (parts.next()? == "GET").then(|| parts.next().map(str::to_string))?
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    let reply = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
}
