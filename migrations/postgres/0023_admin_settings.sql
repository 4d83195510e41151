-- Admin settings that used to need a code change or the configuration file.
-- PostgreSQL twin of migrations/sqlite/0023_admin_settings.sql.
--
-- An archived queue keeps its tickets but takes no new ones and leaves the pickers; null while
-- the queue is in use.
alter table queues add column archived_at bigint;

-- One event used to be stored once per audience (admins, then the queue's owners or members),
-- and admins, who see every audience, saw it twice or more. The copies addressed to a queue
-- beside an admins' row are now marked, and the admins' list skips them.
alter table alerts add column shown_to_admins bigint not null default 1;
update alerts set shown_to_admins = 0
where audience <> 'admins' and exists (
    select 1 from alerts twin
    where twin.audience = 'admins' and twin.kind = alerts.kind and twin.at = alerts.at
      and twin.agent_name is not distinct from alerts.agent_name
      and twin.reference is not distinct from alerts.reference
      and twin.detail = alerts.detail);

-- SLA targets set in the admin pages, per priority; a priority without a row follows the
-- configuration file's `[sla]`.
create table sla_targets (
    priority              text    primary key check (priority in ('P1', 'P2', 'P3', 'P4')),
    first_response_hours  bigint  not null check (first_response_hours between 1 and 8760),
    resolution_hours      bigint  not null check (resolution_hours between 1 and 8760),
    changed_at            bigint  not null
);

-- The audit log's filters (by action, by reference) walk newest first.
create index audit_by_action on audit_log(action, seq);
create index audit_by_reference on audit_log(reference, seq);
