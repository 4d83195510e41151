-- Spam takes two agents. The first mark closes the ticket and hides it from lists, but the
-- normal closed retention still applies and queue owners can restore it; only a second,
-- different agent's confirmation gives it the short spam retention. Tickets marked before
-- this migration have no marker recorded and so keep the normal retention.
-- PostgreSQL twin of migrations/sqlite/0008_spam_review_and_sightings.sql.
alter table tickets add column spam_marked_by bigint references agents(id);
alter table tickets add column spam_marked_at bigint;
alter table tickets add column spam_confirmed_by bigint references agents(id);
alter table tickets add column spam_confirmed_at bigint;

-- Tickets each agent was shown in the last hour (opened, or a row of a list or search), for
-- the hourly-volume alert. A working set pruned as it is written: the audit log is the record.
-- (SQLite keeps it `without rowid`; a PostgreSQL heap with its primary-key index is the
-- nearest equivalent, and the one index is still the only one.)
create table ticket_sightings (
    agent_id   bigint  not null references agents(id) on delete cascade,
    ticket_id  bigint  not null references tickets(id) on delete cascade,
    seen_at    bigint  not null,
    primary key (agent_id, ticket_id)
);
