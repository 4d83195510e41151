-- Signatures already accepted on a ticket, so a captured signed mail sent again earns
-- neither the `verified` badge nor entry through the pinned key. Only a keyed digest is kept
-- (the key lives outside the database), so a database reader cannot confirm that a given
-- mail was ever sent here. Purged with the ticket.
create table seen_signatures (
    ticket_id  integer not null references tickets(id) on delete cascade,
    digest     blob    not null,
    primary key (ticket_id, digest)
) without rowid;
