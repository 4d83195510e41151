-- Enrolment links: an agent created or reset in the admin pages (or by the operator's
-- `agent reset`) chooses their own password and second factor through a single-use link.
-- Only a keyed hash of the link's token is stored.
create table enrolments (
    id                   integer primary key,
    token_hash           blob    not null unique,
    agent_id             integer not null references agents(id) on delete cascade,
    -- who produced the link, for the audit entry and alerts of the enrolment itself
    issued_by            text    not null,
    created_at           integer not null,
    expires_at           integer not null,
    used_at              integer,
    -- the agent must set up a new second factor (role requires one, or they had one)
    needs_second_factor  integer not null default 0,
    -- the seed shown on the enrolment page, sealed, until the first code confirms it
    totp_pending_sealed  blob
);
create index enrolments_by_agent on enrolments(agent_id);

-- Two-person rule: resetting a member of a restricted queue waits for a second admin.
create table reset_requests (
    id            integer primary key,
    agent_id      integer not null references agents(id) on delete cascade,
    requested_by  integer not null references agents(id) on delete cascade,
    created_at    integer not null,
    decided_by    integer references agents(id) on delete set null,
    decided_at    integer,
    outcome       text check (outcome in ('approved', 'rejected'))
);
create index reset_requests_open on reset_requests(decided_at);

-- An alert about what an admin did is not shown to that admin: others must see it.
alter table alerts add column not_for_agent_id integer;
