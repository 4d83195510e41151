-- A reference is found without its prefix too.
-- PostgreSQL twin of migrations/sqlite/0025_reference_codes.sql.
insert into ticket_terms (ticket_id, term)
select id, lower(substr(reference, 4)) from tickets where reference like 'HD-%'
on conflict do nothing;
