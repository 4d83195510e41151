-- Signatures already accepted on a ticket, so a captured signed mail sent again earns
-- neither the `verified` badge nor entry through the pinned key. Only a keyed digest is kept
-- (the key lives outside the database), so a database reader cannot confirm that a given
-- mail was ever sent here. Purged with the ticket.
-- PostgreSQL twin of migrations/sqlite/0010_seen_signatures.sql (`without rowid` dropped).
create table seen_signatures (
    ticket_id  bigint  not null references tickets(id) on delete cascade,
    digest     bytea   not null,
    primary key (ticket_id, digest)
);
