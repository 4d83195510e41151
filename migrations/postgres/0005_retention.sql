-- Retention: policies, legal holds, spam marking, and what tombstones keep for metrics.
-- PostgreSQL twin of migrations/sqlite/0005_retention.sql.

-- Days a closed ticket is kept. `scope` is 'default', 'spam', 'attachments' (sealed binary
-- attachments, counted from upload), 'queue:<name>' or 'category:<id>'.
create table retention_policies (
    scope  text    primary key,
    days   bigint  not null check (days between 1 and 36500)
);
insert into retention_policies (scope, days) values ('default', 30), ('spam', 2), ('attachments', 7);

-- A held ticket is never purged and cannot be deleted until the hold is released.
create table legal_holds (
    ticket_id  bigint  primary key references tickets(id) on delete cascade,
    reason     text    not null,
    placed_by  text    not null,
    placed_at  bigint  not null
);

alter table tickets add column spam bigint not null default 0;

alter table tombstones add column closed_at bigint;
-- findings masked over the ticket's life, for the redactions-per-ticket metric
alter table tombstones add column redactions bigint not null default 0;
create index tombstones_by_deleted on tombstones(deleted_at);
