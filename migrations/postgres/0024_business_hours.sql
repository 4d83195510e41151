-- Business hours set in the admin pages.
-- PostgreSQL twin of migrations/sqlite/0024_business_hours.sql.
create table business_hours (
    id             bigint  primary key check (id = 1),
    time_zone      text    not null,
    -- Bit 0 for Monday to bit 6 for Sunday.
    days           bigint  not null check (days between 1 and 127),
    opens_minute   bigint  not null check (opens_minute between 0 and 1439),
    closes_minute  bigint  not null check (closes_minute between 1 and 1440 and closes_minute > opens_minute),
    -- Dates as YYYY-MM-DD, separated by spaces.
    holidays       text    not null default '',
    changed_at     bigint  not null
);
