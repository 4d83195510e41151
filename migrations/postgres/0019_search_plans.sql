-- PostgreSQL twin of migrations/sqlite/0019_search_plans.sql.
-- A search for a common word walks the list's order and asks, ticket by ticket, whether it
-- holds a term of each searched range: a seek on (ticket_id, term), where the old index on
-- ticket_id alone read every term of the ticket.
drop index ticket_terms_by_ticket;
create index ticket_terms_by_ticket on ticket_terms(ticket_id, term);

-- One-time work done on a desk, by name, so that it is not looked for again at every start.
-- `ticket_terms`: every ticket filed before the term index (0017) has been indexed.
create table index_backfills (
    name text primary key,
    finished_at bigint not null
);
