-- The organisation's own public values (hotline, support address, mail domain) that the
-- redactor leaves as written. Admins add them; the configuration file may list more.
-- `value` is what the admin typed; `canonical` is the value in the redactor's canonical
-- form, so two spellings of one phone are one entry. `autoincrement`: an id named in the
-- audit log and in alerts never comes to mean another entry.
create table redaction_allowlist (
    id         integer primary key autoincrement,
    value      text    not null,
    kind       text    not null,
    canonical  text    not null unique,
    added_by   text    not null,
    added_at   integer not null
);
