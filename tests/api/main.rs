//! Black-box tests: each starts the real server (or the real binary) on a random port with a
//! fresh data directory and speaks HTTP to it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../corpus/mod.rs"]
mod corpus;
mod crowds;
mod csat;

mod admin_desk;
mod agent_list;
mod agent_workflow;
mod agents;
mod attachment_downloads;
mod audit;
mod audit_failures;
mod authz_matrix;
mod bad_input;
mod binary;
mod bounds;
mod browser;
mod browser_attachments;
mod browser_checks;
mod browser_journeys;
mod browser_kb;
mod browser_ratings;
mod browser_status;
mod business_hours;
mod clamd;
mod desk;
mod doors;
mod engine;
mod enrolment;
mod group_audit;
mod group_filing;
mod hardening;
mod headers;
mod kb;
mod languages;
mod lead_metrics;
mod look;
mod mail;
mod mail_sink;
mod mail_support;
mod mail_trust;
mod outbox;
mod pg_migrate;
mod postgres;
mod preview;
mod privacy;
mod proof_codes;
mod proofs;
mod public_portal;
mod purge_load;
mod rate_limit;
mod redaction_quality;
mod redaction_shapes_numeric;
mod redaction_shapes_text;
mod retention;
mod search;
mod shared_rate;
mod smtp_hardening;
mod staff_words;
mod status_page;
mod support;
#[path = "../pg/throwaway.rs"]
#[allow(dead_code)]
mod throwaway;
mod web_attachments;
