-- The agent's working day: a ticket's history of changes, who has a ticket open, and when
-- each agent last read their desk notifications.

-- Status, priority, assignment, queue and tier changes, for the ticket's timeline. Only ids
-- and enum values (`from_value`, `to_value`: a status or priority id, a tier number, a queue
-- or agent id as text); `reason` is the redacted reason a queue move requires. Goes with its
-- ticket on purge.
create table ticket_events (
    id          integer primary key,
    ticket_id   integer not null references tickets(id) on delete cascade,
    agent_id    integer references agents(id) on delete set null,
    kind        text    not null check (kind in ('status', 'priority', 'assignee', 'queue', 'tier')),
    from_value  text,
    to_value    text,
    reason      text,
    at          integer not null
);
create index ticket_events_by_ticket on ticket_events(ticket_id, id);
-- "Assigned to me" notifications: assignments to one agent, newest first.
create index ticket_events_assigned on ticket_events(to_value, at) where kind = 'assignee';

-- When each agent last opened each ticket, for the collision warning ("another agent has
-- this ticket open"). One row per agent and ticket, overwritten on each view.
create table ticket_openings (
    ticket_id   integer not null references tickets(id) on delete cascade,
    agent_id    integer not null references agents(id) on delete cascade,
    at          integer not null,
    primary key (ticket_id, agent_id)
) without rowid;

-- Until when each agent has read their desk notifications ("mark as read").
create table notification_marks (
    agent_id    integer primary key references agents(id) on delete cascade,
    read_at     integer not null
);

