-- Each agent may choose the language and time zone of their pages (none: the browser's
-- language and the desk's zone). A ticket remembers the language its requester wrote in, so
-- the notices mailed later (resolved, closed) speak it.
alter table agents add column language text;
alter table agents add column time_zone text;
alter table tickets add column language text;
