-- Single-use download links for sealed attachments. Only a keyed hash of the link's token is
-- stored; the link is bound to the agent who asked for it, the attachment and its ticket, and
-- goes when any of them goes (purge takes it with the ticket or the shredded attachment).
create table attachment_links (
    token_hash    blob    primary key,
    agent_id      integer not null references agents(id) on delete cascade,
    ticket_id     integer not null references tickets(id) on delete cascade,
    attachment_id integer not null references attachments(id) on delete cascade,
    created_at    integer not null,
    expires_at    integer not null,
    -- set once, by the one download the link allows
    used_at       integer
);
create index attachment_links_by_ticket on attachment_links(ticket_id);
create index attachment_links_by_attachment on attachment_links(attachment_id);
create index attachment_links_by_agent on attachment_links(agent_id);
