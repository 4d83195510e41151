//! The command line: `hushdesk [serve]`, `migrate`, `check-config`, `redact`, `key export`,
//! `agent add|reset`, `audit verify`, `purge`, `hold add|release`.
//! Thin: each verb loads what it needs and calls into the library.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::app;
use crate::config::{Config, DatabaseUrl, Overrides};
use crate::desk::{Conflict, DeskError, OperatorDesk, now_unix};
use crate::domain::Role;
use crate::i18n::{FluentValue, Lang};
use crate::redact::{MaskBook, MaskKey, Redactor};

#[derive(Debug, Parser)]
#[command(
    name = "hushdesk",
    version,
    about = "A privacy-first helpdesk: redacts before it stores."
)]
pub struct Args {
    /// Configuration file (TOML). Also HUSHDESK_CONFIG.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data directory (database, keys). Also HUSHDESK_DATA_DIR. Default ./data
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// HTTP listen address. Also HUSHDESK_LISTEN. Default 127.0.0.1:8080
    #[arg(long, global = true, value_name = "ADDR")]
    listen: Option<String>,
    /// SMTP/LMTP listen address. Also HUSHDESK_SMTP_LISTEN. Default 127.0.0.1:2525
    #[arg(long, global = true, value_name = "ADDR")]
    smtp_listen: Option<String>,
    /// A listener for the status page alone. Also HUSHDESK_STATUS_LISTEN. Default none
    #[arg(long, global = true, value_name = "ADDR")]
    status_listen: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the helpdesk (the default).
    Serve,
    /// Create the data directory and database and apply migrations, then exit. With --from
    /// and --to, copy a whole desk from SQLite to PostgreSQL instead.
    #[command(
        long_about = "Create the data directory and database and apply migrations, \
        then exit.\n\n\
        With --from and --to, copy a whole desk from its SQLite database to an empty \
        PostgreSQL database instead: every table in one transaction, sealed data still \
        sealed, the audit chain verified on the target before the commit. Stop the desk \
        first (the copy refuses a database a desk still has open) and back up its data \
        directory. Run it with the desk's own data directory: its keys verify the chain, \
        and the desk keeps them when it moves to PostgreSQL."
    )]
    Migrate {
        /// The desk's SQLite database, opened read-only: sqlite:///path/to/hushdesk.db
        #[arg(long, value_name = "SQLITE_URL", requires = "to", value_parser = database_url)]
        from: Option<DatabaseUrl>,
        /// An empty PostgreSQL database: postgres://user@host/database (a password is
        /// better given in PGPASSWORD or ~/.pgpass than on the command line)
        #[arg(long, value_name = "POSTGRES_URL", requires = "from", value_parser = database_url)]
        to: Option<DatabaseUrl>,
    },
    /// Load and validate the configuration and redaction rules, then exit.
    CheckConfig,
    /// Redact a file (or standard input) and print the result.
    Redact {
        /// Directory of rule files to use instead of the built-in rules.
        #[arg(long, value_name = "DIR")]
        rules: Option<PathBuf>,
        /// Print {"text": …, "findings": [{"rule", "start", "end"}]} instead of plain text.
        #[arg(long)]
        json: bool,
        /// File to read; standard input when absent.
        file: Option<PathBuf>,
    },
    /// The helpdesk's OpenPGP key.
    Key {
        #[command(subcommand)]
        action: KeyAction,
    },
    /// Manage agents.
    Agent {
        #[command(subcommand)]
        action: AgentAction,
    },
    /// The tamper-evident audit log.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Delete every ticket (and sealed attachment) whose retention has run out.
    Purge {
        /// Print what would be deleted without deleting anything.
        #[arg(long)]
        dry_run: bool,
        /// Evaluate expiry as if it were this moment (RFC 3339), to plan ahead.
        #[arg(long, value_name = "RFC3339", value_parser = parse_rfc3339)]
        as_of: Option<i64>,
    },
    /// FOR BENCHMARKS ONLY: fill a desk with made-up tickets (`benches/load/`). Never run it
    /// on a desk people use: the tickets are real tickets on it.
    #[command(hide = true)]
    Seed {
        /// How many tickets to file.
        #[arg(long)]
        tickets: usize,
        /// Close them this many days ago (so the purge finds them expired).
        #[arg(long, value_name = "DAYS")]
        closed_days_ago: Option<i64>,
        /// Tickets filed at once.
        #[arg(long, default_value_t = 4)]
        workers: usize,
    },
    /// Rewrite the tables that hold ticket content so purged rows leave no bytes behind.
    /// On PostgreSQL: VACUUM FULL of those tables, then a WAL switch and checkpoint; each
    /// table is locked while it is rewritten, so run it in a quiet hour (e.g. nightly).
    Compact,
    /// Legal holds: a held ticket is never purged and cannot be deleted.
    Hold {
        #[command(subcommand)]
        action: HoldAction,
    },
    /// Recovery codes and one-time tokens requesters prove ownership with.
    Proofs {
        #[command(subcommand)]
        action: ProofsAction,
    },
}

#[derive(Debug, Subcommand)]
enum ProofsAction {
    /// Import a list of tokens, one a line, from FILE or standard input. Only keyed digests
    /// are stored; spaces, dashes and letter case do not matter.
    Import {
        /// The list's name, as the admin page shows it (e.g. "recovery codes 2026-11").
        #[arg(long)]
        name: String,
        file: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum HoldAction {
    /// Place a hold on a ticket.
    Add {
        reference: String,
        /// Why (kept, redacted, and shown to admins only).
        #[arg(long)]
        reason: String,
    },
    /// Release a hold.
    Release { reference: String },
}

/// Kept as a `DatabaseUrl`, whose `Debug` and `Display` hide any password, from the moment
/// it is read.
fn database_url(text: &str) -> Result<DatabaseUrl, String> {
    Ok(DatabaseUrl::from(text.to_owned()))
}

fn parse_rfc3339(text: &str) -> Result<i64, String> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map(|t| t.unix_timestamp())
        .map_err(|e| format!("not an RFC 3339 time ({e}); for example 2027-01-31T00:00:00Z"))
}

#[derive(Debug, Subcommand)]
enum AgentAction {
    /// Create an agent. Prints the one-time initial password on the first line (unless
    /// --password-stdin), then the otpauth:// URI when a second factor is set up.
    Add {
        #[arg(long)]
        name: String,
        /// l1, l2, l3 or admin. l3 and admin always get a second factor.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Queue to join; repeat for several.
        #[arg(long = "queue", value_name = "QUEUE")]
        queues: Vec<String>,
        /// Read the password from the first line of standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
        /// Set up a second factor even where the role does not require one.
        #[arg(long)]
        totp: bool,
    },
    /// Void an agent's password and second factor, end their sessions, and print a
    /// single-use enrolment link through which they choose new ones. For when no second
    /// admin can approve a reset in the admin pages. Audited and alerted like any reset.
    Reset { name: String },
    /// List every agent: name, role, queues and whether they can sign in.
    List,
    /// Disable an agent: their sessions end and they cannot sign in. Refused for the last
    /// active admin.
    Disable { name: String },
    /// Let a disabled agent sign in again.
    Enable { name: String },
}

#[derive(Debug, Subcommand)]
enum AuditAction {
    /// Walk the whole chain; exit non-zero and name the first broken entry if any entry was
    /// edited, removed or reordered.
    Verify,
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse()
        .map_err(|()| "expected one of l1, l2, l3, admin".to_owned())
}

#[derive(Debug, Subcommand)]
enum KeyAction {
    /// Print the public key, ASCII-armored.
    Export,
}

pub fn run(args: Args) -> ExitCode {
    init_tracing(matches!(args.command, None | Some(Command::Serve)));
    let overrides = Overrides {
        config_file: args.config,
        listen: args.listen,
        data_dir: args.data_dir,
        smtp_listen: args.smtp_listen,
        status_listen: args.status_listen,
    };
    let result = match args.command.unwrap_or(Command::Serve) {
        // Redaction needs neither configuration nor the async runtime.
        Command::Redact { rules, json, file } => redact(rules, json, file),
        Command::Serve => with_runtime(serve(overrides)),
        Command::Migrate {
            from: Some(from),
            to: Some(to),
        } => with_runtime(copy_desk(overrides, from, to)),
        Command::Migrate { .. } => with_runtime(migrate(overrides)),
        Command::CheckConfig => check_config(&overrides),
        Command::Key {
            action: KeyAction::Export,
        } => with_runtime(export_key(overrides)),
        Command::Agent {
            action:
                AgentAction::Add {
                    name,
                    role,
                    queues,
                    password_stdin,
                    totp,
                },
        } => with_runtime(add_agent(
            overrides,
            name,
            role,
            queues,
            password_stdin,
            totp,
        )),
        Command::Agent {
            action: AgentAction::Reset { name },
        } => with_runtime(reset_agent(overrides, name)),
        Command::Agent {
            action: AgentAction::List,
        } => with_runtime(list_agents(overrides)),
        Command::Agent {
            action: AgentAction::Disable { name },
        } => with_runtime(set_agent_disabled(overrides, name, true)),
        Command::Agent {
            action: AgentAction::Enable { name },
        } => with_runtime(set_agent_disabled(overrides, name, false)),
        Command::Audit {
            action: AuditAction::Verify,
        } => with_runtime(verify_audit(overrides)),
        Command::Purge { dry_run, as_of } => with_runtime(purge(overrides, dry_run, as_of)),
        Command::Hold { action } => with_runtime(hold(overrides, action)),
        Command::Compact => with_runtime(compact(overrides)),
        Command::Proofs {
            action: ProofsAction::Import { name, file },
        } => with_runtime(import_proof_tokens(overrides, name, file)),
        Command::Seed {
            tickets,
            closed_days_ago,
            workers,
        } => with_runtime(seed(overrides, tickets, workers, closed_days_ago)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("hushdesk: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn with_runtime(task: impl std::future::Future<Output = anyhow::Result<()>>) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?
        .block_on(task)
}

async fn migrate(overrides: Overrides) -> anyhow::Result<()> {
    let operator = OperatorDesk::open(&Config::load(&overrides)?).await?;
    operator.close().await;
    println!("{}", say("cli-migrated", &[]));
    Ok(())
}

/// `hushdesk migrate --from sqlite://… --to postgres://…`: prints what was copied, table by
/// table, and the verified chain. URLs are shown through `DatabaseUrl`, so without passwords.
async fn copy_desk(overrides: Overrides, from: DatabaseUrl, to: DatabaseUrl) -> anyhow::Result<()> {
    let config = Config::load(&overrides)?;
    eprintln!("copying the desk from {from} to {to}");
    let copy = OperatorDesk::copy_desk_to_postgres_as_operator(&config, &from, &to).await?;
    let mut out = std::io::stdout().lock();
    for table in &copy.tables {
        writeln!(out, "  {:<22} {:>9} rows", table.name, table.rows)?;
    }
    let rows: u64 = copy.tables.iter().map(|t| t.rows).sum();
    writeln!(
        out,
        "copied {} tables, {rows} rows, in one transaction",
        copy.tables.len()
    )?;
    writeln!(
        out,
        "audit chain intact: {} entries, head {} (the last entry records this copy)",
        copy.chain.entries, copy.chain.head
    )?;
    writeln!(
        out,
        "the desk can now run on the PostgreSQL database with the data directory {}",
        config.data_dir.display()
    )?;
    Ok(())
}

fn check_config(overrides: &Overrides) -> anyhow::Result<()> {
    let config = Config::load(overrides)?;
    let redactor = app::load_redactor(&config)?;
    if let Some(warning) = app::data_dir_warning(&config.data_dir) {
        eprintln!("warning: {warning}");
    }
    if let Some(warning) = config.scanner_warning() {
        println!("warning: {warning}");
    }
    println!(
        "configuration is valid; {} redaction rules loaded:",
        redactor.rule_count()
    );
    for rule in redactor.rules() {
        println!("  {:<24} [{}]  {}", rule.id, rule.mask, rule.description);
    }
    Ok(())
}

async fn export_key(overrides: Overrides) -> anyhow::Result<()> {
    let operator = OperatorDesk::open(&Config::load(&overrides)?).await?;
    let key = operator.helpdesk_public_key();
    operator.close().await;
    print!("{}", key?);
    Ok(())
}

async fn add_agent(
    overrides: Overrides,
    name: String,
    role: Role,
    queues: Vec<String>,
    password_stdin: bool,
    totp: bool,
) -> anyhow::Result<()> {
    let password = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        Some(line.trim_end_matches(['\r', '\n']).to_owned())
    } else {
        None
    };
    let operator = OperatorDesk::open(&Config::load(&overrides)?).await?;
    let created = operator
        .create_agent_as_operator(&name, role, password, totp, &queues)
        .await;
    operator.close().await;
    let prepared = match created {
        Ok(secrets) => secrets,
        Err(DeskError::Conflict(Conflict::AgentName)) => {
            anyhow::bail!(say("cli-agent-exists", &[("name", &name)]))
        }
        Err(DeskError::NotFound) => {
            anyhow::bail!(say("cli-no-such-queue", &[("queues", &queues.join(", "))]))
        }
        Err(other) => return Err(other.into()),
    };
    let mut stdout = std::io::stdout().lock();
    if let Some(password) = prepared.initial_password {
        writeln!(stdout, "{password}")?;
    }
    if let Some(uri) = prepared.provisioning_uri {
        writeln!(stdout, "{uri}")?;
    }
    Ok(())
}

/// Prints the enrolment link on stdout: absolute when `public_url` is configured, else the
/// path, with a note on stderr.
async fn reset_agent(overrides: Overrides, name: String) -> anyhow::Result<()> {
    let config = Config::load(&overrides)?;
    let operator = OperatorDesk::open(&config).await?;
    let link = operator.reset_agent_as_operator(&name).await;
    operator.close().await;
    let Some(link) = link? else {
        anyhow::bail!(say("cli-no-agent", &[("name", &name)]));
    };
    let mut stdout = std::io::stdout().lock();
    match &config.public_url {
        Some(base) => writeln!(stdout, "{}{}", base.trim_end_matches('/'), link.path())?,
        None => {
            writeln!(stdout, "{}", link.path())?;
            eprintln!("{}", say("cli-reset-no-public-url", &[]));
        }
    }
    eprintln!(
        "{}",
        say(
            "cli-reset-link-works",
            &[("until", &rfc3339(link.expires_at)), ("name", &name)]
        )
    );
    Ok(())
}

/// One agent a line, in columns a person reads: name, role, state, second factor, queues.
async fn list_agents(overrides: Overrides) -> anyhow::Result<()> {
    let operator = OperatorDesk::open(&Config::load(&overrides)?).await?;
    let agents = operator.agents_as_operator().await;
    operator.close().await;
    let agents = agents?;
    let [name, role, state, second, queues] = [
        "cli-list-name",
        "cli-list-role",
        "cli-list-state",
        "cli-list-second-factor",
        "cli-list-queues",
    ]
    .map(|key| say(key, &[]));
    let rows: Vec<[String; 5]> = agents
        .iter()
        .map(|agent| {
            let state = if agent.disabled {
                "cli-state-disabled"
            } else if agent.locked {
                "cli-state-locked"
            } else if agent.awaiting_enrolment {
                "cli-state-enrolling"
            } else {
                "cli-state-active"
            };
            let queues = if agent.queues.is_empty() {
                "-".to_owned()
            } else {
                agent.queues.join(", ")
            };
            let second = if agent.has_second_factor {
                "cli-yes"
            } else {
                "cli-no"
            };
            [
                agent.name.to_string(),
                agent.role.id().to_owned(),
                say(state, &[]),
                say(second, &[]),
                queues,
            ]
        })
        .collect();
    let header = [name, role, state, second, queues];
    // Columns as wide as their widest cell, counted in characters (Cyrillic is two bytes).
    let widths: Vec<usize> = (0..4)
        .map(|column| {
            std::iter::once(&header)
                .chain(&rows)
                .map(|row| row[column].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut stdout = std::io::stdout().lock();
    for row in std::iter::once(&header).chain(&rows) {
        writeln!(
            stdout,
            "{:w0$}  {:w1$}  {:w2$}  {:w3$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
        )?;
    }
    Ok(())
}

async fn set_agent_disabled(
    overrides: Overrides,
    name: String,
    disabled: bool,
) -> anyhow::Result<()> {
    let operator = OperatorDesk::open(&Config::load(&overrides)?).await?;
    let changed = operator
        .set_agent_disabled_as_operator(&name, disabled)
        .await;
    operator.close().await;
    match changed {
        Ok(()) if disabled => println!("{}", say("cli-agent-disabled", &[("name", &name)])),
        Ok(()) => println!("{}", say("cli-agent-enabled", &[("name", &name)])),
        Err(DeskError::NotFound) => anyhow::bail!(say("cli-no-agent", &[("name", &name)])),
        Err(DeskError::Conflict(Conflict::LastAdmin)) => {
            anyhow::bail!(say("cli-last-admin", &[("name", &name)]))
        }
        Err(other) => return Err(other.into()),
    }
    Ok(())
}

async fn compact(overrides: Overrides) -> anyhow::Result<()> {
    let operator = OperatorDesk::open(&Config::load(&overrides)?).await?;
    let result = operator.compact_content().await;
    operator.close().await;
    let skipped = result?;
    for note in &skipped {
        eprintln!("warning: not run, {note}");
    }
    println!(
        "content tables compacted{}",
        if skipped.is_empty() {
            ""
        } else {
            " (old write-ahead log segments may still hold purged rows: see the warnings)"
        }
    );
    Ok(())
}

async fn seed(
    overrides: Overrides,
    tickets: usize,
    workers: usize,
    closed_days_ago: Option<i64>,
) -> anyhow::Result<()> {
    let mut config = Config::load(&overrides)?;
    // Made-up tickets that nobody was told were stored: not worth waiting for the disk.
    config.durability = crate::domain::Durability::Normal;
    let operator = OperatorDesk::open(&config).await?;
    let started = std::time::Instant::now();
    let result = operator
        .seed_for_benchmark(tickets, workers, closed_days_ago)
        .await;
    operator.close().await;
    let filed = result?;
    println!(
        "seeded {filed} tickets in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn purge(overrides: Overrides, dry_run: bool, as_of: Option<i64>) -> anyhow::Result<()> {
    let config = Config::load(&overrides)?;
    let batch = config.retention.batch;
    let operator = OperatorDesk::open(&config).await?;
    let as_of = as_of.unwrap_or_else(now_unix);
    let result = async {
        let mut out = std::io::stdout().lock();
        if dry_run {
            let (expired, attachments) = operator.expired(as_of).await?;
            for ticket in &expired {
                writeln!(
                    out,
                    "would purge {} ({}, closed {})",
                    ticket.reference,
                    ticket.reason.id(),
                    rfc3339(ticket.closed_at)
                )?;
            }
            writeln!(
                out,
                "{}",
                say(
                    "cli-purge-dry-run",
                    &[
                        ("as_of", &rfc3339(as_of)),
                        ("tickets", &expired.len().to_string()),
                        ("attachments", &attachments.to_string())
                    ]
                )
            )?;
        } else {
            let report = operator.purge(as_of, batch).await?;
            for ticket in &report.purged {
                writeln!(out, "purged {} ({})", ticket.reference, ticket.reason.id())?;
            }
            writeln!(
                out,
                "{}",
                say(
                    "cli-purged",
                    &[
                        ("tickets", &report.purged.len().to_string()),
                        ("attachments", &report.attachments_shredded.to_string()),
                        ("as_of", &rfc3339(as_of))
                    ]
                )
            )?;
        }
        anyhow::Ok(())
    }
    .await;
    operator.close().await;
    result
}

async fn hold(overrides: Overrides, action: HoldAction) -> anyhow::Result<()> {
    let operator = OperatorDesk::open(&Config::load(&overrides)?).await?;
    let result = match &action {
        HoldAction::Add { reference, reason } => operator.place_hold(reference, reason).await,
        HoldAction::Release { reference } => operator.release_hold(reference).await,
    };
    operator.close().await;
    match (result, action) {
        (Ok(()), HoldAction::Add { reference, .. }) => {
            println!("{}", say("cli-hold-placed", &[("reference", &reference)]))
        }
        (Ok(()), HoldAction::Release { reference }) => {
            println!("{}", say("cli-hold-released", &[("reference", &reference)]))
        }
        (Err(DeskError::Invalid(errors)), _) => {
            let why: Vec<String> = errors.iter().map(ToString::to_string).collect();
            anyhow::bail!("--reason: {}", why.join("; "))
        }
        (Err(DeskError::NotFound), HoldAction::Add { reference, .. })
        | (Err(DeskError::NotFound), HoldAction::Release { reference }) => {
            anyhow::bail!(say("cli-hold-no-ticket", &[("reference", &reference)]))
        }
        (Err(other), _) => return Err(other.into()),
    }
    Ok(())
}

async fn import_proof_tokens(
    overrides: Overrides,
    name: String,
    file: Option<PathBuf>,
) -> anyhow::Result<()> {
    let tokens = match &file {
        Some(path) => {
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?
        }
        None => std::io::read_to_string(std::io::stdin()).context("reading standard input")?,
    };
    let operator = OperatorDesk::open(&Config::load(&overrides)?).await?;
    let result = operator.import_proof_tokens(&name, &tokens).await;
    operator.close().await;
    match result {
        Ok(done) => println!(
            "{}",
            say(
                "cli-proofs-imported",
                &[
                    ("name", &name),
                    ("count", &done.stored.to_string()),
                    ("duplicates", &done.duplicates.to_string()),
                ],
            )
        ),
        Err(DeskError::Conflict(Conflict::TokenListName)) => {
            anyhow::bail!(say("cli-proofs-name-taken", &[("name", &name)]))
        }
        Err(other) => return Err(other.into()),
    }
    Ok(())
}

fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

async fn verify_audit(overrides: Overrides) -> anyhow::Result<()> {
    let operator = OperatorDesk::open(&Config::load(&overrides)?).await?;
    let report = operator.verify_audit_chain().await;
    operator.close().await;
    let report = report?;
    match report.first_break {
        None => {
            println!(
                "{}",
                say(
                    "cli-audit-intact",
                    &[
                        ("entries", &report.entries.to_string()),
                        ("head", &report.head.to_string())
                    ]
                )
            );
            Ok(())
        }
        Some(broken) => anyhow::bail!(say(
            "cli-audit-broken",
            &[
                ("seq", &broken.seq.to_string()),
                ("reason", broken.reason),
                ("entries", &report.entries.to_string())
            ]
        )),
    }
}

async fn serve(overrides: Overrides) -> anyhow::Result<()> {
    let config = Config::load(&overrides)?;
    let listen = config.listen;
    let state = app::AppState::build(config).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let smtp = if state.config.mail.enabled {
        let address = state.config.smtp_listen;
        Some(
            tokio::net::TcpListener::bind(address)
                .await
                .with_context(|| format!("listening for mail on {address}"))?,
        )
    } else {
        None
    };
    let status = match state.config.status_listen {
        Some(address) => Some(
            tokio::net::TcpListener::bind(address)
                .await
                .with_context(|| format!("listening for the status page on {address}"))?,
        ),
        None => None,
    };
    tracing::info!(address = %listener.local_addr()?, "hushdesk is listening");
    app::serve_all(listener, smtp, status, state, app::shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

fn redact(rules: Option<PathBuf>, json: bool, file: Option<PathBuf>) -> anyhow::Result<()> {
    let redactor = match rules {
        Some(dir) => Redactor::from_dir(&dir)?,
        None => Redactor::builtin()?,
    };
    let mut input = Vec::new();
    match &file {
        Some(path) => {
            input = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?
        }
        None => {
            std::io::stdin()
                .read_to_end(&mut input)
                .context("reading standard input")?;
        }
    }
    let text = String::from_utf8(input).context("the input is not valid UTF-8")?;
    // One book for the whole input: numbering is stable within it, and the key is thrown away.
    let mut book = MaskBook::new(MaskKey::from_bytes(crate::desk::os_random()?), Vec::new());
    let redacted = redactor.redact(&text, &mut book);
    let mut stdout = std::io::stdout().lock();
    if json {
        let findings: Vec<_> = redactor
            .find(&text)
            .into_iter()
            .map(|f| serde_json::json!({ "rule": &*f.rule, "start": f.start, "end": f.end }))
            .collect();
        serde_json::to_writer(
            &mut stdout,
            &serde_json::json!({ "text": redacted.as_str(), "findings": findings }),
        )?;
        writeln!(stdout)?;
    } else {
        stdout.write_all(redacted.as_str().as_bytes())?;
    }
    Ok(())
}

fn init_tracing(serving: bool) {
    let default = if serving {
        "hushdesk=info,warn"
    } else {
        "warn"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let filter = match "sqlx_postgres::options=off".parse() {
        Ok(directive) => filter.add_directive(directive),
        Err(_) => filter,
    };
    let _ = tracing_subscriber::fmt()
        // sqlx warns about a connect parameter it does not know with the parameter's value,
        // which may be a secret (`sslpassword=…` in a database URL): off even under RUST_LOG.
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// The language of messages for people: the locale's (`LC_ALL`, else `LC_MESSAGES`, else
/// `LANG`, the first one set): Russian for `ru…`, else English.
fn cli_lang() -> Lang {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.is_empty())
        .unwrap_or_default();
    if locale.to_ascii_lowercase().starts_with("ru") {
        Lang::Ru
    } else {
        Lang::En
    }
}

/// The catalogue's text for `key` in the operator's language.
fn say(key: &str, args: &[(&str, &str)]) -> String {
    let args: Vec<(&str, FluentValue<'_>)> = args
        .iter()
        .map(|(name, value)| (*name, FluentValue::from(*value)))
        .collect();
    cli_lang().text_with(key, &args)
}
