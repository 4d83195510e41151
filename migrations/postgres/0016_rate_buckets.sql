-- Rate limits shared by every instance on one database (GCRA): one row per budget and client
-- network, holding the theoretical arrival time in milliseconds since the Unix epoch. The
-- client is a keyed digest of the network (/24 or /64), never an address: the key lives
-- with the server's keys, outside the database. A row whose time has passed is a full budget
-- and is deleted.
-- PostgreSQL twin of migrations/sqlite/0016_rate_buckets.sql (`without rowid` dropped).
create table rate_buckets (
    bucket text    not null,
    client bytea   not null,
    tat    bigint  not null,
    primary key (bucket, client)
);
