//! A throwaway clamd for the attachment tests, like the throwaway PostgreSQL: a temp dir with
//! its own `clamd.conf` (a Unix socket in the dir, in the foreground) and a database of one
//! hash signature, that of the EICAR test file, so it starts in a moment and matches nothing
//! else. Killed when dropped. Without `/usr/sbin/clamd` a test says so and skips, unless
//! `HUSHDESK_REQUIRE_CLAMD=1` (CI) makes that a failure.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use md5::Digest;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The EICAR anti-virus test file: harmless, and matched by every scanner's test signature.
pub const EICAR: &[u8] = br"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/// The name the signature is given; clamd reports it with `.UNOFFICIAL` added.
pub const SIGNATURE: &str = "Hushdesk.Test.Eicar";

const CLAMD: &str = "/usr/sbin/clamd";

pub struct TestClamd {
    child: Option<Child>,
    pub socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl TestClamd {
    /// Starts one, or says why not and answers `None` when clamd is not installed and
    /// `HUSHDESK_REQUIRE_CLAMD` is not `1`.
    pub async fn start(test: &str) -> Option<TestClamd> {
        if !Path::new(CLAMD).exists() {
            assert!(
                std::env::var("HUSHDESK_REQUIRE_CLAMD").as_deref() != Ok("1"),
                "HUSHDESK_REQUIRE_CLAMD=1 but {CLAMD} is missing: apt-get install clamav-daemon"
            );
            eprintln!(
                "skipping {test}: no {CLAMD} (apt-get install clamav-daemon, or make test-deps)"
            );
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        std::fs::create_dir(&db).unwrap();
        let md5 = hex::encode(md5::Md5::digest(EICAR));
        std::fs::write(
            db.join("eicar.hdb"),
            format!("{md5}:{}:{SIGNATURE}\n", EICAR.len()),
        )
        .unwrap();
        let socket = dir.path().join("clamd.sock");
        let conf = dir.path().join("clamd.conf");
        std::fs::write(
            &conf,
            format!(
                "LocalSocket {}\nForeground yes\nDatabaseDirectory {}\nTemporaryDirectory {}\n\
                 StreamMaxLength 64M\nLogVerbose no\n",
                socket.display(),
                db.display(),
                dir.path().display()
            ),
        )
        .unwrap();
        let child = Command::new(CLAMD)
            .arg(format!("--config-file={}", conf.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let clamd = TestClamd {
            child: Some(child),
            socket,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !clamd.pongs().await {
            assert!(
                Instant::now() < deadline,
                "clamd did not answer PING in 60 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Some(clamd)
    }

    async fn pongs(&self) -> bool {
        let Ok(mut stream) = tokio::net::UnixStream::connect(&self.socket).await else {
            return false;
        };
        if stream.write_all(b"zPING\0").await.is_err() {
            return false;
        }
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        answer == b"PONG\0"
    }

    /// Stops it now, as an outage would.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for TestClamd {
    fn drop(&mut self) {
        self.stop();
    }
}
