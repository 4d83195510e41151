-- PostgreSQL twin of migrations/sqlite/0018_list_orders.sql.
-- The agent list's orders (src/store/paging.rs), each an index on the same expression the
-- list sorts by, followed by the id, so that a page is an index seek and a short walk at any
-- desk size. The expressions must stay textually the same as the list's.
create index tickets_by_urgency on tickets ((case when status in ('resolved', 'closed') then 9223372036854775807
    when first_response_at is null and first_response_due is not null then first_response_due
    else coalesce(resolution_due, 9223372036854775807) end), id);
create index tickets_by_priority on tickets ((case priority when 'P1' then 1 when 'P2' then 2 when 'P3' then 3 else 4 end), id);
create index tickets_by_created on tickets (created_at, id);
