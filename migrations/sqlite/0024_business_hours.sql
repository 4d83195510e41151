-- Business hours set in the admin pages: while the one row exists, SLA targets count only the
-- hours the desk is open, in its time zone, skipping the listed holidays; without it the SLA
-- clock runs around the clock.
create table business_hours (
    id             integer primary key check (id = 1),
    time_zone      text    not null,
    -- Bit 0 for Monday to bit 6 for Sunday.
    days           integer not null check (days between 1 and 127),
    opens_minute   integer not null check (opens_minute between 0 and 1439),
    closes_minute  integer not null check (closes_minute between 1 and 1440 and closes_minute > opens_minute),
    -- Dates as YYYY-MM-DD, separated by spaces.
    holidays       text    not null default '',
    changed_at     integer not null
);
