-- The public status page: components and their state, incidents with their updates, and
-- who besides admins may post them. Every update keeps the clear-signed text as it was
-- signed, so a later key rotation leaves published notices verifiable as they were sent.
-- Identities are never handed out twice (`autoincrement`), so an incident or update named
-- in the audit log or a mailed notice never comes to mean another.
create table status_components (
    id          integer primary key autoincrement,
    name        text    not null unique,
    state       text    not null check (state in ('operational', 'degraded', 'partial_outage', 'major_outage', 'maintenance')),
    updated_at  integer not null
);
create table incidents (
    id           integer primary key autoincrement,
    title        text    not null,
    opened_at    integer not null,
    opened_by    text    not null,
    resolved_at  integer,
    postmortem   text
);
create table incident_components (
    incident_id   integer not null references incidents(id) on delete cascade,
    component_id  integer not null references status_components(id) on delete cascade,
    primary key (incident_id, component_id)
) without rowid;
create index incident_components_by_component on incident_components (component_id);
-- The ticket categories an incident touches: whose requesters a notice may be mailed to.
create table incident_categories (
    incident_id  integer not null references incidents(id) on delete cascade,
    category     text    not null,
    primary key (incident_id, category)
) without rowid;
-- `form_key` is the posting form's one-time key: the same form sent twice posts (and
-- mails) once.
create table incident_updates (
    id           integer primary key autoincrement,
    incident_id  integer not null references incidents(id) on delete cascade,
    number       integer not null,
    state        text    not null check (state in ('investigating', 'identified', 'monitoring', 'resolved')),
    body         text    not null,
    signed       text    not null,
    posted_at    integer not null,
    posted_by    text    not null,
    form_key     text    not null unique,
    notices      integer,
    unique (incident_id, number)
);
-- One row per update and ticket mailed, so a notice reaches a requester once.
create table incident_notices (
    update_id  integer not null references incident_updates(id) on delete cascade,
    ticket_id  integer not null references tickets(id) on delete cascade,
    primary key (update_id, ticket_id)
) without rowid;
create index incident_notices_by_ticket on incident_notices (ticket_id);
-- Agents who may post incidents besides the admins.
create table incident_posters (
    agent_id    integer primary key references agents(id) on delete cascade,
    granted_by  text    not null,
    granted_at  integer not null
);
