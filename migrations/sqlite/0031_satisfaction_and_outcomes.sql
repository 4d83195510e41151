-- Satisfaction and the support lead's figures: what a requester answered when asked how we
-- did, and what is left of a ticket's handling once the ticket is purged.

-- The requester's answer, kept with its ticket and gone with it. `rating_answer` is null until
-- the ticket is first resolved, then 'offered'; 'declined' or 'rated' once answered, never
-- asked again. `rating_comment` is redacted like every other text.
alter table tickets add column rating_answer text check (rating_answer in ('offered', 'declined', 'rated'));
alter table tickets add column rating integer check (rating between 1 and 5);
alter table tickets add column rating_comment text;
alter table tickets add column rated_at integer;

-- Counts of offers, refusals and scores by queue (its name) and ISO week ('2026-W48') of the
-- event, written when the event happens: no ticket, reference or comment, so they outlive
-- every purge.
create table satisfaction_counts (
    queue   text    not null,
    week    text    not null,
    answer  text    not null check (answer in ('offered', 'declined', '1', '2', '3', '4', '5')),
    n       integer not null default 0,
    primary key (queue, week, answer)
);

-- A purged ticket's handling, written in the purge's transaction: no reference, no content,
-- no person. `filed_day` is the UTC midnight of the day it was filed; `sla_met` is null when
-- the ticket had no first-response target; `fcr` is first contact resolution (see README).
create table ticket_outcomes (
    id                      integer primary key,
    queue                   text    not null,
    priority                text    not null,
    category                text    not null,
    filed_day               integer not null,
    first_response_seconds  integer,
    resolution_seconds      integer,
    sla_met                 integer,
    reopened                integer not null,
    fcr                     integer not null,
    deleted_reason          text    not null
);
create index ticket_outcomes_by_day on ticket_outcomes(filed_day);
