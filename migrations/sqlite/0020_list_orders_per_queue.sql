-- The agent list's orders again, each led by the queue: a page is found queue by queue (one
-- index seek and a short walk in each of the agent's queues, merged), so an agent whose
-- queues sort after everyone else's (a general queue behind a million security tickets in SLA
-- order) does not walk past tickets it cannot see. The expressions must stay textually the
-- same as the list's (src/store/paging.rs).
create index tickets_by_queue_urgency on tickets (queue_id, (case when status in ('resolved', 'closed') then 9223372036854775807
    when first_response_at is null and first_response_due is not null then first_response_due
    else coalesce(resolution_due, 9223372036854775807) end), id);
create index tickets_by_queue_priority on tickets (queue_id, (case priority when 'P1' then 1 when 'P2' then 2 when 'P3' then 3 else 4 end), id);
create index tickets_by_queue_updated on tickets (queue_id, updated_at, id);
create index tickets_by_queue_created on tickets (queue_id, created_at, id);
