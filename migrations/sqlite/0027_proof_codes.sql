-- Codes a requester may prove ownership with: lists of one-time tokens an admin imports
-- (account recovery codes, purchase tokens). Only each token's keyed digest is kept; its key
-- is derived from the server's pepper, outside the database, so a copy of the database can
-- neither read a token nor confirm a guessed one. A used token keeps its use time, nothing
-- of who used it. An identity never handed out twice (`autoincrement`): a list id named in
-- the audit log never comes to mean another list.
create table proof_token_lists (
    id           integer primary key autoincrement,
    name         text    not null unique,
    imported_at  integer not null,
    imported_by  text    not null
);
create table proof_tokens (
    digest   blob    primary key,
    list_id  integer not null references proof_token_lists(id) on delete cascade,
    used_at  integer
) without rowid;
create index proof_tokens_by_list on proof_tokens (list_id);
-- Failed checks of a code per ticket, times only, so a ticket's page is no oracle for
-- guessing tokens. A check takes its row before it looks and gives it back when the code
-- proved something, so checks sent at once cannot pass the limit together.
create table proof_code_failures (
    id         integer primary key,
    ticket_id  integer not null references tickets(id) on delete cascade,
    at         integer not null
);
create index proof_code_failures_by_ticket on proof_code_failures (ticket_id, at);
-- The verification hook's last failure, and when the admins were last alerted about one
-- (at most one alert an hour, however long the hook stays down).
create table proof_hook_status (
    id               integer primary key check (id = 1),
    last_failure_at  integer not null,
    last_alerted_at  integer not null
);
