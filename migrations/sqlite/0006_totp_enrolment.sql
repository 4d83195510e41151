-- A second factor an agent is setting up: sealed like the active one, until confirmed.
alter table agents add column totp_pending_sealed blob;
