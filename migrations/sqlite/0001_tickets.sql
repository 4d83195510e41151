-- Tickets and their conversation. Every free-text column holds redacted text only;
-- whatever must be kept unredacted (contact address, OpenPGP key) lives sealed in vault_entries.

create table tickets (
    id            integer primary key,
    reference     text    not null unique,
    -- keyed hash of the access token; the token itself is never stored
    token_hash    blob    not null unique,
    category      text    not null,
    status        text    not null default 'new',
    subject       text    not null,
    subject_redactions text not null default '{}',
    created_at    integer not null,
    updated_at    integer not null,
    closed_at     integer
);

create table messages (
    id          integer primary key,
    ticket_id   integer not null references tickets(id) on delete cascade,
    author      text    not null check (author in ('requester', 'agent')),
    body        text    not null,
    -- per-rule finding counts as JSON, never the values found
    redactions  text    not null default '{}',
    created_at  integer not null
);
create index messages_by_ticket on messages(ticket_id, id);

-- The ticket's own age key, sealed to the server identity; deleting it shreds the vault entries.
create table ticket_keys (
    ticket_id        integer primary key references tickets(id) on delete cascade,
    sealed_identity  blob not null
);

create table vault_entries (
    ticket_id   integer not null references tickets(id) on delete cascade,
    kind        text    not null check (kind in ('contact', 'pgp_key')),
    ciphertext  blob    not null,
    primary key (ticket_id, kind)
);

-- Mask numbers handed out in a ticket: a keyed digest of the value, never the value.
create table mask_slots (
    ticket_id  integer not null references tickets(id) on delete cascade,
    digest     blob    not null,
    label      text    not null,
    n          integer not null,
    primary key (ticket_id, digest),
    unique (ticket_id, label, n)
);

-- What is left of a deleted ticket: no content, only what metrics and audit need.
create table tombstones (
    reference   text    primary key,
    category    text    not null,
    created_at  integer not null,
    deleted_at  integer not null,
    reason      text    not null
);
