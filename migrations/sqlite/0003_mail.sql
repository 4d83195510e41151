-- Mail: a secret reply address per ticket, attachments, and the vault kind that keeps the
-- reply token so outgoing mail can carry it.

-- keyed hash of the ticket's reply token (the `+…` part of its reply address)
alter table tickets add column reply_token_hash blob;
create unique index tickets_by_reply_token on tickets(reply_token_hash);

-- vault_entries gains the kind 'reply_token'; SQLite cannot alter a check constraint, so the
-- table is rebuilt (nothing references it).
create table vault_entries_new (
    ticket_id   integer not null references tickets(id) on delete cascade,
    kind        text    not null check (kind in ('contact', 'pgp_key', 'reply_token')),
    ciphertext  blob    not null,
    primary key (ticket_id, kind)
);
insert into vault_entries_new (ticket_id, kind, ciphertext)
    select ticket_id, kind, ciphertext from vault_entries;
drop table vault_entries;
alter table vault_entries_new rename to vault_entries;

-- Attachments: text ones are redacted like any text; binary ones are sealed with the
-- ticket's key and shown to nobody. The file name is redacted too.
create table attachments (
    id          integer primary key,
    ticket_id   integer not null references tickets(id) on delete cascade,
    message_id  integer not null references messages(id) on delete cascade,
    name        text    not null,
    media_type  text    not null,
    size        integer not null,
    text        text,
    sealed      blob,
    created_at  integer not null,
    check ((text is null) <> (sealed is null))
);
create index attachments_by_message on attachments(message_id);
