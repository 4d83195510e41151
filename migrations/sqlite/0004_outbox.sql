-- Outgoing mail waiting for the relay. The whole message (recipient included) is sealed
-- with the ticket's key, so it is shredded with the ticket and unreadable in a backup.
create table outbox (
    id               integer primary key,
    ticket_id        integer not null references tickets(id) on delete cascade,
    sealed_message   blob    not null,
    attempts         integer not null default 0,
    next_attempt_at  integer not null,
    -- the relay's last answer, without any content
    last_error       text,
    created_at       integer not null
);
create index outbox_due on outbox(next_attempt_at);
