-- Proofs of ownership: a challenge an agent asks the requester to sign, and what a good
-- signature proved. Neither table holds an address, a signature or a key: a proof keeps only
-- the mask the ticket's own mask book gives its subject (`[BTC-1]`), so a database reader
-- learns no more than the redacted conversation tells. `kind` is checked by the desk, not
-- here, so a later kind is a change of code only. Both go with their ticket on purge.

-- `challenge` is the exact text to sign (reference, random phrase, expiry: nothing personal);
-- `expected_mask` the ticket's mask the agent named, if any. `used_at` is set once, by the
-- proof that answered it.
create table proof_challenges (
    id             integer primary key,
    ticket_id      integer not null references tickets(id) on delete cascade,
    kind           text    not null,
    expected_mask  text,
    challenge      text    not null,
    requested_by   integer references agents(id) on delete set null,
    created_at     integer not null,
    expires_at     integer not null,
    used_at        integer
);
create index proof_challenges_by_ticket on proof_challenges(ticket_id, id);

create table proofs (
    id             integer primary key,
    ticket_id      integer not null references tickets(id) on delete cascade,
    challenge_id   integer not null references proof_challenges(id) on delete cascade,
    kind           text    not null,
    subject_mask   text    not null,
    verified_at    integer not null
);
create index proofs_by_ticket on proofs(ticket_id, id);
create unique index proofs_by_challenge on proofs(challenge_id);
