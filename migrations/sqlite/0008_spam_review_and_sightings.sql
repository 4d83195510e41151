-- Spam takes two agents. The first mark closes the ticket and hides it from lists, but the
-- normal closed retention still applies and queue owners can restore it; only a second,
-- different agent's confirmation gives it the short spam retention. Tickets marked before
-- this migration have no marker recorded and so keep the normal retention.
alter table tickets add column spam_marked_by integer references agents(id);
alter table tickets add column spam_marked_at integer;
alter table tickets add column spam_confirmed_by integer references agents(id);
alter table tickets add column spam_confirmed_at integer;

-- Tickets each agent was shown in the last hour (opened, or a row of a list or search), for
-- the hourly-volume alert. A working set pruned as it is written: the audit log is the record.
create table ticket_sightings (
    agent_id   integer not null references agents(id) on delete cascade,
    ticket_id  integer not null references tickets(id) on delete cascade,
    seen_at    integer not null,
    primary key (agent_id, ticket_id)
) without rowid;
-- One b-tree and no second index: a list of 500 rows rewrites 500 entries, not 1000 or more.
