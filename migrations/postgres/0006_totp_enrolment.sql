-- A second factor an agent is setting up: sealed like the active one, until confirmed.
-- PostgreSQL twin of migrations/sqlite/0006_totp_enrolment.sql.
alter table agents add column totp_pending_sealed bytea;
