//! The virus scanner: clamd's INSTREAM over a Unix or TCP socket, through the
//! `clamav-client` crate, under a deadline. It answers clean, infected (with the signature's
//! name) or unavailable, and never logs or returns what a file held.

use std::path::PathBuf;
use std::time::Duration;

use crate::config::ClamavConfig;

/// Where clamd listens and how long a scan may take.
#[derive(Debug, Clone)]
pub(crate) struct Clamd {
    target: Target,
    timeout: Duration,
}

#[derive(Debug, Clone)]
enum Target {
    Socket(PathBuf),
    Tcp(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    Clean,
    /// The name of the signature that matched (`Eicar-Test-Signature`): no content.
    Infected(String),
}

/// Why no verdict came: the caller fails closed on every case alike.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ScanError {
    #[error("clamd could not be reached: {0}")]
    Io(#[from] std::io::Error),
    #[error("clamd gave no answer within {0:?}")]
    Timeout(Duration),
    #[error("clamd answered neither clean nor found: {0:?}")]
    Unexpected(String),
}

impl Clamd {
    /// The scanner the configuration names, if it names one.
    pub(crate) fn from_config(config: &ClamavConfig) -> Option<Clamd> {
        let target = match (&config.socket, &config.tcp) {
            (Some(path), _) => Target::Socket(path.clone()),
            (None, Some(address)) => Target::Tcp(address.clone()),
            (None, None) => return None,
        };
        Some(Clamd {
            target,
            timeout: Duration::from_secs(config.timeout_seconds),
        })
    }

    /// Streams `bytes` to clamd and reads its verdict. The deadline covers connecting too,
    /// so a clamd that accepts and then hangs cannot hold a request.
    pub(crate) async fn scan(&self, bytes: &[u8]) -> Result<Verdict, ScanError> {
        use clamav_client::tokio::{Socket, Tcp, scan_buffer};
        let scan = async {
            match &self.target {
                Target::Socket(path) => {
                    scan_buffer(bytes, Socket { socket_path: path }, None).await
                }
                Target::Tcp(address) => {
                    scan_buffer(
                        bytes,
                        Tcp {
                            host_address: address.as_str(),
                        },
                        None,
                    )
                    .await
                }
            }
        };
        let answer = tokio::time::timeout(self.timeout, scan)
            .await
            .map_err(|_| ScanError::Timeout(self.timeout))??;
        verdict(&answer)
    }
}

/// Reads clamd's answer to INSTREAM: `stream: OK`, `stream: NAME FOUND`, or an error line
/// (`INSTREAM size limit exceeded. ERROR`), which is no verdict. The crate's own `clean`
/// would read any answer holding "OK" without "FOUND" as clean; this reads only the two
/// shapes clamd documents.
fn verdict(answer: &[u8]) -> Result<Verdict, ScanError> {
    let text = String::from_utf8_lossy(answer);
    let text = text.trim_end_matches(['\0', '\n', '\r']).trim();
    let text = text.strip_prefix("stream:").map(str::trim).unwrap_or(text);
    if text == "OK" {
        return Ok(Verdict::Clean);
    }
    match text.strip_suffix(" FOUND") {
        Some(name) if !name.is_empty() => Ok(Verdict::Infected(name.trim().to_owned())),
        _ => Err(ScanError::Unexpected(text.chars().take(120).collect())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamd_answers_read_as_clean_found_or_no_verdict() {
        assert_eq!(verdict(b"stream: OK\0").unwrap(), Verdict::Clean);
        assert_eq!(
            verdict(b"stream: Eicar-Test-Signature FOUND\0").unwrap(),
            Verdict::Infected("Eicar-Test-Signature".into())
        );
        assert!(verdict(b"INSTREAM size limit exceeded. ERROR\0").is_err());
        assert!(verdict(b"").is_err());
        assert!(verdict(b"stream: OK FOUND\0").is_ok_and(|v| v != Verdict::Clean));
    }
}
