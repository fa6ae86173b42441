//! A real SMTP server (mailin) on a free loopback port, in its own thread,
//! keeping every mail it receives. Shared by the backend's API tests (by
//! path) and the end-to-end tests.

use std::sync::{Arc, Mutex};

use mailin_embedded::{response, Handler, Response, Server};

/// One received mail: envelope recipients and the raw message.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub data: String,
}

#[derive(Clone)]
struct Inbox {
    mails: Arc<Mutex<Vec<Received>>>,
    current: Option<Received>,
}

impl Handler for Inbox {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some(Received {
            to: to.to_vec(),
            data: String::new(),
        });
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(m) = self.current.as_mut() {
            m.data.push_str(&String::from_utf8_lossy(buf));
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(m) = self.current.take() {
            self.mails.lock().unwrap().push(m);
        }
        response::OK
    }
}

/// Starts the server: its `smtp://` URL and the mails it has received.
pub fn smtp_server() -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let mut server = Server::new(Inbox {
        mails: mails.clone(),
        current: None,
    });
    server
        .with_name("mail.test.example")
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        if let Err(e) = server.serve() {
            eprintln!("test SMTP server stopped: {e}");
        }
    });
    (format!("smtp://{addr}"), mails)
}
