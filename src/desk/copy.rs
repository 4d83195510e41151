//! The operator's copy of a whole desk from SQLite to PostgreSQL (`hushdesk migrate --from
//! … --to …`). It needs one thing of the desk's keys: the audit chain's key, to verify the
//! copied chain before it is committed. Nothing sealed is opened and nothing is re-sealed.

use anyhow::Context;

use super::OperatorDesk;
use crate::config::{Config, DatabaseUrl};
use crate::crypto::Keyring;
use crate::store::{AuditKey, CopyUrls, DeskCopy, copy_sqlite_to_postgres};

impl OperatorDesk {
    /// Copies the desk whose SQLite database is `from` (opened read-only; the desk must be
    /// stopped) into the empty PostgreSQL database `to`, in one transaction, with the keys
    /// in the configured data directory: the same directory the desk then runs with.
    pub async fn copy_desk_to_postgres_as_operator(
        config: &Config,
        from: &DatabaseUrl,
        to: &DatabaseUrl,
    ) -> anyhow::Result<DeskCopy> {
        let urls = CopyUrls::parse(from, to)?;
        let keys = config.keys_dir();
        // Keys made up now would not verify the copied chain: refuse rather than create.
        if !keys.is_dir() {
            anyhow::bail!(
                "no server keys in {}: run the copy with the desk's own data directory \
                 (--data-dir or HUSHDESK_DATA_DIR), whose keys verify its audit chain",
                keys.display()
            );
        }
        let keyring = Keyring::open_or_create(&keys, &config.support_address)
            .context("opening the server keys")?;
        Ok(copy_sqlite_to_postgres(urls, &AuditKey(keyring.audit_key())).await?)
    }
}
