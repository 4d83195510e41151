//! Runtime configuration: defaults, then the TOML file, then `HUSHDESK_*` variables, then flags.
//! Validated once at load; nothing else reads the environment.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::domain::Durability;

/// Everything hushdesk needs to know at start-up.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub smtp_listen: SocketAddr,
    /// A second HTTP listener that serves only the status page (and `/healthz`), with
    /// connection limits of its own, so the page stays up when the desk is overloaded.
    pub status_listen: Option<SocketAddr>,
    pub data_dir: PathBuf,
    /// `sqlite://…` (the embedded default, `DATA_DIR/hushdesk.db`) or `postgres://…`
    /// (`postgresql://…`): the engine is chosen by the scheme.
    pub database_url: DatabaseUrl,
    /// When a commit is acknowledged: `full` (default, survives a power failure) or `normal`.
    pub durability: Durability,
    /// Base URL requesters use to reach the desk, used to print the access link.
    /// When unset the link is shown as a path (never built from the request's Host header).
    pub public_url: Option<String>,
    pub support_address: String,
    /// The desk's own time zone (IANA name such as `Europe/Moscow`): agents who chose none see
    /// times in it, and requesters see it beside UTC.
    pub time_zone: String,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Name of the header a trusted reverse proxy sets to the client address.
    /// Unset means the TCP peer address is the client.
    pub trusted_client_header: Option<String>,
    /// Directory of redaction rule files that replaces the built-in rules.
    pub redaction_rules: Option<PathBuf>,
    pub rate_limit: RateLimit,
    /// Log method, route pattern, status and latency of each request (never the path itself).
    pub access_log: bool,
    /// Send `Strict-Transport-Security`: only when served over TLS.
    pub hsts: bool,
    /// Bearer token a scraper presents to read `/metrics` (admins may read it signed in).
    pub metrics_token: Option<SecretString>,
    /// Serve `/metrics` to anyone who can reach the listener, without credentials.
    pub metrics_public: bool,
    pub agents: AgentPolicy,
    pub sla: SlaPolicy,
    pub mail: MailPolicy,
    pub retention: RetentionJob,
    pub redaction: RedactionPolicy,
    pub http: HttpLimits,
    pub proofs: ProofPolicy,
    pub attachments: AttachmentPolicy,
    pub clamav: ClamavConfig,
}

/// The database URL. It may carry a password (in the user part or as a `password=` query
/// parameter), so its `Debug` and `Display` show it without one; `Deref` gives the real URL
/// to whoever connects.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl std::ops::Deref for DatabaseUrl {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<String> for DatabaseUrl {
    fn from(url: String) -> DatabaseUrl {
        DatabaseUrl(url)
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact_url(&self.0))
    }
}

impl std::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact_url(&self.0))
    }
}

/// Proofs of ownership (`[proofs]` in the file).
#[derive(Debug, Clone, Default)]
pub struct ProofPolicy {
    /// The product's backend that says whether a recovery code or token is valid.
    pub hook: Option<ProofHook>,
}

/// The verification hook (`[proofs.hook]`): the desk POSTs a code there, signed with the
/// shared secret, and believes only a well-formed answer in time.
#[derive(Clone)]
pub struct ProofHook {
    /// `https://…`, or `http://` to a loopback address (a backend on the same machine).
    pub url: String,
    /// Read from `secret_file` at start-up; never stored, logged or shown.
    pub secret: SecretString,
    pub timeout_ms: u64,
}

impl std::fmt::Debug for ProofHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProofHook")
            .field("url", &self.url)
            .field("secret", &"…")
            .field("timeout_ms", &self.timeout_ms)
            .finish()
    }
}

/// `[proofs]` as written in the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProofsFile {
    hook: Option<HookFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HookFile {
    url: String,
    secret_file: PathBuf,
    timeout_ms: Option<u64>,
}

/// Shortest shared secret accepted: the hook's signatures are only as strong as it.
const MIN_HOOK_SECRET_BYTES: usize = 16;

impl HookFile {
    fn load(self) -> anyhow::Result<ProofHook> {
        use std::os::unix::fs::PermissionsExt;
        let path = &self.secret_file;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("proofs.hook.secret_file {}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            bail!(
                "proofs.hook.secret_file {} is readable by other users (mode {:o}); run `chmod 600` on it",
                path.display(),
                mode & 0o777
            );
        }
        let secret = std::fs::read_to_string(path)
            .with_context(|| format!("reading proofs.hook.secret_file {}", path.display()))?;
        let secret = secret.trim();
        if secret.len() < MIN_HOOK_SECRET_BYTES {
            bail!(
                "proofs.hook.secret_file must hold a secret of at least {MIN_HOOK_SECRET_BYTES} characters (e.g. `openssl rand -hex 32`)"
            );
        }
        Ok(ProofHook {
            url: self.url,
            secret: SecretString::from(secret.to_owned()),
            timeout_ms: self.timeout_ms.unwrap_or(3000),
        })
    }
}

/// Whether the hook may be called at `url`: https anywhere, plain http only to this machine
/// (a code must not cross a network in the clear).
fn hook_url_allowed(url: &str) -> bool {
    if let Some(rest) = url.strip_prefix("https://") {
        return !host_of(rest).is_empty();
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host = host_of(rest);
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The host of a URL's remainder after `scheme://`, without port, user or path.
pub fn host_of(rest: &str) -> &str {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    if host_port.starts_with('[') {
        return host_port
            .split(']')
            .next()
            .unwrap_or("")
            .trim_start_matches('[');
    }
    host_port.split(':').next().unwrap_or("")
}

/// Redaction settings (`[redaction]` in the file).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RedactionPolicy {
    /// The organisation's own public values, never masked in any direction: its hotline,
    /// support address, or `@domain` for every address at its mail domain. Checked against
    /// the rules at start-up; admins can add more on the admin page.
    pub allow: Vec<String>,
}

/// The scheduled purge (`[retention]` in the file). Policies themselves are set by admins.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionJob {
    /// Cron schedule (six fields, seconds first, UTC).
    pub schedule: String,
    /// Tickets deleted per transaction, so intake is never blocked for long.
    pub batch: i64,
}

impl Default for RetentionJob {
    fn default() -> Self {
        Self {
            schedule: "0 */15 * * * *".into(),
            batch: 200,
        }
    }
}

/// Connection limits of the HTTP listener (`[http]` in the file).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpLimits {
    /// Connections open at once, from anywhere. Lowered at start to what the descriptor limit
    /// leaves after the database, mail sessions and a margin. At the cap, the connection idle
    /// for longest is closed to make room, or else the one whose request body is arriving
    /// slowest; when every connection has a whole request in hand, the new one is refused.
    pub max_connections: usize,
    /// Connections open at once from one client network (IPv4 /24, IPv6 /64), by the TCP
    /// peer address: behind a reverse proxy this is the proxy's share.
    pub max_connections_per_network: usize,
    /// A client must send a request's headers within this many seconds of connecting or of
    /// its previous response; otherwise the connection is closed (idle ones included).
    pub header_timeout_seconds: u64,
    /// A request's body must arrive whole within this many seconds.
    pub body_timeout_seconds: u64,
    /// After this many seconds from the end of its headers, a request's body must keep up
    /// with `body_min_rate_bytes_per_second` (Apache `mod_reqtimeout`'s `MinRate`); one that
    /// falls behind is answered 408 and its connection closed.
    pub body_grace_seconds: u64,
    /// Bytes per second a request body must arrive at, on average, after its grace.
    pub body_min_rate_bytes_per_second: u64,
    /// A response write that makes no progress for this many seconds (the client stopped
    /// reading) closes the connection.
    pub write_timeout_seconds: u64,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            max_connections: 4096,
            max_connections_per_network: 256,
            header_timeout_seconds: 15,
            body_timeout_seconds: 30,
            body_grace_seconds: 5,
            body_min_rate_bytes_per_second: 512,
            write_timeout_seconds: 30,
        }
    }
}

/// Files attached on the web form and the requester's reply (`[attachments]` in the file).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AttachmentPolicy {
    /// Largest file, in bytes.
    pub max_bytes: usize,
    /// Files in one submission.
    pub max_count: usize,
    /// All files of one submission together, in bytes; the body limit of the two routes that
    /// take files is this plus `max_body_bytes` for the text.
    pub max_total_bytes: usize,
    /// Keep images and other binaries that no virus scanner looked at. Off by default: with
    /// no `[clamav]` they are refused. Meant for a desk that takes only text, or for tests.
    pub accept_unscanned: bool,
}

impl Default for AttachmentPolicy {
    fn default() -> Self {
        Self {
            max_bytes: 5 * 1024 * 1024,
            max_count: 5,
            max_total_bytes: 10 * 1024 * 1024,
            accept_unscanned: false,
        }
    }
}

impl AttachmentPolicy {
    /// The body limit of the routes that take files: the files and the form's own text.
    pub fn body_limit(&self, text_limit: usize) -> usize {
        self.max_total_bytes
            .saturating_add(text_limit)
            // Multipart framing: a boundary and headers per part.
            .saturating_add(self.max_count.saturating_mul(1024))
    }
}

/// Where clamd listens (`[clamav]` in the file): a Unix socket or a TCP address, not both.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClamavConfig {
    /// Debian's `clamav-daemon` listens on `/run/clamav/clamd.ctl`.
    pub socket: Option<PathBuf>,
    /// `127.0.0.1:3310`: only on a network the desk trusts, since the files travel in clear.
    pub tcp: Option<String>,
    /// One scan, connection included, must answer within this many seconds.
    pub timeout_seconds: u64,
}

impl Default for ClamavConfig {
    fn default() -> Self {
        Self {
            socket: None,
            tcp: None,
            timeout_seconds: 30,
        }
    }
}

impl ClamavConfig {
    pub fn is_configured(&self) -> bool {
        self.socket.is_some() || self.tcp.is_some()
    }
}

impl Config {
    /// What the operator should know about attachments when no scanner is configured:
    /// said at start and by `check-config`.
    pub fn scanner_warning(&self) -> Option<&'static str> {
        match (
            self.clamav.is_configured(),
            self.attachments.accept_unscanned,
        ) {
            (true, _) => None,
            (false, false) => Some(
                "no [clamav] scanner is configured: images and other binary attachments are \
                 refused (text attachments and messages are accepted)",
            ),
            (false, true) => Some(
                "no [clamav] scanner is configured and [attachments] accept_unscanned is on: \
                 images and binaries are kept sealed without a virus scan",
            ),
        }
    }
}

/// Mail intake (`[mail]` in the file).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailPolicy {
    /// Largest message accepted over SMTP/LMTP, in bytes.
    pub max_message_bytes: usize,
    /// Most bytes one OpenPGP message may open to once decrypted and decompressed (a small
    /// compressed message can inflate a thousandfold); unset means `max_message_bytes`.
    pub max_decrypted_bytes: Option<usize>,
    /// The name the listener greets with.
    pub hostname: String,
    /// Whether to run the SMTP/LMTP listener at all.
    pub enabled: bool,
    /// Relay for outgoing mail (`smtp://host:port`, `smtps://…`); also HUSHDESK_SMTP_RELAY.
    /// Without one, outgoing mail waits in the queue.
    pub relay: Option<String>,
    /// Sessions open at once, from anywhere.
    pub max_sessions: usize,
    /// Sessions open at once from one client network (IPv4 /24, IPv6 /64).
    pub max_sessions_per_network: usize,
    /// Networks (CIDR, e.g. `127.0.0.1/32`) exempt from the per-network cap: list the MTA
    /// in front, from which every session comes. The global cap still applies. Empty by
    /// default: a desk facing the internet directly must not exempt anyone.
    pub trusted_networks: Vec<ipnet::IpNet>,
    /// A session that makes no progress for this long is closed (NOOP is not progress).
    pub idle_timeout_seconds: u64,
    /// No session lasts longer than this.
    pub max_session_seconds: u64,
    /// Multiparts nested inside each other, at most.
    pub max_mime_depth: usize,
    /// MIME parts in one message, at most.
    pub max_mime_parts: usize,
    /// Time one message may take to parse and decrypt, in milliseconds.
    pub processing_budget_ms: u64,
    /// Bytes of received messages held in memory at once, across all sessions, from the
    /// first line of data until the message is filed. A message that would go over it is
    /// answered 452 (try again later), which a sending MTA retries.
    pub memory_budget_bytes: usize,
    /// The authserv-id the MTA in front writes in its `Authentication-Results:` header
    /// (e.g. `mx.example.org`). When set, a mail joins a ticket by its contact address only
    /// if that header says DMARC (or aligned DKIM) passed for the `From:` domain.
    pub trusted_authserv_id: Option<String>,
}

impl Default for MailPolicy {
    fn default() -> Self {
        Self {
            max_message_bytes: 10 * 1024 * 1024,
            max_decrypted_bytes: None,
            hostname: "localhost".into(),
            enabled: true,
            relay: None,
            max_sessions: 64,
            max_sessions_per_network: 8,
            trusted_networks: Vec::new(),
            idle_timeout_seconds: 300,
            max_session_seconds: 600,
            max_mime_depth: 20,
            max_mime_parts: 500,
            processing_budget_ms: 10_000,
            memory_budget_bytes: 256 * 1024 * 1024,
            trusted_authserv_id: None,
        }
    }
}

impl MailPolicy {
    /// Most bytes one OpenPGP message in received mail may open to.
    pub fn decrypted_limit(&self) -> usize {
        self.max_decrypted_bytes.unwrap_or(self.max_message_bytes)
    }
}

/// Sign-in, session and alert rules for agents (`[agents]` in the file).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgentPolicy {
    /// A session unused for this long ends.
    pub session_idle_minutes: u64,
    /// No session lives longer than this.
    pub session_max_hours: u64,
    /// Failed sign-ins in a row before the account is locked for a while.
    pub max_failed_logins: u32,
    pub lockout_minutes: u64,
    /// Distinct tickets one agent may be shown in an hour (opened, or as rows of lists and
    /// searches) before admins are alerted.
    pub hourly_view_threshold: u32,
    /// Distinct unknown or out-of-scope references one agent may ask for in an hour before
    /// admins are alerted (someone probing for tickets).
    pub probe_alert_threshold: u32,
    /// How long a break-glass exception lasts.
    pub break_glass_minutes: u64,
    /// How long a single-use download link for a sealed attachment stays usable, 1..=60.
    pub download_link_minutes: u64,
    /// Attachments one agent may download in an hour before admins are alerted.
    pub hourly_download_threshold: u32,
    /// Mark cookies `Secure`; defaults to on when `public_url` is https.
    pub secure_cookies: Option<bool>,
    /// How long an enrolment link (new agent, reset) stays usable, 1..=720.
    pub enrolment_link_hours: u64,
    /// How long an agent who left a restricted queue (removed, or the queue unrestricted)
    /// still needs a second admin for a reset, 1..=365.
    pub restricted_memory_days: u64,
    /// How long a proof-of-ownership challenge may be answered, 1..=720.
    pub proof_challenge_hours: u64,
    /// Refused proofs one ticket may take in an hour before further attempts are refused
    /// unchecked, so its page cannot serve as an oracle.
    pub proof_failures_per_hour: u32,
}

impl Default for AgentPolicy {
    fn default() -> Self {
        Self {
            session_idle_minutes: 30,
            session_max_hours: 12,
            max_failed_logins: 5,
            lockout_minutes: 15,
            hourly_view_threshold: 60,
            probe_alert_threshold: 10,
            break_glass_minutes: 15,
            download_link_minutes: 5,
            hourly_download_threshold: 20,
            secure_cookies: None,
            enrolment_link_hours: 24,
            restricted_memory_days: 7,
            proof_challenge_hours: 24,
            proof_failures_per_hour: 10,
        }
    }
}

/// Service-level targets per priority P1..P4 and the scheduled job that checks them
/// (`[sla]` in the file).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SlaPolicy {
    pub first_response_hours: [u32; 4],
    pub resolution_hours: [u32; 4],
    /// A ticket waiting on the requester closes itself after this many working days.
    pub auto_close_working_days: u32,
    /// A ticket counts as "SLA at risk" (its own list view and a desk notification) this many
    /// minutes before its next target is due.
    pub warning_minutes: u32,
    /// Cron schedule of the SLA and auto-close job (six fields, seconds first, UTC).
    pub schedule: String,
}

impl Default for SlaPolicy {
    fn default() -> Self {
        Self {
            first_response_hours: [1, 4, 8, 24],
            resolution_hours: [8, 24, 72, 168],
            auto_close_working_days: 2,
            warning_minutes: 60,
            schedule: "0 * * * * *".into(),
        }
    }
}

/// Per-network request budgets: in memory on SQLite, shared by every instance on PostgreSQL.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimit {
    /// New tickets a network may file in a burst.
    pub tickets_burst: u32,
    /// One more ticket is allowed every this many seconds.
    pub tickets_refill_seconds: u64,
    /// Other requester API and reply requests a network may make in a burst.
    pub requests_burst: u32,
    /// One more request is allowed every this many milliseconds.
    pub requests_refill_millis: u64,
    /// Agent sign-in attempts a network may make in a burst (accounts also lock on their own).
    pub logins_burst: u32,
    /// One more sign-in attempt is allowed every this many seconds.
    pub logins_refill_seconds: u64,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self {
            tickets_burst: 5,
            tickets_refill_seconds: 120,
            requests_burst: 60,
            requests_refill_millis: 500,
            logins_burst: 10,
            logins_refill_seconds: 6,
        }
    }
}

/// The TOML file's shape; every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    smtp_listen: Option<String>,
    status_listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    durability: Option<Durability>,
    public_url: Option<String>,
    support_address: Option<String>,
    time_zone: Option<String>,
    max_body_bytes: Option<usize>,
    trusted_client_header: Option<String>,
    redaction_rules: Option<PathBuf>,
    rate_limit: Option<RateLimit>,
    access_log: Option<bool>,
    hsts: Option<bool>,
    metrics_token: Option<String>,
    metrics_public: Option<bool>,
    agents: Option<AgentPolicy>,
    sla: Option<SlaPolicy>,
    mail: Option<MailPolicy>,
    retention: Option<RetentionJob>,
    redaction: Option<RedactionPolicy>,
    http: Option<HttpLimits>,
    proofs: Option<ProofsFile>,
    attachments: Option<AttachmentPolicy>,
    clamav: Option<ClamavConfig>,
}

/// Values given on the command line; they win over everything else.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub smtp_listen: Option<String>,
    pub status_listen: Option<String>,
}

/// Where environment values come from; a function so tests need not touch the process env.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

impl Config {
    /// Loads the configuration from the process environment and the given overrides.
    pub fn load(overrides: &Overrides) -> anyhow::Result<Self> {
        Self::load_with(overrides, &|key| std::env::var(key).ok())
    }

    /// Loads the configuration with an explicit environment.
    pub fn load_with(overrides: &Overrides, env: EnvLookup<'_>) -> anyhow::Result<Self> {
        let config_path = overrides
            .config_file
            .clone()
            .or_else(|| env("HUSHDESK_CONFIG").map(PathBuf::from));
        let file = match &config_path {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };

        let listen = overrides
            .listen
            .clone()
            .or_else(|| env("HUSHDESK_LISTEN"))
            .or(file.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let smtp_listen = overrides
            .smtp_listen
            .clone()
            .or_else(|| env("HUSHDESK_SMTP_LISTEN"))
            .or(file.smtp_listen)
            .unwrap_or_else(|| "127.0.0.1:2525".into());
        let status_listen = overrides
            .status_listen
            .clone()
            .or_else(|| env("HUSHDESK_STATUS_LISTEN"))
            .or(file.status_listen);
        let data_dir = overrides
            .data_dir
            .clone()
            .or_else(|| env("HUSHDESK_DATA_DIR").map(PathBuf::from))
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("./data"));
        let database_url = env("HUSHDESK_DATABASE_URL")
            .or(file.database_url)
            .unwrap_or_else(|| default_database_url(&data_dir));
        let support_address = env("HUSHDESK_SUPPORT_ADDRESS")
            .or(file.support_address)
            .unwrap_or_else(|| "support@localhost".into());

        let config = Config {
            listen: parse_addr("listen", &listen)?,
            smtp_listen: parse_addr("smtp_listen", &smtp_listen)?,
            status_listen: status_listen
                .map(|a| parse_addr("status_listen", &a))
                .transpose()?,
            data_dir,
            database_url: DatabaseUrl(database_url),
            durability: file.durability.unwrap_or_default(),
            public_url: env("HUSHDESK_PUBLIC_URL")
                .or(file.public_url)
                .map(|u| u.trim_end_matches('/').to_owned()),
            support_address,
            time_zone: env("HUSHDESK_TIME_ZONE")
                .or(file.time_zone)
                .unwrap_or_else(|| "UTC".into()),
            max_body_bytes: file.max_body_bytes.unwrap_or(64 * 1024),
            trusted_client_header: file.trusted_client_header,
            redaction_rules: file.redaction_rules,
            rate_limit: file.rate_limit.unwrap_or_default(),
            access_log: file.access_log.unwrap_or(false),
            hsts: file.hsts.unwrap_or(false),
            metrics_token: env("HUSHDESK_METRICS_TOKEN")
                .or(file.metrics_token)
                .filter(|t| !t.is_empty())
                .map(SecretString::from),
            metrics_public: file.metrics_public.unwrap_or(false),
            agents: file.agents.unwrap_or_default(),
            sla: file.sla.unwrap_or_default(),
            mail: {
                let mut mail = file.mail.unwrap_or_default();
                if let Some(relay) = env("HUSHDESK_SMTP_RELAY") {
                    mail.relay = Some(relay);
                }
                mail
            },
            retention: file.retention.unwrap_or_default(),
            redaction: file.redaction.unwrap_or_default(),
            http: file.http.unwrap_or_default(),
            proofs: ProofPolicy {
                hook: file
                    .proofs
                    .and_then(|p| p.hook)
                    .map(HookFile::load)
                    .transpose()?,
            },
            attachments: file.attachments.unwrap_or_default(),
            clamav: file.clamav.unwrap_or_default(),
        };
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        let files = &self.attachments;
        if !(1..=64 * 1024 * 1024).contains(&files.max_bytes) {
            bail!("[attachments] max_bytes must be between 1 and 67108864");
        }
        if !(1..=50).contains(&files.max_count) {
            bail!("[attachments] max_count must be between 1 and 50");
        }
        if !(files.max_bytes..=256 * 1024 * 1024).contains(&files.max_total_bytes) {
            bail!("[attachments] max_total_bytes must be at least max_bytes and at most 268435456");
        }
        if self.clamav.socket.is_some() && self.clamav.tcp.is_some() {
            bail!("[clamav] takes socket or tcp, not both");
        }
        if !(1..=600).contains(&self.clamav.timeout_seconds) {
            bail!("[clamav] timeout_seconds must be between 1 and 600");
        }
        if !(1024..=64 * 1024 * 1024).contains(&self.max_body_bytes) {
            bail!("max_body_bytes must be between 1024 and 67108864");
        }
        if !(self.database_url.starts_with("sqlite:") || self.uses_postgres()) {
            bail!(
                "database_url {:?}: use sqlite://FILE or postgres://USER@HOST/DATABASE",
                redact_url(&self.database_url)
            );
        }
        if let Some(url) = &self.public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            bail!("public_url must start with http:// or https://");
        }
        if let Some(header) = &self.trusted_client_header
            && !is_header_name(header)
        {
            bail!("trusted_client_header {header:?} is not a header name");
        }
        if let Some(token) = &self.metrics_token
            && token.expose_secret().chars().count() < MIN_METRICS_TOKEN_CHARS
        {
            bail!(
                "metrics_token must be at least {MIN_METRICS_TOKEN_CHARS} characters (e.g. `openssl rand -hex 32`)"
            );
        }
        let rl = &self.rate_limit;
        if rl.tickets_burst == 0
            || rl.requests_burst == 0
            || rl.tickets_refill_seconds == 0
            || rl.requests_refill_millis == 0
            || rl.logins_burst == 0
            || rl.logins_refill_seconds == 0
        {
            bail!("rate_limit values must all be greater than zero");
        }
        let agents = &self.agents;
        if agents.session_idle_minutes == 0
            || agents.session_max_hours == 0
            || agents.max_failed_logins == 0
            || agents.hourly_view_threshold == 0
            || agents.probe_alert_threshold == 0
            || agents.break_glass_minutes == 0
            || agents.hourly_download_threshold == 0
        {
            bail!("agents values must all be greater than zero");
        }
        if !(1..=720).contains(&agents.enrolment_link_hours) {
            bail!("agents.enrolment_link_hours must be between 1 and 720 (30 days)");
        }
        if !(1..=720).contains(&agents.proof_challenge_hours) {
            bail!("agents.proof_challenge_hours must be between 1 and 720 (30 days)");
        }
        if !(1..=60).contains(&agents.download_link_minutes) {
            bail!("agents.download_link_minutes must be between 1 and 60");
        }
        if !(1..=365).contains(&agents.restricted_memory_days) {
            bail!("agents.restricted_memory_days must be between 1 and 365");
        }
        if self.sla.first_response_hours.contains(&0) || self.sla.resolution_hours.contains(&0) {
            bail!("sla targets must all be greater than zero hours");
        }
        if !(1024..=1024 * 1024 * 1024).contains(&self.mail.max_message_bytes) {
            bail!("mail.max_message_bytes must be between 1024 and 1073741824");
        }
        if !(1024..=1024 * 1024 * 1024).contains(&self.mail.decrypted_limit()) {
            bail!("mail.max_decrypted_bytes must be between 1024 and 1073741824");
        }
        let mail = &self.mail;
        if mail.max_sessions == 0
            || mail.max_sessions_per_network == 0
            || mail.idle_timeout_seconds == 0
            || mail.max_session_seconds == 0
            || mail.max_mime_depth == 0
            || mail.max_mime_parts == 0
            || mail.processing_budget_ms == 0
        {
            bail!("mail limits must all be greater than zero");
        }
        if mail.max_sessions_per_network > mail.max_sessions {
            bail!("mail.max_sessions_per_network cannot exceed mail.max_sessions");
        }
        if mail.memory_budget_bytes < mail.max_message_bytes {
            // Otherwise a message of the largest accepted size would be deferred forever.
            bail!("mail.memory_budget_bytes cannot be less than mail.max_message_bytes");
        }
        let http = &self.http;
        if http.max_connections == 0
            || http.max_connections_per_network == 0
            || http.header_timeout_seconds == 0
            || http.body_timeout_seconds == 0
            || http.body_grace_seconds == 0
            || http.body_min_rate_bytes_per_second == 0
            || http.write_timeout_seconds == 0
        {
            bail!("http limits must all be greater than zero");
        }
        if http.max_connections_per_network > http.max_connections {
            bail!("http.max_connections_per_network cannot exceed http.max_connections");
        }
        crate::domain::SupportAddress::parse(&self.support_address)?;
        if crate::i18n::zone_named(&self.time_zone).is_none() {
            bail!("time_zone must be an IANA zone name such as Europe/Moscow or UTC");
        }
        if let Some(id) = &self.mail.trusted_authserv_id
            && (id.is_empty() || id.contains(|c: char| c.is_whitespace() || "();\"".contains(c)))
        {
            bail!("mail.trusted_authserv_id must be a host name such as mx.example.org");
        }
        if let Some(relay) = &self.mail.relay
            && !(relay.starts_with("smtp://") || relay.starts_with("smtps://"))
        {
            bail!("mail.relay must be an smtp:// or smtps:// URL");
        }
        if let Some(hook) = &self.proofs.hook {
            if !hook_url_allowed(&hook.url) {
                bail!(
                    "proofs.hook.url must be an https:// URL, or http:// to a loopback address (127.0.0.1, [::1], localhost)"
                );
            }
            if !(100..=60_000).contains(&hook.timeout_ms) {
                bail!("proofs.hook.timeout_ms must be between 100 and 60000");
            }
        }
        if self.retention.schedule.split_whitespace().count() != 6 {
            bail!("retention.schedule must be a cron line with six fields, seconds first");
        }
        if !(1..=10_000).contains(&self.retention.batch) {
            bail!("retention.batch must be between 1 and 10000");
        }
        if self.sla.schedule.split_whitespace().count() != 6 {
            bail!("sla.schedule must be a cron line with six fields, seconds first");
        }
        Ok(())
    }

    /// Where the helpdesk's public key can be fetched, for messages to senders.
    pub fn key_url(&self) -> String {
        match &self.public_url {
            Some(url) => format!("{url}/pgp-key.asc"),
            None => "/pgp-key.asc on this helpdesk's web site".into(),
        }
    }

    /// Whether session cookies carry `Secure`.
    pub fn secure_cookies(&self) -> bool {
        self.agents.secure_cookies.unwrap_or_else(|| {
            self.public_url
                .as_deref()
                .is_some_and(|u| u.starts_with("https://"))
        })
    }

    /// Whether the database is PostgreSQL (`postgres://` or `postgresql://`).
    pub fn uses_postgres(&self) -> bool {
        self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://")
    }

    /// Path of the SQLite database file when the URL names one.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        let rest = self.database_url.strip_prefix("sqlite:")?;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let path = rest.split('?').next().unwrap_or(rest);
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }

    pub fn keys_dir(&self) -> PathBuf {
        self.data_dir.join("keys")
    }
}

/// Shortest `/metrics` token accepted: it is a password that scrapers send on every request.
const MIN_METRICS_TOKEN_CHARS: usize = 24;

fn default_database_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("hushdesk.db").display())
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("parsing config file {}", path.display()))
}

fn parse_addr(name: &str, value: &str) -> anyhow::Result<SocketAddr> {
    value
        .parse()
        .with_context(|| format!("{name} {value:?} is not an address like 127.0.0.1:8080"))
}

/// Query parameters whose values are shown; any other value is hidden. A list of the
/// harmless ones rather than of the secret ones, because the driver decodes parameter names
/// (`pass%77ord=` is a password too) and may learn new secret ones.
const SHOWN_URL_PARAMETERS: &[&str] = &[
    "sslmode",
    "ssl-mode",
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "application_name",
    "mode",
    "cache",
];

/// A database URL fit to show: without the user part (which may hold a password) and with
/// the value of every query parameter but the harmless ones hidden.
fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        // Not a URL as written (`postgres//user:pw@host`, `postgres:/…`): where the user part
        // would end cannot be told, so everything up to the last `@` is hidden.
        return match url.rfind('@') {
            Some(at) => format!("…@{}", hide_query(&url[at + 1..])),
            None => hide_query(url),
        };
    };
    let (scheme, rest) = (&url[..scheme_end], &url[scheme_end + 3..]);
    // The user part ends at the last `@` of the address. A password may hold a raw `?` or
    // `@`, so an `@` after the first `?` still ends it unless it sits in the value of a query
    // parameter that is hidden anyway.
    let user_part_end = match rest.find('?') {
        Some(query) if !every_at_is_in_a_hidden_value(&rest[query + 1..]) => rest.rfind('@'),
        Some(query) => rest[..query].rfind('@'),
        None => rest.rfind('@'),
    };
    match user_part_end {
        Some(at) => format!("{scheme}://…@{}", hide_query(&rest[at + 1..])),
        None => format!("{scheme}://{}", hide_query(rest)),
    }
}

/// `text` with the values of its query parameters hidden, but the harmless ones'.
fn hide_query(text: &str) -> String {
    let Some((address, query)) = text.split_once('?') else {
        return text.to_owned();
    };
    let parameters: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if !SHOWN_URL_PARAMETERS.contains(&name) => format!("{name}=…"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{address}?{}", parameters.join("&"))
}

/// Whether each `@` of a query lies in the value of a parameter `hide_query` hides (a
/// parameter with a plausible name: one that holds no `@`, `/` or `?` of a user part).
fn every_at_is_in_a_hidden_value(query: &str) -> bool {
    query.split('&').all(|pair| {
        !pair.contains('@')
            || pair.split_once('=').is_some_and(|(name, _)| {
                !SHOWN_URL_PARAMETERS.contains(&name)
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"_-%[].".contains(&b))
            })
    })
}

/// An HTTP field name as RFC 9110 defines it (a non-empty token), checked here so that the
/// configuration needs no HTTP library.
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |key| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn zero_configuration_uses_documented_defaults() {
        let config = Config::load_with(&Overrides::default(), &env_of(&[])).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.smtp_listen.to_string(), "127.0.0.1:2525");
        assert_eq!(config.data_dir, PathBuf::from("./data"));
        assert_eq!(
            config.sqlite_path(),
            Some(PathBuf::from("./data/hushdesk.db"))
        );
        assert_eq!(config.max_body_bytes, 65536);
    }

    #[test]
    fn environment_overrides_file_and_flags_override_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hushdesk.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\nmax_body_bytes = 2048\n",
        )
        .unwrap();
        let overrides = Overrides {
            config_file: Some(file),
            ..Default::default()
        };
        let env = env_of(&[
            ("HUSHDESK_LISTEN", "127.0.0.1:9100"),
            ("HUSHDESK_DATA_DIR", "/tmp/hd"),
        ]);
        let config = Config::load_with(&overrides, &env).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:9100");
        assert_eq!(config.max_body_bytes, 2048);
        assert_eq!(config.data_dir, PathBuf::from("/tmp/hd"));

        let overrides = Overrides {
            listen: Some("127.0.0.1:9200".into()),
            ..overrides
        };
        let config = Config::load_with(&overrides, &env).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:9200");
    }

    #[test]
    fn durability_is_full_unless_the_file_says_normal() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::load_with(&Overrides::default(), &env_of(&[])).unwrap();
        assert_eq!(config.durability, Durability::Full);
        for (text, expected) in [
            ("durability = \"normal\"\n", Some(Durability::Normal)),
            ("durability = \"full\"\n", Some(Durability::Full)),
            ("durability = \"off\"\n", None),
        ] {
            let file = dir.path().join("d.toml");
            std::fs::write(&file, text).unwrap();
            let overrides = Overrides {
                config_file: Some(file),
                ..Default::default()
            };
            let loaded = Config::load_with(&overrides, &env_of(&[]));
            assert_eq!(loaded.ok().map(|c| c.durability), expected, "{text}");
        }
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, "lisen = \"x\"\n").unwrap();
        let overrides = Overrides {
            config_file: Some(file),
            ..Default::default()
        };
        assert!(Config::load_with(&overrides, &env_of(&[])).is_err());

        let overrides = Overrides {
            listen: Some("not an address".into()),
            ..Default::default()
        };
        assert!(Config::load_with(&overrides, &env_of(&[])).is_err());
    }

    /// Loads a configuration file holding `[proofs.hook]` with `url` and a secret file.
    fn load_hook(url: &str, secret: &str, mode: u32) -> anyhow::Result<Config> {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let secret_file = dir.path().join("hook-secret");
        std::fs::write(&secret_file, secret).unwrap();
        std::fs::set_permissions(&secret_file, std::fs::Permissions::from_mode(mode)).unwrap();
        let file = dir.path().join("hushdesk.toml");
        std::fs::write(
            &file,
            format!(
                "[proofs.hook]\nurl = {url:?}\nsecret_file = {:?}\n",
                secret_file.display().to_string()
            ),
        )
        .unwrap();
        let overrides = Overrides {
            config_file: Some(file),
            ..Default::default()
        };
        Config::load_with(&overrides, &env_of(&[]))
    }

    #[test]
    fn the_proof_hook_takes_https_or_loopback_http_and_a_private_secret() {
        let secret = "0123456789abcdef0123456789abcdef\n";
        for url in [
            "https://backend.example.org/hushdesk/verify",
            "http://127.0.0.1:8089/verify",
            "http://[::1]:8089/verify",
            "http://localhost/verify",
        ] {
            let config = load_hook(url, secret, 0o600).unwrap();
            let hook = config.proofs.hook.unwrap();
            assert_eq!(hook.url, url);
            assert_eq!(hook.secret.expose_secret(), secret.trim());
            assert_eq!(hook.timeout_ms, 3000);
            assert!(!format!("{hook:?}").contains("0123456789abcdef"));
        }
        for url in [
            "http://backend.example.org/verify",
            "http://10.0.0.5/verify",
            "http://127.0.0.1.example.org/verify",
            "ftp://127.0.0.1/verify",
            "https:///verify",
        ] {
            let refused = load_hook(url, secret, 0o600).unwrap_err();
            assert!(
                refused.to_string().contains("proofs.hook.url"),
                "{url}: {refused}"
            );
        }
        let loose = load_hook("https://b.example.org/", secret, 0o644).unwrap_err();
        assert!(
            loose.to_string().contains("readable by other users"),
            "{loose}"
        );
        let short = load_hook("https://b.example.org/", "short", 0o600).unwrap_err();
        assert!(short.to_string().contains("at least 16"), "{short}");
        let none = Config::load_with(&Overrides::default(), &env_of(&[])).unwrap();
        assert!(none.proofs.hook.is_none());
    }

    #[test]
    fn the_metrics_token_comes_from_the_environment_and_must_be_long() {
        let config = Config::load_with(
            &Overrides::default(),
            &env_of(&[("HUSHDESK_METRICS_TOKEN", "0123456789abcdef01234567")]),
        )
        .unwrap();
        assert_eq!(
            config.metrics_token.as_ref().map(|t| t.expose_secret()),
            Some("0123456789abcdef01234567")
        );
        assert!(!config.metrics_public);
        assert!(!format!("{config:?}").contains("0123456789abcdef"));
        let short = Config::load_with(
            &Overrides::default(),
            &env_of(&[("HUSHDESK_METRICS_TOKEN", "too-short")]),
        );
        assert!(short.is_err());
    }

    #[test]
    fn a_postgres_url_is_accepted_and_chooses_postgres() {
        let env = env_of(&[(
            "HUSHDESK_DATABASE_URL",
            "postgres://desk@db.internal/hushdesk",
        )]);
        let config = Config::load_with(&Overrides::default(), &env).unwrap();
        assert!(config.uses_postgres());
        assert_eq!(config.sqlite_path(), None);
        let env = env_of(&[(
            "HUSHDESK_DATABASE_URL",
            "postgres://desk:secret@db/hushdesk",
        )]);
        let config = Config::load_with(&Overrides::default(), &env).unwrap();
        assert!(!format!("{config:?}").contains("secret"));
        let env = env_of(&[("HUSHDESK_DATABASE_URL", "mysql://desk:secret@db/hushdesk")]);
        let refused = Config::load_with(&Overrides::default(), &env)
            .unwrap_err()
            .to_string();
        assert!(!refused.contains("secret"), "{refused}");
        assert!(
            !Config::load_with(&Overrides::default(), &env_of(&[]))
                .unwrap()
                .uses_postgres()
        );
    }

    #[test]
    fn database_password_is_not_echoed_in_errors() {
        assert_eq!(redact_url("postgres://u:secret@db/x"), "postgres://…@db/x");
    }

    #[test]
    fn a_database_url_shows_without_any_password() {
        let cases = [
            ("postgres://u:secret@db/x", "postgres://…@db/x"),
            ("postgres://u:se@cret@db/x", "postgres://…@db/x"),
            ("postgres://u:se?cret@db/x", "postgres://…@db/x"),
            (
                "postgres://db:5432/x?sslmode=require&password=secret",
                "postgres://db:5432/x?sslmode=require&password=…",
            ),
            (
                "postgres://db/x?pass%77ord=secret&user=desk",
                "postgres://db/x?pass%77ord=…&user=desk",
            ),
            (
                "postgres://db/x?password=se@cret",
                "postgres://db/x?password=…",
            ),
            (
                "postgres://u:se?cret@db/x?password=secret",
                "postgres://…@db/x?password=…",
            ),
            (
                "postgres://u:secret@db/x?application_name=a@b",
                "postgres://…@b",
            ),
            (
                "postgresql://u:secret@db/x?sslpassword=secret",
                "postgresql://…@db/x?sslpassword=…",
            ),
            (
                "sqlite:///srv/desk/hushdesk.db",
                "sqlite:///srv/desk/hushdesk.db",
            ),
            ("sqlite://data/h.db?mode=ro", "sqlite://data/h.db?mode=ro"),
        ];
        for (url, expected) in cases {
            let url = DatabaseUrl::from(url.to_owned());
            assert_eq!(url.to_string(), expected);
            assert_eq!(format!("{url:?}"), expected);
            assert!(!url.to_string().contains("secret"), "{url}");
        }
        // Deref still gives the real URL, for connecting.
        let url = DatabaseUrl::from("postgres://db/x?password=secret".to_owned());
        assert!(url.contains("secret"));
        for malformed in [
            "postgres//hushdesk:LeakMe123@127.0.0.1/hd1",
            "postgres:/hushdesk:LeakMe123@127.0.0.1/hd1",
        ] {
            let shown = format!("{:?}", DatabaseUrl(malformed.to_owned()));
            assert!(!shown.contains("LeakMe123"), "{shown}");
            assert!(shown.contains("127.0.0.1/hd1"), "{shown}");
        }
    }
}
