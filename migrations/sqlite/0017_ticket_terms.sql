-- The search index: the terms (folded, stemmed words of redacted subjects and bodies, and
-- each ticket's reference) a ticket is found by. Computed in Rust (src/domain/search.rs) so
-- both engines match alike; a search reads a range of terms instead of every body. Rows go
-- with their ticket (purge, deletion).
create table ticket_terms (
    ticket_id integer not null references tickets(id) on delete cascade,
    term text not null,
    primary key (term, ticket_id)
) without rowid;

-- Deleting a ticket, and finding tickets not yet indexed, without scanning every term.
create index ticket_terms_by_ticket on ticket_terms(ticket_id);
