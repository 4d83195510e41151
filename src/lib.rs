//! hushdesk: a self-hosted helpdesk that redacts before it stores.
//!
//! Dependency rule (one door per actor; `tests/api/doors.rs` checks it over the `use` lines):
//! `main → cli → app → {web, mail, jobs}`; `web, mail, jobs, cli → desk` (and `domain`,
//! `config`); `desk → {store, redact, crypto, auth, outbound, domain, config, proof}`;
//! `store → {redact (the type only), crypto (sealed bytes only), domain}`;
//! `outbound → {crypto, domain}`; `config → domain`; `domain` depends on nothing of ours;
//! `proof` (wallet signature checks) neither, and only `desk` uses it.
//! Nothing imports `web` but `app`. Two adapters reach past the desk, each for one named
//! reason: `mail → crypto` (opening OpenPGP mail with the keyring the desk lends to mail
//! intake only) and `cli → redact` (the stateless `hushdesk redact` and `check-config`).
//! `store` and `auth` are private to the crate: outside it, the doors of `desk` are the
//! only way to the data.
#![forbid(unsafe_code)]

pub mod app;
mod auth;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod desk;
pub mod domain;
pub mod i18n;
pub mod jobs;
pub mod mail;
pub mod outbound;
pub mod proof;
pub mod redact;
mod store;
pub mod web;
