//! A small SMTP server standing in for the relay: it records every message it receives.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// One message as the relay received it.
#[derive(Debug, Clone)]
pub struct Captured {
    pub recipients: Vec<String>,
    pub data: Vec<u8>,
}

pub struct Sink {
    pub captured: Arc<Mutex<Vec<Captured>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A free loopback port with nothing listening on it (yet).
pub fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

pub async fn start(addr: SocketAddr) -> Sink {
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let captured = Arc::new(Mutex::new(Vec::new()));
    let store = captured.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let store = store.clone();
            tokio::spawn(async move {
                let (reader, mut writer) = stream.into_split();
                let mut lines = BufReader::new(reader);
                writer.write_all(b"220 sink ready\r\n").await.unwrap();
                let mut recipients = Vec::new();
                loop {
                    let mut line = String::new();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let upper = line.to_ascii_uppercase();
                    let answer: &[u8] = if upper.starts_with("EHLO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("RCPT") {
                        let address = line
                            .split_once('<')
                            .and_then(|(_, r)| r.split_once('>'))
                            .map(|(a, _)| a.to_owned())
                            .unwrap_or_default();
                        recipients.push(address);
                        b"250 ok\r\n"
                    } else if upper.starts_with("DATA") {
                        writer.write_all(b"354 go\r\n").await.unwrap();
                        let mut data = Vec::new();
                        loop {
                            let mut line = Vec::new();
                            lines.read_until(b'\n', &mut line).await.unwrap();
                            if line == b".\r\n" || line.is_empty() {
                                break;
                            }
                            let line = line.strip_prefix(b".").unwrap_or(&line).to_vec();
                            data.extend_from_slice(&line);
                        }
                        store.lock().unwrap().push(Captured {
                            recipients: std::mem::take(&mut recipients),
                            data,
                        });
                        b"250 queued\r\n"
                    } else if upper.starts_with("QUIT") {
                        writer.write_all(b"221 bye\r\n").await.unwrap();
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    writer.write_all(answer).await.unwrap();
                }
            });
        }
    });
    Sink { captured, task }
}
