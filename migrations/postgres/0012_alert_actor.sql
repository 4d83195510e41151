-- An alert is hidden from two agents: the one it is about (`not_for_agent_id`) and the
-- one whose action raised it (`actor_agent_id`). Either could otherwise acknowledge it
-- away for everyone else.
-- PostgreSQL twin of migrations/sqlite/0012_alert_actor.sql.
alter table alerts add column actor_agent_id bigint;
