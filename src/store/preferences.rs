//! What an agent chose for their own pages: language and time zone. Not audited: it changes
//! only how the agent's own pages read, never what anyone can see.

use super::engine::query;
use super::scope::AgentScope;
use super::{Store, StoreError};
use crate::i18n::Lang;

impl Store {
    /// Saves the agent's language and time zone (`None`: follow the browser, the desk's zone).
    pub async fn save_preferences(
        &self,
        scope: &AgentScope,
        language: Option<Lang>,
        time_zone: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        query("update agents set language = $2, time_zone = $3 where id = $1")
            .bind(scope.agent_id)
            .bind(language.map(Lang::code))
            .bind(time_zone)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
