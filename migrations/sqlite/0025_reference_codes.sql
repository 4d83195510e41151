-- A reference is found without its prefix too (`9MKRQQRT` as well as `HD-9MKRQQRT`): new
-- tickets index the code alone (src/domain/search.rs, `reference_terms`); the tickets already
-- filed get the same term here. `where true` tells SQLite's parser the `on conflict` belongs
-- to the insert.
insert into ticket_terms (ticket_id, term)
select id, lower(substr(reference, 4)) from tickets where reference like 'HD-%' and true
on conflict do nothing;
