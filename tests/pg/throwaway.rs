//! A PostgreSQL server for tests, and a fresh database in it for each test.
//!
//! The server is the one CI exported in `HUSHDESK_TEST_DATABASE_URL`, or else a throwaway
//! cluster this module starts itself (initdb + pg_ctl from the PostgreSQL server binaries) in
//! a temporary directory on a free loopback port. The cluster is stopped and its directory
//! deleted when it is dropped, and in any case when the test process ends, however it ends
//! (a watcher process does it when our end of its stdin closes). With neither, a test skips
//! and says why, unless `HUSHDESK_REQUIRE_POSTGRES=1` makes that a failure (CI sets it, so a
//! broken PostgreSQL setup cannot pass as a skipped test).

use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::{Context, Result, bail};
use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// Set by CI: a server (any database on it) where tests may create and drop databases.
pub const URL_VAR: &str = "HUSHDESK_TEST_DATABASE_URL";
/// Set to `1` to fail instead of skipping when no PostgreSQL can be had.
pub const REQUIRE_VAR: &str = "HUSHDESK_REQUIRE_POSTGRES";
/// Optional: the directory holding `initdb`, `pg_ctl` and `postgres`.
pub const BINDIR_VAR: &str = "HUSHDESK_PG_BINDIR";

/// A PostgreSQL server the tests may create databases on.
pub struct TestPostgres {
    /// A URL on the server's maintenance database, as a superuser or a role with CREATEDB.
    admin_url: String,
    /// Present when we started the server; dropping it stops the server and deletes its files.
    cluster: Option<Cluster>,
}

impl TestPostgres {
    /// One server for the whole test process, started by the first test that asks: what
    /// a test binary with many PostgreSQL tests should use. `None` (having said why) when
    /// there is no PostgreSQL here and `HUSHDESK_REQUIRE_POSTGRES` is not `1`.
    pub fn shared(test: &str) -> Result<Option<&'static TestPostgres>> {
        static SHARED: OnceLock<Result<Result<TestPostgres, String>, String>> = OnceLock::new();
        match SHARED.get_or_init(|| Self::start().map_err(|e| format!("{e:#}"))) {
            Ok(Ok(server)) => Ok(Some(server)),
            Ok(Err(why)) => skip(test, &format!("{URL_VAR} is unset and {why}")),
            Err(failure) => bail!("{failure}"),
        }
    }

    /// A throwaway cluster of the caller's own, even when CI exported a server: for a test
    /// that reads the cluster's files or changes its settings. Stopped and deleted when
    /// dropped. `None` (having said why) when there are no server binaries here and
    /// `HUSHDESK_REQUIRE_POSTGRES` is not `1`.
    pub fn own_cluster(test: &str) -> Result<Option<Self>> {
        match find_server_binaries() {
            Ok(bindir) => Ok(Some(Self::on_cluster(Cluster::start(&bindir)?))),
            Err(why) => skip(test, &why),
        }
    }

    /// A URL on the server's maintenance database, for creating and inspecting databases.
    pub fn admin_url(&self) -> &str {
        &self.admin_url
    }

    /// The throwaway cluster's directory (data files, socket, log), when we started one: a
    /// test may read the files, e.g. to look for content that should be gone (use
    /// `own_cluster`, since CI's exported server has no directory here).
    pub fn cluster_directory(&self) -> Option<&Path> {
        self.cluster.as_ref().map(|c| c.root.path())
    }

    /// The exported server, else a throwaway cluster, else why there is none.
    fn start() -> Result<Result<Self, String>> {
        if let Some(url) = std::env::var(URL_VAR).ok().filter(|u| !u.is_empty()) {
            return Ok(Ok(TestPostgres {
                admin_url: url,
                cluster: None,
            }));
        }
        let bindir = match find_server_binaries() {
            Ok(bindir) => bindir,
            Err(why) => return Ok(Err(why)),
        };
        Ok(Ok(Self::on_cluster(Cluster::start(&bindir)?)))
    }

    fn on_cluster(cluster: Cluster) -> Self {
        TestPostgres {
            admin_url: cluster.url("postgres"),
            cluster: Some(cluster),
        }
    }

    /// Creates an empty database that only the calling test uses.
    pub async fn fresh_database(&self) -> Result<TestDatabase> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "hushdesk_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = PgConnection::connect(&self.admin_url)
            .await
            .with_context(|| "connecting to the test PostgreSQL server".to_string())?;
        // Names are made here from digits and letters only, so quoting is enough.
        // One statement each: PostgreSQL runs a multi-statement string as one transaction,
        // and neither command may run inside one.
        for sql in [
            format!("drop database if exists \"{name}\" with (force)"),
            format!("create database \"{name}\""),
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut admin)
                .await
                .with_context(|| format!("creating database {name}"))?;
        }
        admin.close().await?;
        Ok(TestDatabase {
            url: with_database(&self.admin_url, &name)?,
            admin_url: self.admin_url.clone(),
            name,
        })
    }
}

/// A database of its own for one test. `drop_database` removes it; on a throwaway cluster
/// a database left behind by a failed test goes with the cluster anyway.
pub struct TestDatabase {
    pub url: String,
    pub name: String,
    admin_url: String,
}

impl TestDatabase {
    pub async fn drop_database(self) -> Result<()> {
        let mut admin = PgConnection::connect(&self.admin_url).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "drop database if exists \"{}\" with (force)",
            self.name
        )))
        .execute(&mut admin)
        .await?;
        admin.close().await?;
        Ok(())
    }
}

/// Skips the test with the reason, or fails it when CI requires PostgreSQL.
fn skip<T>(test: &str, why: &str) -> Result<Option<T>> {
    if std::env::var(REQUIRE_VAR).as_deref() == Ok("1") {
        bail!("{REQUIRE_VAR}=1 but there is no PostgreSQL: {why}");
    }
    eprintln!("skipping {test}: no PostgreSQL: {why}");
    Ok(None)
}

/// The same server URL pointing at another database (the path of a `postgres://` URL).
fn with_database(url: &str, database: &str) -> Result<String> {
    let scheme_end = url.find("://").context("database URL without a scheme")? + 3;
    let (base, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    Ok(format!("{base}/{database}{query}"))
}

/// A directory holding `initdb`, `pg_ctl` and `postgres` together (initdb finds `postgres`
/// beside itself): `$HUSHDESK_PG_BINDIR`, else the newest Debian versioned directory, else
/// PATH. The error says where it looked.
fn find_server_binaries() -> Result<PathBuf, String> {
    let complete = |dir: &Path| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|b| dir.join(b).is_file())
    };
    if let Some(dir) = std::env::var_os(BINDIR_VAR).map(PathBuf::from) {
        return match complete(&dir) {
            true => Ok(dir),
            false => Err(format!(
                "{BINDIR_VAR}={} lacks initdb, pg_ctl or postgres",
                dir.display()
            )),
        };
    }
    let mut versioned: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, dir)| complete(dir))
        .collect();
    versioned.sort();
    if let Some((_, dir)) = versioned.pop() {
        return Ok(dir);
    }
    let on_path = std::env::var_os("PATH")
        .and_then(|path| std::env::split_paths(&path).find(|dir| complete(dir)));
    on_path.ok_or_else(|| {
        format!(
            "no initdb, pg_ctl and postgres were found in \
             /usr/lib/postgresql/*/bin or on PATH (Debian: apt-get install postgresql; \
             elsewhere set {BINDIR_VAR})"
        )
    })
}

/// A cluster in a temporary directory, listening on 127.0.0.1 only.
struct Cluster {
    bindir: PathBuf,
    /// Owns the directory: deleted when the cluster is dropped, after the server stops.
    root: tempfile::TempDir,
    data: PathBuf,
    port: u16,
    /// Whether pg_ctl reported the server up, so dropping must stop it.
    running: bool,
    /// PostgreSQL refuses to run as root; then every server command runs as `postgres`.
    run_as_postgres: bool,
    /// The watcher that stops the server and deletes the directory once this end closes.
    watcher: Option<(Child, ChildStdin)>,
}

impl Cluster {
    fn start(bindir: &Path) -> Result<Self> {
        let root = tempfile::Builder::new()
            .prefix("hushdesk-pg-")
            .tempdir()
            .context("creating a directory for the throwaway PostgreSQL")?;
        let run_as_postgres = root.path().metadata()?.uid() == 0;
        if run_as_postgres {
            let status = Command::new("chown")
                .arg("postgres:postgres")
                .arg(root.path())
                .status()
                .context("running chown")?;
            if !status.success() {
                bail!(
                    "running as root, PostgreSQL needs the `postgres` user to own its cluster, \
                     and chown to postgres failed (is the postgresql package installed?)"
                );
            }
        }
        let mut cluster = Cluster {
            bindir: bindir.to_path_buf(),
            data: root.path().join("data"),
            root,
            port: 0,
            running: false,
            run_as_postgres,
            watcher: None,
        };
        cluster.watcher = Some(cluster.spawn_watcher()?);
        cluster.run(
            "initdb",
            &[
                "-D".as_ref(),
                cluster.data.as_os_str(),
                "-U".as_ref(),
                "postgres".as_ref(),
                "-A".as_ref(),
                "trust".as_ref(),
                "-E".as_ref(),
                "UTF8".as_ref(),
                "--locale=C.UTF-8".as_ref(),
                "--no-sync".as_ref(),
                "--no-instructions".as_ref(),
            ],
        )?;
        // A free port can be taken by someone else between our probe and the server's
        // bind, so a failed start is retried on another port a few times.
        let mut last_error = None;
        for _ in 0..3 {
            cluster.port = free_loopback_port()?;
            match cluster.pg_ctl_start() {
                Ok(()) => {
                    cluster.running = true;
                    return Ok(cluster);
                }
                Err(e) => {
                    // A start that timed out may still come up later: make sure it does not.
                    cluster.stop().ok();
                    last_error = Some(e);
                }
            }
        }
        Err(last_error.unwrap_or_else(|| anyhow::anyhow!("PostgreSQL did not start")))
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    fn pg_ctl_start(&self) -> Result<()> {
        let log = self.root.path().join("server.log");
        // Durability is pointless for a cluster deleted after the test; these make it fast.
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off",
            self.port,
            self.root.path().display()
        );
        let started = self.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                self.data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-w".as_ref(),
                "-t".as_ref(),
                "30".as_ref(),
                "-o".as_ref(),
                options.as_ref(),
                "start".as_ref(),
            ],
        );
        started.map_err(|e| {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            e.context(format!("PostgreSQL server log:\n{log}"))
        })
    }

    fn stop(&self) -> Result<()> {
        // `immediate`: nothing in here is worth a clean shutdown checkpoint.
        self.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                self.data.as_os_str(),
                "-m".as_ref(),
                "immediate".as_ref(),
                "-w".as_ref(),
                "stop".as_ref(),
            ],
        )
    }

    /// A shell that waits for end of input, then stops the server (if it runs) and deletes
    /// the cluster's directory. Its input is a pipe only this process writes to, so the
    /// pipe closes when the process ends by any means, a panic, an abort or a kill included,
    /// and no cluster outlives its tests.
    fn spawn_watcher(&self) -> Result<(Child, ChildStdin)> {
        const SCRIPT: &str = "read -r _; \"$0\" -D \"$1\" -m immediate -w stop; rm -rf \"$2\"";
        let mut command = self.command_for("sh");
        let mut child = command
            .args(["-c", SCRIPT])
            .arg(self.bindir.join("pg_ctl"))
            .arg(&self.data)
            .arg(self.root.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting the cluster's watcher")?;
        let stdin = child
            .stdin
            .take()
            .context("the watcher has no standard input")?;
        Ok((child, stdin))
    }

    /// `program` as the user the server runs as.
    fn command_for(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        if self.run_as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }

    fn run(&self, program: &str, args: &[&std::ffi::OsStr]) -> Result<()> {
        let binary = self.bindir.join(program);
        let output = self
            .command_for(&binary)
            .args(args)
            // Our own settings only: a PGDATA or PGPORT from the environment must not leak in.
            .env_remove("PGDATA")
            .env_remove("PGPORT")
            .env_remove("PGHOST")
            .output()
            .with_context(|| format!("running {}", binary.display()))?;
        if !output.status.success() {
            bail!(
                "{program} failed ({}): {}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.running
            && let Err(e) = self.stop()
        {
            eprintln!("stopping the throwaway PostgreSQL failed: {e:#}");
        }
        if let Some((mut watcher, stdin)) = self.watcher.take() {
            drop(stdin);
            watcher.wait().ok();
        }
    }
}

fn free_loopback_port() -> Result<u16> {
    let probe = TcpListener::bind("127.0.0.1:0").context("probing for a free loopback port")?;
    Ok(probe.local_addr()?.port())
}

mod url_tests {
    use super::with_database;

    #[test]
    fn another_database_on_the_same_server() {
        assert_eq!(
            with_database("postgres://u@127.0.0.1:5/helpdesk_test", "x").unwrap(),
            "postgres://u@127.0.0.1:5/x"
        );
        assert_eq!(
            with_database("postgresql://u:p@h:5?sslmode=disable", "x").unwrap(),
            "postgresql://u:p@h:5/x?sslmode=disable"
        );
    }
}
