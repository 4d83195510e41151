//! hushdesk: a self-hosted helpdesk that redacts before it stores.
//!
//! Dependency rule: `main → cli → app → {web, jobs}`; `web → {access, intake, auth, redact,
//! store, domain}`; `access, jobs → {intake, auth, store}`;
//! `intake → {redact, crypto, auth, store, domain}`; `store → {redact (the type only), crypto
//! (sealed bytes only), domain}`; `domain` depends on nothing of ours. Nothing imports `web`.
#![forbid(unsafe_code)]

pub mod access;
pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod intake;
pub mod jobs;
pub mod mail;
pub mod outbound;
pub mod redact;
pub mod store;
pub mod web;
