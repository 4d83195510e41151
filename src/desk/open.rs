//! Opening the desk from a configuration: data directory, keys, database, rules.

use std::os::unix::fs::DirBuilderExt;
use std::sync::Arc;

use anyhow::Context;

use super::{Desk, Outgoing, SystemDesk};
use crate::config::Config;
use crate::crypto::Keyring;
use crate::redact::{AllowEntry, Redactor};
use crate::store::{AuditKey, SlaTargets, Store};

impl Desk {
    /// Opens (creating on first start) the data directory, keys, database and rules.
    pub async fn open(config: &Config) -> anyhow::Result<Desk> {
        create_private_dir(&config.data_dir)?;
        if let Some(warning) = data_dir_warning(&config.data_dir) {
            tracing::warn!("{warning}");
        }
        let redactor = load_redactor(config)?;
        let keyring = Keyring::open_or_create(&config.keys_dir(), &config.support_address)
            .context("opening the server keys")?
            .with_opened_limit(config.mail.decrypted_limit() as u64);
        let store = Store::open(
            &config.database_url,
            AuditKey(keyring.audit_key()),
            config.durability,
        )
        .await?;
        let desk = Desk {
            store,
            redactor: Arc::new(redactor),
            keyring: Arc::new(keyring),
            sla: sla_targets(config),
            outgoing: Arc::new(Outgoing {
                sender: crate::outbound::Sender {
                    address: config.support_address.clone(),
                    name: "Support".into(),
                },
                support: crate::domain::SupportAddress::parse(&config.support_address)?,
                public_url: config.public_url.clone(),
            }),
            trusted_authserv_id: config.mail.trusted_authserv_id.as_deref().map(Arc::from),
            policy: Arc::new(config.agents.clone()),
            metrics_token: config.metrics_token.clone().map(Arc::new),
            code_hook: super::codes::code_hook(config)?,
            kb: Arc::default(),
            screening: super::screen::Screening::new(config),
            status_cache: Default::default(),
        };
        desk.load_allowlist().await?;
        Ok(desk)
    }

    /// Opens the desk as `open` does, together with the scheduler's door on it. The only way
    /// to get a `SystemDesk`: the server's wiring keeps it for the jobs and hands the web
    /// adapters the desk alone.
    ///
    /// A server refuses to start when its audit key did not sign the newest audit entry:
    /// with several instances on one database, one started with other `keys/` would break
    /// the chain at its first write, and the break would look like tampering.
    pub async fn open_with_scheduler(config: &Config) -> anyhow::Result<(Desk, SystemDesk)> {
        let desk = Desk::open(config).await?;
        if !desk.store.audit_key_signs_the_chain().await? {
            anyhow::bail!(
                "the keys in {} did not sign this database's audit chain: this instance has \
                 other keys than the desk (copy keys/ from an instance of this desk), or the \
                 newest audit entry was edited (run `hushdesk audit verify`)",
                config.keys_dir().display()
            );
        }
        // Said by the server only: the command line's other doors take no files.
        if let Some(warning) = config.scanner_warning() {
            tracing::warn!("{warning}");
        }
        let system = SystemDesk { desk: desk.clone() };
        Ok((desk, system))
    }
}

/// The SLA targets in seconds.
fn sla_targets(config: &Config) -> SlaTargets {
    let seconds = |hours: [u32; 4]| hours.map(|h| i64::from(h) * 3600);
    SlaTargets {
        first_response: seconds(config.sla.first_response_hours),
        resolution: seconds(config.sla.resolution_hours),
        warning: i64::from(config.sla.warning_minutes) * 60,
    }
}

/// Creates the data directory owner-only on first start; an existing one is left as the
/// operator set it up.
fn create_private_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    if dir.exists() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("creating data directory {}", dir.display()))
}

/// A warning when other users of the machine can list or enter the data directory. The
/// files in it are created owner-only, but the directory is the operator's to close.
pub fn data_dir_warning(dir: &std::path::Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir).ok()?.permissions().mode() & 0o777;
    (mode & 0o007 != 0).then(|| {
        format!(
            "the data directory {} is open to other users (mode {mode:04o}); run `chmod 700 {}`",
            dir.display(),
            dir.display()
        )
    })
}

/// The configured rule directory, or the built-in rules, with the configuration file's
/// allowlist. A broken set, or an allowlist entry the rules refuse, stops start-up.
pub fn load_redactor(config: &Config) -> anyhow::Result<Redactor> {
    let redactor = match &config.redaction_rules {
        Some(dir) => Redactor::from_dir(dir).context("loading redaction rules")?,
        None => Redactor::builtin().context("loading built-in redaction rules")?,
    };
    let allowed = config
        .redaction
        .allow
        .iter()
        .map(|value| {
            AllowEntry::parse(&redactor, value)
                .with_context(|| format!("redaction.allow entry {value:?}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    redactor.allowlist().set_configured(allowed);
    Ok(redactor)
}
