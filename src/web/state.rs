//! What every request handler may use: the desk's public front and the configuration.

use std::sync::Arc;

use crate::config::Config;
use crate::desk::Desk;

#[derive(Clone)]
pub struct WebState {
    pub desk: Desk,
    pub config: Arc<Config>,
    pub helpdesk_fingerprint: Arc<str>,
    pub helpdesk_public_key: Arc<str>,
    /// Keys the rate limiter's hash of client networks. Fresh per process and never written
    /// anywhere, so the limiter's state means nothing outside this run.
    pub network_key: [u8; 32],
}

impl WebState {
    pub fn new(desk: Desk, config: Arc<Config>) -> anyhow::Result<Self> {
        Ok(WebState {
            helpdesk_fingerprint: desk.helpdesk_fingerprint().into(),
            helpdesk_public_key: desk.helpdesk_public_key()?.into(),
            network_key: crate::desk::os_random()?,
            desk,
            config,
        })
    }
}
