//! The test harness: a real server on 127.0.0.1:0 over a fresh SQLite file, or over a fresh
//! PostgreSQL database (`spawn_on_postgres`; every test when `HUSHDESK_TEST_ENGINE=postgres`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use hushdesk::app::{self, AppState};
use hushdesk::config::{Config, Overrides};
use serde_json::{Value, json};
use tokio::sync::oneshot;

pub struct TestApp {
    /// The server's own state, for driving jobs and creating agents as an operator would.
    pub state: AppState,
    pub base: String,
    /// The SMTP/LMTP listener.
    pub smtp: SocketAddr,
    pub client: reqwest::Client,
    pub data_dir: PathBuf,
    /// The PostgreSQL database the server runs on; `None` on SQLite (`DATA_DIR/hushdesk.db`).
    pub postgres_url: Option<String>,
    /// A PostgreSQL cluster this server alone runs on, so a test may read its files.
    own_cluster: Option<crate::throwaway::TestPostgres>,
    _temp: tempfile::TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Starts a server whose configuration `adjust` may change first. On SQLite, unless
    /// `HUSHDESK_TEST_ENGINE=postgres` asks for every test on a fresh PostgreSQL database.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let postgres = match on_postgres_engine() {
            true => Some(
                crate::throwaway::TestPostgres::shared("HUSHDESK_TEST_ENGINE=postgres")
                    .unwrap()
                    .expect("HUSHDESK_TEST_ENGINE=postgres, but no PostgreSQL here")
                    .fresh_database()
                    .await
                    .unwrap()
                    .url,
            ),
            false => None,
        };
        Self::spawn_on(postgres, adjust).await
    }

    /// Starts a server on a fresh PostgreSQL database of its own. `None` (having said why)
    /// when this machine has no PostgreSQL and `HUSHDESK_REQUIRE_POSTGRES` is not `1`.
    pub async fn spawn_on_postgres(
        test: &str,
        adjust: impl FnOnce(&mut Config),
    ) -> Option<TestApp> {
        let server = crate::throwaway::TestPostgres::shared(test).unwrap()?;
        let database = server.fresh_database().await.unwrap();
        Some(Self::spawn_on(Some(database.url), adjust).await)
    }

    /// Starts a server whose stored files a test may scan (`stored_files`): on SQLite the
    /// same as `spawn_with`; on PostgreSQL (`HUSHDESK_TEST_ENGINE=postgres`) on a throwaway
    /// cluster of its own, since a shared server's files hold every other test's data too.
    pub async fn spawn_scannable(test: &str, adjust: impl FnOnce(&mut Config)) -> TestApp {
        if !on_postgres_engine() {
            return Self::spawn_with(adjust).await;
        }
        Self::spawn_on_own_cluster(test, adjust)
            .await
            .expect("HUSHDESK_TEST_ENGINE=postgres, but no PostgreSQL here")
    }

    /// Starts a server on a PostgreSQL cluster of its own (whatever the engine of the run),
    /// with `full_page_writes` back on as in production, so its write-ahead log holds as many
    /// copies as a real one would. `None` (having said why) without PostgreSQL here, unless
    /// `HUSHDESK_REQUIRE_POSTGRES=1`.
    pub async fn spawn_on_own_cluster(
        test: &str,
        adjust: impl FnOnce(&mut Config),
    ) -> Option<TestApp> {
        let cluster = crate::throwaway::TestPostgres::own_cluster(test).unwrap()?;
        let admin = sqlx::PgPool::connect(cluster.admin_url()).await.unwrap();
        for sql in [
            "alter system set full_page_writes = on",
            // As the README asks of a production server, so `hushdesk compact` can remove
            // the segments that held purged rows instead of leaving them for reuse.
            "alter system set wal_recycle = off",
            "select pg_reload_conf()",
        ] {
            sqlx::raw_sql(sql).execute(&admin).await.unwrap();
        }
        admin.close().await;
        let database = cluster.fresh_database().await.unwrap();
        let mut app = Self::spawn_on(Some(database.url), adjust).await;
        app.own_cluster = Some(cluster);
        Some(app)
    }

    /// A second server on this one's PostgreSQL database and data directory (its keys), as
    /// a second instance behind a load balancer would run.
    pub async fn spawn_beside(&self) -> TestApp {
        self.spawn_beside_with(|_| {}).await
    }

    /// `spawn_beside`, with a configuration that `adjust` may change first.
    pub async fn spawn_beside_with(&self, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let url = self
            .postgres_url
            .clone()
            .expect("a second instance needs PostgreSQL");
        let data_dir = self.data_dir.clone();
        let mut beside = Self::spawn_on(Some(url), |config| {
            config.data_dir = data_dir;
            adjust(config);
        })
        .await;
        beside.data_dir = self.data_dir.clone();
        beside
    }

    async fn spawn_on(postgres_url: Option<String>, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let temp = tempfile::tempdir().unwrap();
        let data_dir = temp.path().join("data");
        let overrides = Overrides {
            data_dir: Some(data_dir.clone()),
            ..Default::default()
        };
        let mut config = Config::load_with(&overrides, &|_| None).unwrap();
        // Generous limits by default; rate-limit tests set their own.
        config.rate_limit.tickets_burst = 1000;
        config.rate_limit.requests_burst = 1000;
        // Mail tests carry binary attachments and start no scanner; the attachment tests
        // start one (`clamd::TestClamd`) and turn this off.
        config.attachments.accept_unscanned = true;
        if let Some(url) = &postgres_url {
            config.database_url = url.clone().into();
        }
        adjust(&mut config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let smtp_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let smtp = smtp_listener.local_addr().unwrap();
        let state = AppState::build(config).await.unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(app::serve_with_mail(
            listener,
            Some(smtp_listener),
            state.clone(),
            async move {
                let _ = rx.await;
            },
        ));
        TestApp {
            state,
            smtp,
            base: format!("http://{addr}"),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            data_dir,
            postgres_url,
            own_cluster: None,
            _temp: temp,
            shutdown: Some(tx),
            server: Some(server),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Files a ticket through the API and returns (reference, access token, full response JSON).
    pub async fn file_via_api(
        &self,
        subject: &str,
        body: &str,
        extra: Value,
    ) -> (String, String, Value) {
        let mut payload = json!({ "subject": subject, "body": body, "category": "functionality" });
        if let (Some(p), Some(e)) = (payload.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        let response = self.post_json("/api/v1/tickets", &payload).await;
        assert_eq!(response.status(), 201, "filing failed");
        let json: Value = response.json().await.unwrap();
        (
            json["reference"].as_str().unwrap().to_owned(),
            json["access_token"].as_str().unwrap().to_owned(),
            json,
        )
    }

    /// Files a ticket through the HTML form and returns the access path `/t/…` from the page.
    pub async fn file_via_form(&self, fields: &[(&str, &str)]) -> (String, String) {
        let response = self.post_form("/tickets", fields).await;
        assert_eq!(response.status(), 201);
        let page = response.text().await.unwrap();
        (
            extract_between(&page, "<strong>HD-", "</strong>")
                .map(|id| format!("HD-{id}"))
                .unwrap(),
            access_path(&page),
        )
    }

    /// Counts rows of a table by reading the database directly.
    pub async fn count_rows(&self, table: &str) -> i64 {
        let sql = format!("select count(*) from {table}");
        match self.database().open().await {
            Db::Sqlite(pool) => {
                let count = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                    .fetch_one(&pool)
                    .await
                    .unwrap();
                pool.close().await;
                count
            }
            Db::Postgres(pool) => {
                let count = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                    .fetch_one(&pool)
                    .await
                    .unwrap();
                pool.close().await;
                count
            }
        }
    }

    /// Every subject and message body as stored, joined by newlines.
    pub async fn stored_text(&self) -> String {
        let mut texts: Vec<String> = self.query_values("select subject from tickets", &[]).await;
        texts.extend(
            self.query_values::<String>("select body from messages", &[])
                .await,
        );
        texts.join("\n")
    }

    /// The server's database (and data directory), for reading and changing what is stored
    /// beside it, on either engine.
    pub fn database(&self) -> StoredDatabase {
        StoredDatabase {
            data_dir: self.data_dir.clone(),
            postgres_url: self.postgres_url.clone(),
        }
    }

    /// Rows of `sql` (`$N` placeholders), read through the engine the server runs on.
    pub async fn query_rows<T: EitherRow>(
        &self,
        sql: &'static str,
        params: &[Param<'_>],
    ) -> Vec<T> {
        self.database().query_rows(sql, params).await
    }

    /// The first column of each row of `sql`, read through the engine the server runs on.
    pub async fn query_values<T>(&self, sql: &'static str, params: &[Param<'_>]) -> Vec<T>
    where
        (T,): EitherRow,
    {
        self.database().query_values(sql, params).await
    }

    /// Runs one statement on the server's database (to arrange a past the server cannot be
    /// driven to, e.g. a link that ran out); returns the rows it changed.
    pub async fn execute_sql(&self, sql: &'static str, params: &[Param<'_>]) -> u64 {
        self.database().execute_sql(sql, params).await
    }

    /// The real binary as an operator runs it beside this server: the same data directory
    /// and, on PostgreSQL, the same database URL; nothing else from the environment.
    pub fn command(&self) -> std::process::Command {
        self.database().command()
    }

    /// A copy of what the server stored (keys and database), to change without touching the
    /// server's own: the data directory's files, and on PostgreSQL a copy of the database on
    /// the same server. Stop the server first; on PostgreSQL its idle connections are ended.
    pub async fn stored_copy(&self) -> StoredCopy {
        let temp = tempfile::tempdir().unwrap();
        let data_dir = temp.path().join("data");
        for (path, bytes) in files_under(&self.data_dir) {
            let target = data_dir.join(path.strip_prefix(&self.data_dir).unwrap());
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(&target, bytes).unwrap();
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        let postgres_url = match &self.postgres_url {
            None => None,
            Some(url) => {
                let (server, name) = url.rsplit_once('/').unwrap();
                static COPIES: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
                let n = COPIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let copy = format!("{name}_copy{n}");
                let admin = sqlx::PgPool::connect(&format!("{server}/postgres"))
                    .await
                    .unwrap();
                sqlx::query(
                    "select pg_terminate_backend(pid) from pg_stat_activity \
                     where datname = $1 and pid <> pg_backend_pid()",
                )
                .bind(name)
                .execute(&admin)
                .await
                .unwrap();
                // Names are made by the harness from letters, digits and underscores.
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "create database \"{copy}\" template \"{name}\""
                )))
                .execute(&admin)
                .await
                .unwrap();
                admin.close().await;
                Some(format!("{server}/{copy}"))
            }
        };
        StoredCopy {
            database: StoredDatabase {
                data_dir,
                postgres_url,
            },
            _temp: temp,
        }
    }

    /// Every file that holds what the server stored, by path, once the engine has written
    /// out what it keeps in memory: the data directory, and on PostgreSQL the whole
    /// directory of the server's own cluster (table files, write-ahead log, log) after a
    /// `CHECKPOINT`. On PostgreSQL the server must run on a cluster of its own
    /// (`spawn_scannable`, `spawn_on_own_cluster`): a scan of nothing proves nothing.
    pub async fn stored_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut files = self.data_files();
        if self.postgres_url.is_some() {
            let cluster = self
                .own_cluster
                .as_ref()
                .expect("scanning files on PostgreSQL needs a server on its own cluster");
            let admin = sqlx::PgPool::connect(cluster.admin_url()).await.unwrap();
            sqlx::query("checkpoint").execute(&admin).await.unwrap();
            admin.close().await;
            files.extend(files_under(cluster.cluster_directory().unwrap()));
        }
        files
    }

    /// What the README has an operator run after purges, through the real binary: `hushdesk
    /// compact`, every step allowed. On PostgreSQL `VACUUM FULL` of the tables that hold
    /// ticket content, then switching the write-ahead log and checkpointing, three times, so
    /// the segments written before are recycled; on SQLite a checkpoint and `VACUUM` (the
    /// purge itself already zeroed the freed pages, so the scans pass without it too).
    pub async fn compact_after_purge(&self) {
        let output = self.command().arg("compact").output().unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(output.status.success(), "hushdesk compact: {said}");
        assert!(
            said.contains("content tables compacted") && !said.contains("warning"),
            "hushdesk compact ran every step: {said}"
        );
    }

    /// On a server on its own cluster: writes some 60 MB of write-ahead log and checkpoints,
    /// so the cluster has old segments to recycle, as any server that has run a while has.
    pub async fn churn_write_ahead_log(&self) {
        let cluster = self
            .own_cluster
            .as_ref()
            .expect("churning the WAL needs a server on its own cluster");
        let admin = sqlx::PgPool::connect(cluster.admin_url()).await.unwrap();
        for sql in [
            "create table wal_churn as select g, repeat('x', 1000) s from generate_series(1, 60000) g",
            "drop table wal_churn",
            "checkpoint",
        ] {
            sqlx::raw_sql(sql).execute(&admin).await.unwrap();
        }
        admin.close().await;
    }

    /// Every byte of every file under the data directory, by path.
    pub fn data_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        files_under(&self.data_dir)
    }

    /// Stops the server gracefully and waits for it to finish.
    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.unwrap().unwrap();
        }
    }
}

/// Whether this run puts every test's server on PostgreSQL (`HUSHDESK_TEST_ENGINE=postgres`).
pub fn on_postgres_engine() -> bool {
    std::env::var("HUSHDESK_TEST_ENGINE").as_deref() == Ok("postgres")
}

/// A parameter of `query_rows` / `execute_sql`, bound alike on either engine.
#[derive(Clone, Copy)]
pub enum Param<'a> {
    Text(&'a str),
    Int(i64),
    Null,
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(text: &'a str) -> Self {
        Param::Text(text)
    }
}

impl<'a> From<&'a String> for Param<'a> {
    fn from(text: &'a String) -> Self {
        Param::Text(text)
    }
}

impl From<i64> for Param<'_> {
    fn from(value: i64) -> Self {
        Param::Int(value)
    }
}

/// A row type both engines decode (tuples of integers, text, options of them).
pub trait EitherRow:
    for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
    + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
    + Send
    + Unpin
{
}

impl<T> EitherRow for T where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin
{
}

enum Db {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

macro_rules! bind_all {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for param in $params {
            query = match *param {
                Param::Text(text) => query.bind(text),
                Param::Int(value) => query.bind(value),
                Param::Null => query.bind(None::<i64>),
            };
        }
        query
    }};
}

/// A desk's database and data directory: a server's (`TestApp::database`) or a copy of it.
pub struct StoredDatabase {
    pub data_dir: PathBuf,
    /// `None` on SQLite (`DATA_DIR/hushdesk.db`).
    pub postgres_url: Option<String>,
}

impl StoredDatabase {
    async fn open(&self) -> Db {
        match &self.postgres_url {
            Some(url) => Db::Postgres(sqlx::PgPool::connect(url).await.unwrap()),
            None => {
                let url = format!("sqlite://{}", self.data_dir.join("hushdesk.db").display());
                Db::Sqlite(sqlx::SqlitePool::connect(&url).await.unwrap())
            }
        }
    }

    pub async fn query_rows<T: EitherRow>(
        &self,
        sql: &'static str,
        params: &[Param<'_>],
    ) -> Vec<T> {
        match self.open().await {
            Db::Sqlite(pool) => {
                let rows = bind_all!(sqlx::query_as::<_, T>(sql), params)
                    .fetch_all(&pool)
                    .await
                    .unwrap();
                pool.close().await;
                rows
            }
            Db::Postgres(pool) => {
                let rows = bind_all!(sqlx::query_as::<_, T>(sql), params)
                    .fetch_all(&pool)
                    .await
                    .unwrap();
                pool.close().await;
                rows
            }
        }
    }

    pub async fn query_values<T>(&self, sql: &'static str, params: &[Param<'_>]) -> Vec<T>
    where
        (T,): EitherRow,
    {
        let rows: Vec<(T,)> = self.query_rows(sql, params).await;
        rows.into_iter().map(|(value,)| value).collect()
    }

    pub async fn execute_sql(&self, sql: &'static str, params: &[Param<'_>]) -> u64 {
        match self.open().await {
            Db::Sqlite(pool) => {
                let done = bind_all!(sqlx::query(sql), params)
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
                done.rows_affected()
            }
            Db::Postgres(pool) => {
                let done = bind_all!(sqlx::query(sql), params)
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
                done.rows_affected()
            }
        }
    }

    /// Runs several statements in one go (no parameters).
    pub async fn execute_script(&self, sql: &'static str) {
        match self.open().await {
            Db::Sqlite(pool) => {
                sqlx::raw_sql(sql).execute(&pool).await.unwrap();
                pool.close().await;
            }
            Db::Postgres(pool) => {
                sqlx::raw_sql(sql).execute(&pool).await.unwrap();
                pool.close().await;
            }
        }
    }

    /// The real binary on this database and data directory, with nothing else from the
    /// environment.
    pub fn command(&self) -> std::process::Command {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_hushdesk"));
        command.env_clear().env("HUSHDESK_DATA_DIR", &self.data_dir);
        if let Some(url) = &self.postgres_url {
            command.env("HUSHDESK_DATABASE_URL", url);
        }
        command
    }
}

/// A copy of a server's stored state (`TestApp::stored_copy`); its files go with it.
pub struct StoredCopy {
    pub database: StoredDatabase,
    _temp: tempfile::TempDir,
}

/// An agent created for a test, with the secrets `hushdesk agent add` would print.
pub struct TestAgent {
    pub name: String,
    pub password: String,
    pub totp_uri: Option<String>,
    logins: std::sync::atomic::AtomicU64,
}

impl TestAgent {
    /// A code for the next sign-in. Each sign-in must use a newer time step than the last,
    /// so successive calls move one step ahead (the server accepts one step of skew).
    pub fn next_code(&self) -> Option<String> {
        let uri = self.totp_uri.as_ref()?;
        let n = self
            .logins
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let totp = totp_rs::Totp::from_url(uri).unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        Some(totp.generate(now + 30 * n).to_string())
    }
}

/// A signed-in browser-like session: the cookie and the CSRF token of its forms.
pub struct HtmlSession {
    pub cookie: String,
    pub csrf: String,
}

impl TestApp {
    /// Creates an agent the way `hushdesk agent add` does.
    pub async fn add_agent(&self, name: &str, role: &str, queues: &[&str]) -> TestAgent {
        self.create_agent(name, role, queues, None).await
    }

    /// Creates an agent with a password of their own (`hushdesk agent add --password-stdin`),
    /// so no page asks them to choose one.
    pub async fn add_agent_with_password(
        &self,
        name: &str,
        role: &str,
        queues: &[&str],
        password: &str,
    ) -> TestAgent {
        self.create_agent(name, role, queues, Some(password)).await
    }

    async fn create_agent(
        &self,
        name: &str,
        role: &str,
        queues: &[&str],
        password: Option<&str>,
    ) -> TestAgent {
        let role = role.parse().unwrap();
        let queues: Vec<String> = queues.iter().map(|q| q.to_string()).collect();
        // A second opening of the same data directory, as the command line beside a live
        // server: the web state holds no operator's door to borrow.
        let operator = hushdesk::desk::OperatorDesk::open(&self.state.config)
            .await
            .unwrap();
        let prepared = operator
            .create_agent_as_operator(name, role, password.map(str::to_owned), false, &queues)
            .await
            .unwrap();
        operator.close().await;
        let password = match password {
            Some(chosen) => chosen.to_owned(),
            None => prepared.initial_password.clone().unwrap(),
        };
        let totp_uri = prepared.provisioning_uri.clone();
        TestAgent {
            name: name.to_owned(),
            password,
            totp_uri,
            logins: Default::default(),
        }
    }

    /// Every agent with role, queues and state, as `hushdesk agent list` reads them.
    pub async fn agents(&self) -> Vec<hushdesk::desk::AgentRow> {
        let operator = hushdesk::desk::OperatorDesk::open(&self.state.config)
            .await
            .unwrap();
        let agents = operator.agents_as_operator().await.unwrap();
        operator.close().await;
        agents
    }

    /// Signs in through the API and returns the bearer token.
    pub async fn api_login(&self, agent: &TestAgent) -> String {
        let mut body = json!({ "name": agent.name, "password": agent.password });
        if let Some(code) = agent.next_code() {
            body["totp"] = code.into();
        }
        let response = self.post_json("/api/v1/agent/login", &body).await;
        assert_eq!(response.status(), 200, "login of {} failed", agent.name);
        let json: Value = response.json().await.unwrap();
        json["token"].as_str().unwrap().to_owned()
    }

    pub async fn agent_get(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn agent_post(&self, token: &str, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Files a ticket in `category` and returns its reference and access token.
    pub async fn file_in(&self, category: &str, subject: &str, body: &str) -> (String, String) {
        let (reference, token, _) = self
            .file_via_api(subject, body, json!({ "category": category }))
            .await;
        (reference, token)
    }

    /// Opens the sign-in form as a browser would: its nonce cookie and the form's token.
    pub async fn login_form(&self) -> (String, String) {
        let response = self.get("/agent/login").await;
        assert_eq!(response.status(), 200);
        let cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let page = response.text().await.unwrap();
        let token = extract_between(&page, "name=\"csrf\" value=\"", "\"")
            .unwrap()
            .to_owned();
        (cookie, token)
    }

    /// Posts the sign-in form with a fresh form token, as a browser would.
    pub async fn post_login_form(&self, fields: &[(&str, &str)]) -> reqwest::Response {
        let (cookie, token) = self.login_form().await;
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.client
            .post(self.url("/agent/login"))
            .header("cookie", cookie)
            .form(&all)
            .send()
            .await
            .unwrap()
    }

    /// Signs in through the HTML form and returns the cookie and a CSRF token.
    pub async fn html_login(&self, agent: &TestAgent) -> HtmlSession {
        let code = agent.next_code().unwrap_or_default();
        let response = self
            .post_login_form(&[
                ("name", agent.name.as_str()),
                ("password", agent.password.as_str()),
                ("totp", code.as_str()),
            ])
            .await;
        assert_eq!(
            response.status(),
            303,
            "html login of {} failed",
            agent.name
        );
        let set_cookie = response
            .headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let cookie = set_cookie.split(';').next().unwrap().to_owned();
        let page = self
            .client
            .get(self.url("/agent/account"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = extract_between(&page, "name=\"csrf\" value=\"", "\"")
            .unwrap()
            .to_owned();
        HtmlSession { cookie, csrf }
    }

    pub async fn html_get(&self, session: &HtmlSession, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header("cookie", &session.cookie)
            .send()
            .await
            .unwrap()
    }

    /// Posts a form with the session's cookie and CSRF token.
    pub async fn html_post(
        &self,
        session: &HtmlSession,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut all = vec![("csrf", session.csrf.as_str())];
        all.extend_from_slice(fields);
        self.client
            .post(self.url(path))
            .header("cookie", &session.cookie)
            .form(&all)
            .send()
            .await
            .unwrap()
    }
}

pub fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((path, bytes));
        }
    }
    out
}

/// Paths of files under `dir` that contain `needle` (as UTF-8 bytes), if any.
pub fn files_containing(files: &[(PathBuf, Vec<u8>)], needle: &str) -> Vec<PathBuf> {
    // memchr's substring search: a PostgreSQL cluster is a hundred megabytes or more.
    let finder = memchr::memmem::Finder::new(needle.as_bytes());
    files
        .iter()
        .filter(|(_, bytes)| finder.find(bytes).is_some())
        .map(|(p, _)| p.clone())
        .collect()
}

pub fn extract_between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(&text[from..to])
}

/// The text between `start` and `end` in a page, with askama's escaping of `&` undone
/// (for `otpauth://` URIs shown on pages).
pub fn unescaped_between(page: &str, start: &str, end: &str) -> String {
    extract_between(page, start, end)
        .unwrap()
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// The `/t/…` path in a "ticket created" page.
pub fn access_path(page: &str) -> String {
    format!("/t/{}", extract_between(page, "href=\"/t/", "\"").unwrap())
}
