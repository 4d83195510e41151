-- The one-time keys the preview's "this answered my question" and an article's "Did this
-- help?" carry: a key is signed by the desk when the page is made, and the keyed hash of each
-- key spent is kept until it would have expired anyway, so one page view counts once and a
-- vote cannot be made without a page the desk made.
create table kb_vote_keys (
    key_hash   bytea   primary key,
    expires_at bigint  not null
);
create index kb_vote_keys_by_expiry on kb_vote_keys(expires_at);
