-- Agents, queues, tiers, SLA timers and the audit chain.
-- Agent-written text (replies, notes, escalation reasons, canned responses, break-glass
-- justifications) is redacted like everything else before it reaches these tables.

create table agents (
    id                    integer primary key,
    name                  text    not null unique,
    role                  text    not null check (role in ('l1', 'l2', 'l3', 'admin')),
    -- the tier the role works at: l1 = 1, l2 = 2, l3 and admin = 3
    tier                  integer not null check (tier between 1 and 3),
    password_hash         text    not null,
    -- the TOTP secret, sealed to the server identity; null when no second factor is set up
    totp_sealed           blob,
    -- the last TOTP time step accepted, so a code cannot be replayed
    totp_last_step        integer not null default 0,
    must_change_password  integer not null default 0,
    failed_logins         integer not null default 0,
    locked_until          integer,
    disabled              integer not null default 0,
    created_at            integer not null
);

-- Cookie sessions and API bearer tokens; only a keyed hash of the token is stored.
create table sessions (
    token_hash   blob    primary key,
    agent_id     integer not null references agents(id) on delete cascade,
    kind         text    not null check (kind in ('cookie', 'bearer')),
    created_at   integer not null,
    last_seen_at integer not null,
    expires_at   integer not null
);
create index sessions_by_agent on sessions(agent_id);

create table queues (
    id                  integer primary key,
    name                text    not null unique,
    -- restricted (VIP / sensitive): only members learn that the queue exists
    restricted          integer not null default 0,
    require_encryption  integer not null default 0,
    created_at          integer not null
);

create table queue_members (
    queue_id  integer not null references queues(id) on delete cascade,
    agent_id  integer not null references agents(id) on delete cascade,
    is_owner  integer not null default 0,
    primary key (queue_id, agent_id)
);
create index queue_members_by_agent on queue_members(agent_id);

-- Which queue a category lands in; a category with no rule goes to `general`.
create table routing_rules (
    category  text    primary key,
    queue_id  integer not null references queues(id) on delete cascade
);

create table canned_responses (
    id        integer primary key,
    queue_id  integer not null references queues(id) on delete cascade,
    title     text    not null,
    body      text    not null,
    unique (queue_id, title)
);

insert into queues (name, restricted, created_at) values
    ('general', 0, 0), ('billing', 0, 0), ('security', 0, 0), ('vip', 1, 0);
insert into routing_rules (category, queue_id)
    select 'security', id from queues where name = 'security';
insert into routing_rules (category, queue_id)
    select 'billing', id from queues where name = 'billing';

alter table tickets add column queue_id integer references queues(id);
alter table tickets add column tier integer not null default 1;
alter table tickets add column priority text not null default 'P3';
alter table tickets add column assignee_id integer references agents(id) on delete set null;
alter table tickets add column first_response_at integer;
alter table tickets add column first_response_due integer;
alter table tickets add column resolution_due integer;
-- bit 1: first-response target missed; bit 2: resolution target missed
alter table tickets add column sla_breaches integer not null default 0;
alter table tickets add column reopen_count integer not null default 0;
alter table tickets add column pending_since integer;
alter table tickets add column auto_closed integer not null default 0;

update tickets set queue_id = coalesce(
    (select r.queue_id from routing_rules r where r.category = tickets.category),
    (select id from queues where name = 'general'));
create index tickets_by_queue on tickets(queue_id, tier, status);

alter table messages add column internal integer not null default 0;
alter table messages add column agent_id integer references agents(id) on delete set null;
alter table messages add column encrypted integer not null default 0;
alter table messages add column signature text not null default 'none';
-- set on messages that record an event (escalation, automatic closing); fixed text only
alter table messages add column event text;

-- An audited, short-lived exception to an agent's scope, for one ticket.
create table break_glass (
    id             integer primary key,
    agent_id       integer not null references agents(id) on delete cascade,
    ticket_id      integer not null references tickets(id) on delete cascade,
    justification  text    not null,
    created_at     integer not null,
    expires_at     integer not null
);
create index break_glass_by_agent on break_glass(agent_id, ticket_id);

-- Append-only, keyed hash chain. Entries name who, what and which reference; never content.
create table audit_log (
    seq        integer primary key,
    at         integer not null,
    agent_id   integer,
    actor      text    not null,
    action     text    not null,
    reference  text,
    detail     text    not null default '',
    prev_hash  blob    not null,
    hash       blob    not null
);
create index audit_by_agent_action on audit_log(agent_id, action, at);

-- Alerts. Admins see all of them; a queue's owners or members also see those about it.
create table alerts (
    id            integer primary key,
    at            integer not null,
    kind          text    not null,
    audience      text    not null check (audience in ('admins', 'queue_owners', 'queue_members')),
    queue_id      integer references queues(id) on delete cascade,
    agent_name    text,
    reference     text,
    detail        text    not null default '',
    acknowledged  integer not null default 0
);
create index alerts_recent on alerts(acknowledged, at);

alter table tombstones add column queue text;
