-- Two-person rule memory: an agent who was in a restricted queue stays "restricted" for
-- resets for a while after leaving it (removed from the queue, or the queue's restricted
-- flag turned off), so one admin cannot step around the rule by changing memberships.
create table restricted_exposures (
    id        integer primary key,
    agent_id  integer not null references agents(id) on delete cascade,
    queue_id  integer references queues(id) on delete set null,
    -- when the agent stopped being a member of a restricted queue
    ended_at  integer not null
);
create index restricted_exposures_by_agent on restricted_exposures(agent_id, ended_at);

-- A request made void by a newer reset or link (decided_at is set too, so it is no longer open).
alter table reset_requests add column cancelled_at integer;

-- The pending seed belongs to one browser: the keyed hash of the nonce in its enrolment
-- cookie. Another browser opening the link gets a new seed and becomes the holder.
alter table enrolments add column seed_holder_hash blob;
