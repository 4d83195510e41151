-- Rate limits shared by every instance on one database (GCRA): one row per budget and client
-- network, holding the theoretical arrival time in milliseconds since the Unix epoch. The
-- client is a keyed digest of the network (/24 or /64), never an address: the key lives
-- with the server's keys, outside the database. A row whose time has passed is a full budget
-- and is deleted. SQLite desks run one process and keep their limits in memory, so this table
-- stays empty there; it exists so both engines have one schema (and `migrate --from` copies).
create table rate_buckets (
    bucket text    not null,
    client blob    not null,
    tat    integer not null,
    primary key (bucket, client)
) without rowid;
