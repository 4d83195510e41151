-- The knowledge base: articles agents write for requesters to read. Articles are not ticket
-- data: nothing here points at a ticket, so a ticket's purge leaves them be. Text is stored
-- as the redactor left it (a pasted address in a public article is masked like anywhere).

-- Who may write the articles of a queue, granted by an admin.
create table kb_editors (
    agent_id    integer not null references agents(id) on delete cascade,
    queue_id    integer not null references queues(id) on delete cascade,
    granted_by  text    not null,
    granted_at  integer not null,
    primary key (agent_id, queue_id)
);
create index kb_editors_by_queue on kb_editors(queue_id);

-- One article, in English, Russian or both. `tree` marks a decision tree, whose body is a
-- list of steps (see the README's knowledge base section).
create table kb_articles (
    id            integer primary key,
    queue_id      integer not null references queues(id) on delete cascade,
    slug          text    not null unique,
    category      text    not null,
    state         text    not null,
    tree          integer not null default 0,
    title_en      text,
    body_en       text,
    title_ru      text,
    body_ru       text,
    created_at    integer not null,
    updated_at    integer not null,
    published_at  integer
);
create index kb_articles_by_queue on kb_articles(queue_id);

-- Every save, kept.
create table kb_revisions (
    id          integer primary key,
    article_id  integer not null references kb_articles(id) on delete cascade,
    saved_by    text    not null,
    title_en    text,
    body_en     text,
    title_ru    text,
    body_ru     text,
    masked      integer not null default 0,
    saved_at    integer not null
);
create index kb_revisions_by_article on kb_revisions(article_id, id);

-- "Did this help?", counted per article and week (days since the epoch / 7); no person,
-- ticket or address is kept with a count.
create table kb_feedback (
    article_id  integer not null references kb_articles(id) on delete cascade,
    week        integer not null,
    helped      integer not null default 0,
    not_helped  integer not null default 0,
    primary key (article_id, week)
);

-- Filings a requester gave up on the preview because an article answered them.
create table kb_deflections (
    week   integer primary key,
    count  integer not null default 0
);

-- Raised on every change of a published article, so each instance sharing the database
-- knows when its search index is stale. One row, written on first change.
create table kb_generation (
    id          integer primary key,
    generation  integer not null
);
