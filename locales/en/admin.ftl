# The admin pages: overview, alerts, metrics, agents, queues, SLA, audit log, retention, allowlist.

## Overview
admin-title = Administration
admin-intro = Admins configure agents, queues and routing and read the audit log. Ticket content is visible only through queue membership, like for anyone else.
admin-back = ← Administration
admin-link-alerts = Alerts
admin-link-agents = Agents
admin-link-queues = Queues, routing and canned responses
admin-link-sla = SLA targets
admin-link-audit = Audit log
admin-link-retention = Retention and legal holds
admin-link-allowlist = Redaction allowlist
admin-link-metrics = Privacy metrics
admin-unacknowledged = { $count } unacknowledged
admin-alerts-to-handle = Alerts to handle
admin-all-alerts = All alerts, handled ones included

## Alerts
admin-alerts-title = Alerts
admin-alerts-intro = Unusual access and changes to who may read what. Each event is listed once; alerts about you or caused by you are shown to the other admins only.
admin-alerts-open = To handle
admin-alerts-done = Recently acknowledged
admin-alert-when = When
admin-alert-kind = Kind
admin-alert-agent = Agent
admin-alert-queue = Queue
admin-alert-reference = Reference
admin-alert-detail = Detail
admin-alert-acknowledge = Acknowledge

## Metrics
admin-metrics-title = Metrics
admin-metrics-stored = Tickets stored
admin-metrics-stored-value = { $live } ({ $held } held)
admin-metrics-deleted = Deleted
admin-metrics-deleted-value = { $total }: { $requested } at the requester's request, { $retention } by retention, { $spam } as spam
admin-metrics-time-to-delete = Mean time from closing to deletion
admin-metrics-days = { $days } days
admin-metrics-last-purge = Last purge run
admin-metrics-last-purge-value = { $count ->
    [one] { $count } ticket
   *[other] { $count } tickets
}
admin-metrics-masked = Findings masked per ticket
admin-metrics-outbox = Mail waiting for the relay
admin-metrics-hint = Also at /metrics (Prometheus). Reading this page is recorded in the audit log.

## Agents
admin-agents-title = Agents
admin-agents-issued-title = Enrolment link for { $name }
admin-agents-issued-text = Give this link to { $name } privately. It works once, until { $expires }, and is shown only now. With it they choose their own password and, where needed, a new second factor; until then the account cannot sign in. Other admins and the owners of { $name }'s queues are alerted when it is issued and when it is used.
admin-agents-issued-link = Enrolment link:
admin-agents-issued-relative = No public_url is configured: put the address agents use to reach this helpdesk in front of the path.
admin-agents-resets-title = Resets waiting for a second admin
admin-agents-resets-intro = Admins and members (now or lately) of restricted queues are reset only when a second admin agrees.
admin-agents-requested-by = Requested by
admin-agents-waiting = Waiting for another admin
admin-agents-approve = Approve reset
admin-agents-reject = Reject
admin-agents-name = Name
admin-agents-role = Role
admin-agents-second-factor = Second factor
admin-agents-queues = Queues
admin-agents-state = State
admin-agents-yes = yes
admin-agents-no = no
admin-agents-state-disabled = disabled
admin-agents-state-locked = locked
admin-agents-state-enrolling = awaiting enrolment
admin-agents-state-active = active
admin-agents-edit = Edit
admin-agents-disable = Disable…
admin-agents-enable = Enable…
admin-agents-reset = Reset password and code
admin-agents-add-title = Add an agent
admin-agents-add-intro = The new agent gets an enrolment link to choose their own password and second factor.
admin-agents-admin-by-operator = Admin accounts are created by the operator on the server's command line (hushdesk agent add --role admin).
admin-agents-totp = Second factor (always on for L3)
admin-agents-add = Add agent
admin-agents-reset-waits = { $name } is an admin or a member (now or lately) of a restricted queue: the reset waits for a second admin to approve it.
admin-agents-reset-own = You cannot reset your own account here. Ask another admin, or the operator (hushdesk agent reset).
admin-agents-reset-rejected = The reset of { $name } was rejected.
admin-agents-own-request = You asked for this reset: a different admin must approve or reject it.
admin-agents-own-account-request = This reset is about your own account: another admin must decide it.
admin-agents-choose-role = Choose a role.
admin-agents-no-such-queue = One of those queues does not exist.

## One agent
admin-agent-title = Agent { $name }
admin-agent-all = ← All agents
admin-agent-own = This is your own account: every change you make to it is audited and told to the other admins.
admin-agent-role-title = Role
admin-agent-save-role = Save role
admin-agent-role-hint = The role sets the highest ticket tier the agent works on. L3 signs in with a second factor. Admin accounts are created by the operator (hushdesk agent add --role admin).
admin-agent-queues-title = Queues
admin-agent-member-of = Member of
admin-agent-queues-hint = Joining a restricted queue tells its members. Every change is in the audit log.
admin-agent-save-queues = Save queues
admin-agent-access-title = Access
admin-agent-disable-question = Disable { $name }?
admin-agent-enable-question = Enable { $name }?
admin-agent-disable-text = { $name } will be signed out everywhere and cannot sign in until an admin enables the account again.
admin-agent-disable-own = This is your own account: you will be signed out at once.
admin-agent-enable-text = { $name } will be able to sign in again with their password and second factor.
admin-agent-disable-confirm = Disable { $name }
admin-agent-enable-confirm = Enable { $name }
admin-agent-cancel = Cancel

## Queues
admin-queues-title = Queues
admin-badge-restricted = restricted
admin-badge-encrypted = encrypted mail only
admin-queues-open = { $count ->
    [one] { $count } open ticket.
   *[other] { $count } open tickets.
}
admin-queues-members = Members:
admin-queues-owner = (owner)
admin-queues-none = none
admin-queues-restricted = Restricted
admin-queues-require-encryption = Require encrypted mail
admin-queues-save = Save
admin-queues-add-member = Add member
admin-queues-owner-box = owner
admin-queues-add = Add
admin-queues-remove-member = Remove member
admin-queues-remove = Remove
admin-queues-new-name = New name
admin-queues-rename = Rename
admin-queues-archive = Archive
admin-queues-archive-hint = Archiving keeps the queue's tickets and members; new tickets of its categories go to general.
admin-queues-archived-title = Archived queues
admin-queues-queue = Queue
admin-queues-open-tickets = Open tickets
admin-queues-restore = Put back in use
admin-queues-new-title = New queue
admin-queues-name = Name
admin-queues-restricted-new = Restricted (only members learn it exists)
admin-queues-create = Create queue
admin-routing-title = Routing
admin-routing-intro = Each category lands in one queue; categories without a rule, and mail without a category, go to general.
admin-routing-category = Category
admin-routing-queue = Queue
admin-routing-route = Route
admin-routing-choose-category = Choose a category.
admin-canned-title = Canned responses
admin-canned-new = New canned response
admin-canned-queue = Queue
admin-canned-title-field = Title
admin-canned-text = Text
admin-canned-save = Save canned response
admin-canned-delete = Delete
admin-canned-add = Add canned response

## SLA
admin-sla-title = SLA targets
admin-sla-intro = How long a ticket of each priority may wait for the first response and for its resolution, in hours. A target set here wins over the configuration file's [sla]; it applies to tickets filed or re-prioritised from now on, and tickets already open keep their due times.
admin-sla-priority = Priority
admin-sla-first-response = First response (hours)
admin-sla-resolution = Resolution (hours)
admin-sla-in-force = In force
admin-sla-first-label = First response for { $priority }, hours
admin-sla-resolution-label = Resolution for { $priority }, hours
admin-sla-save = Save { $priority }
admin-sla-set-here = set here
admin-sla-file-values = (file: { $first } h / { $resolution } h)
admin-sla-from-file = configuration file
admin-sla-use-file = Use the file's
admin-sla-whole-hours = a whole number of hours
admin-sla-choose-priority = Choose a priority.

## Audit log
admin-audit-title = Audit log
admin-audit-intro = Every view, list, search, change, sign-in and configuration change, newest first. Entries name who, what and which ticket; never content. hushdesk audit verify checks the whole chain. Reading and exporting the log are recorded in it too.
admin-audit-who = Who
admin-audit-who-hint = agent name, (system), (operator)
admin-audit-action = Action
admin-audit-reference = Reference
admin-audit-from = From (UTC day)
admin-audit-until = Until (UTC day, included)
admin-audit-filter = Filter
admin-audit-clear = Clear
admin-audit-download = Download these entries as CSV
admin-audit-download-hint = (at most 100,000; the download is audited)
admin-audit-when = When
admin-audit-detail = Detail
admin-audit-none = No entries match.
admin-audit-older = Older entries
admin-audit-date = a date as YYYY-MM-DD

## Retention
admin-retention-title = Retention and legal holds
admin-retention-intro = Closed tickets are deleted for good when their retention runs out: the ticket, its messages, attachments, sealed contact and key, and its own encryption key. A content-free tombstone remains for counting. Held tickets are never deleted.
admin-retention-applies = Applies to
admin-retention-days = Days
admin-retention-default = Closed tickets (default)
admin-retention-spam = Tickets closed as spam and confirmed by a second agent (from the confirmation)
admin-retention-attachments = Sealed binary attachments, from upload
admin-retention-remove = remove
admin-retention-hint = A category override wins over a queue override, which wins over the default; confirmed spam always uses the spam retention; a ticket closed as spam by one agent only keeps the normal retention and can be restored by its queue's owners.
admin-retention-set-for = Set retention for
admin-retention-scope-default = closed tickets (default)
admin-retention-scope-spam = spam
admin-retention-scope-attachments = sealed attachments
admin-retention-scope-queue = queue { $name }
admin-retention-scope-category = category { $name }
admin-retention-days-field = days
admin-retention-whole-days = a whole number of days
admin-retention-save = Save
admin-holds-title = Legal holds
admin-holds-none = No ticket is held.
admin-holds-reference = Reference
admin-holds-reason = Reason
admin-holds-by = By
admin-holds-since = Since
admin-holds-release = Release
admin-holds-ticket = Hold ticket
admin-holds-place = Place hold

## Allowlist
admin-allowlist-title = Redaction allowlist
admin-allowlist-intro = The organisation's own public values: its hotline, its support address, its mail domain. The redactor leaves them as written everywhere: in requests, replies, internal notes, mail and the requester's preview. An entry covers every spelling of its value (8 800 555-35-35 and +7 (800) 555 35 35 are one entry); @bank.example covers every e-mail address at that domain.
admin-allowlist-hint = Only values the redactor would mask can be added, one at a time. Secrets (card numbers, passwords, codes, keys) are always masked and cannot be added. Never add a customer's data: the list is for values the organisation publishes.
admin-allowlist-value = Value
admin-allowlist-kind = Kind
admin-allowlist-added-by = Added by
admin-allowlist-added = Added
admin-allowlist-from-file = configuration file
admin-allowlist-remove = Remove
admin-allowlist-empty = No entries: every value the rules find is masked.
admin-allowlist-new = Value to leave unmasked
admin-allowlist-add = Add
admin-allowlist-file-hint = Entries in the configuration file ([redaction] allow = […]) are changed there.

admin-hours-title = Business hours
admin-hours-intro = With business hours, SLA targets count only the hours the desk is open, in its time zone, and skip the holidays listed: a 4-hour target filed on Friday at 17:00 with the desk open 9:00–18:00 falls due on Monday at 12:00. The change applies to tickets filed or re-prioritised from now on. Waiting on the requester closes a ticket after the configured number of working days: the days chosen here, holidays skipped (Monday to Friday while the clock runs around the clock).
admin-hours-in-force-since = Business hours in force, set { $time }.
admin-hours-around-the-clock-now = The SLA clock runs around the clock, every day.
admin-hours-clock = SLA clock
admin-hours-always = Around the clock, every day
admin-hours-business = Business hours only
admin-hours-days = Working days
admin-hours-opens = Opens at
admin-hours-closes = Closes at
admin-hours-closes-hint = 24-hour clock, HH:MM; 24:00 for midnight at the end of the day.
admin-hours-zone = Time zone
admin-hours-holidays = Holidays
admin-hours-holidays-hint = One date a line, as YYYY-MM-DD (for example 2027-01-07). The desk counts no time on these days.
admin-hours-save = Save business hours
admin-hours-bad-time = a time as HH:MM, from 00:00 to 24:00
admin-hours-unknown-zone = a time zone from the list
admin-hours-no-days = at least one working day
admin-hours-closes-before-opens = a closing time after the opening time
admin-hours-bad-holiday = dates as YYYY-MM-DD, one a line
admin-hours-too-many-holidays = at most 400 holidays
weekday-monday = Monday
weekday-tuesday = Tuesday
weekday-wednesday = Wednesday
weekday-thursday = Thursday
weekday-friday = Friday
weekday-saturday = Saturday
weekday-sunday = Sunday
admin-canned-delete-question = Delete the canned response “{ $title }” of { $queue }?
admin-canned-delete-explanation = Agents of the queue no longer find it in their picker. This cannot be undone; replies already sent with it keep their text.
admin-canned-delete-yes = Yes, delete it
admin-agent-last-admin = { $role }. This is the only active admin account: it cannot be demoted until another admin is active (admins are created with `hushdesk agent add`).
admin-agent-last-admin-access = The only active admin account cannot be disabled: nobody could then configure the desk or approve a reset.
admin-audit-any-action = Any action
admin-link-proofs = Recovery codes and tokens
admin-proofs-title = Recovery codes and tokens
admin-proofs-intro = A requester can prove they own an account by entering a recovery code or a one-time token on their ticket. The desk looks in the token lists below first, then asks the product's verification hook if one is configured. Only a keyed digest of each token is stored, never the token; a token that proves something once is used up.
admin-proofs-limit = { $count ->
    [one] A ticket may fail { $count } check an hour; after that its checks wait, so the page cannot be used to guess tokens.
   *[other] A ticket may fail { $count } checks an hour; after that its checks wait, so the page cannot be used to guess tokens.
}
admin-proofs-hook = Verification hook
admin-proofs-hook-configured = Codes not in a list are sent to the hook at { $host }, signed with the shared secret from the configuration file.
admin-proofs-hook-none = No verification hook is configured (`[proofs.hook]` in the configuration file): only the token lists are checked.
admin-proofs-hook-last-failure = The hook last failed to answer at { $time }.
admin-proofs-hook-no-failure = The hook has not failed to answer.
admin-proofs-lists = Token lists
admin-proofs-name = List
admin-proofs-total = Tokens
admin-proofs-used = Used
admin-proofs-imported-at = Imported
admin-proofs-imported-by = By
admin-proofs-empty = No token lists yet.
admin-proofs-delete = Delete
admin-proofs-imported = { $count ->
    [one] { $count } token imported.
   *[other] { $count } tokens imported.
}
admin-proofs-duplicates = { $count ->
    [one] { $count } token was left out: a list holds it already.
   *[other] { $count } tokens were left out: a list holds them already.
}
admin-proofs-import = Import a list
admin-proofs-new-name = Name of the list (for example: recovery codes 2026-11)
admin-proofs-new-tokens = Tokens, one a line
admin-proofs-import-hint = Spaces, dashes and letter case do not matter: AB12-CD34 and ab12cd34 are one token. Each token needs at least 6 characters. For lists larger than this form takes, use `hushdesk proofs import`.
admin-proofs-import-button = Import
admin-proofs-delete-question = Delete the token list “{ $name }”?
admin-proofs-delete-explanation = { $count ->
    [one] Its { $count } unused token stops proving anything at once. This cannot be undone.
   *[other] Its { $count } unused tokens stop proving anything at once. This cannot be undone.
}
admin-proofs-delete-yes = Yes, delete the list
proofs-error-empty-name = give the list a name
proofs-error-name-too-long = a name of at most 100 characters
proofs-error-name-control = a name without control characters
proofs-error-no-tokens = at least one token, one a line
proofs-error-too-many = at most 100,000 tokens in one list
proofs-error-bad-token = the token on line { $line } has fewer than 6 or more than 256 characters
admin-lead-period = Period
admin-lead-last = Last
admin-lead-days = { $count ->
    [one] { $count } day
   *[other] { $count } days
}
admin-lead-show = Show
admin-lead-dates = Or between two dates
admin-lead-from = From
admin-lead-until = Until (included)
admin-lead-date = Give both dates as YYYY-MM-DD, the second not before the first, at most ten years apart.
admin-lead-days-invalid = Give a number of days from 1 to 3660.
admin-lead-period-shown = Tickets filed from { $from } to { $until } (UTC), stored or purged
admin-lead-export = Download as CSV
admin-lead-handling = Handling by queue and priority
admin-lead-handling-hint = Times are from filing; median and 90th percentile by nearest rank. SLA: first responses made by their due time. First contact resolution: finished with exactly one public agent reply, no requester message after it and never reopened. Reopened: of the tickets finished at least once. Purged tickets count through the outcome their purge left.
admin-lead-queue = Queue
admin-lead-priority = Priority
admin-lead-tickets = Tickets
admin-lead-fr-median = First response, median
admin-lead-fr-p90 = First response, 90%
admin-lead-res-median = Resolution, median
admin-lead-res-p90 = Resolution, 90%
admin-lead-sla = SLA met
admin-lead-fcr = First contact resolution
admin-lead-reopen = Reopened
admin-lead-all = All
admin-lead-rate = { $percent }% ({ $hits } of { $of })
admin-lead-chart-first-response = Median first response by queue and priority
admin-lead-chart-first-response-desc = One bar per queue and priority, longer for a slower first response; the figures are in the table below.
admin-lead-chart-backlog = Open tickets by queue
admin-lead-chart-backlog-desc = One bar per queue, longer for more open tickets; the figures by age are in the backlog table.
admin-lead-backlog = Open backlog by age
admin-lead-age-lt1d = Under a day
admin-lead-age-1to3d = 1 to 3 days
admin-lead-age-3to7d = 3 to 7 days
admin-lead-age-gt7d = Over 7 days
admin-lead-satisfaction = Satisfaction
admin-lead-satisfaction-hint = Counted by the ISO weeks the period touches, when the rating was offered or answered. The counts keep no ticket and no comment, so they outlive every purge.
admin-lead-offered = Offered
admin-lead-declined = Declined
admin-lead-rated = Rated
admin-lead-average = Average (1–5)
admin-lead-response = Answered with a score
admin-lead-kb = Knowledge base
admin-lead-kb-helpful = Articles that helped
admin-lead-kb-self-service = Self-service share
admin-lead-no-data = No data.
admin-lead-privacy = Privacy
admin-lead-deleted-on-request = Deleted at the requester's request
admin-lead-security = Security
admin-lead-break-glass = Break-glass uses
admin-lead-failed-lookups = Failed reference lookups
admin-lead-p1-median = First response on P1 security tickets, median
admin-lead-p1-p90 = First response on P1 security tickets, 90%
admin-lead-alerts = Alerts by kind
admin-lead-alert-kind = Kind
admin-lead-count = Count
