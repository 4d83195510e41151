-- PostgreSQL twin of migrations/sqlite/0017_ticket_terms.sql.
-- The search index: the terms (folded, stemmed words of redacted subjects and bodies, and
-- each ticket's reference) a ticket is found by. Computed in Rust (src/domain/search.rs) so
-- both engines match alike; a search reads a range of terms instead of every body. Rows go
-- with their ticket (purge, deletion).
-- `collate "C"`: terms compare by code point, as SQLite compares them, so a prefix is one
-- range of the primary key whatever the database's locale.
create table ticket_terms (
    ticket_id bigint not null references tickets(id) on delete cascade,
    term text collate "C" not null,
    primary key (term, ticket_id)
);

-- Deleting a ticket, and finding tickets not yet indexed, without scanning every term.
create index ticket_terms_by_ticket on ticket_terms(ticket_id);
