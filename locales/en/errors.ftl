# Errors seen by signed-in staff, inside the staff layout, and the refusals of the admin pages.
errors-title-404 = Not found
errors-title-403 = Not allowed
errors-title-409 = Not possible right now
errors-title-5xx = Something went wrong
errors-title-other = That did not work
errors-not-found = This page or ticket does not exist, or it is outside your queues and tier.
errors-quote-id = If you report this, quote the error id
errors-back-admin = Back to administration
errors-back-tickets = Back to your tickets
errors-last-admin = This is the last active admin: enable or create another admin first (hushdesk agent add --role admin).
errors-second-factor-first = That role signs in with a second factor: the agent must set one up on their account page first.
errors-fallback-queue = The general queue receives everything without a routing rule: it cannot be renamed or archived.
errors-sla-hours = SLA targets must be between 1 and 8760 hours.

## Canned responses refused
canned-foreign-mask-not-sent = this canned response contains { $token }, a mask from some other text that would be read as this ticket's: nothing was sent; an admin must rewrite the canned response
canned-foreign-mask = this canned response contains { $token }, a mask from some other text that would be read as this ticket's; an admin must rewrite the canned response
canned-masked = the canned response holds what the redactor masks ({ $kinds }): remove it, or ask an admin to allowlist the organisation's own contact
canned-mask-label = a canned response cannot contain a mask label such as { $token }: in a ticket it would be read as that ticket's own value

## Names and choices refused on staff pages
name-length = must be 1 to 64 characters
name-agent-characters = may hold only Latin letters, digits, '-', '_' and '.'
name-queue-characters = may hold only letters and digits (of any script), '-', '_' and '.'
agent-ticket-bad-message-number = the form is out of date; load the ticket again
agent-ticket-choose-status = choose a status
agent-ticket-choose-priority = choose P1 to P4
agent-ticket-bad-internal = the internal-note box has an unexpected value: nothing was sent
agent-list-choose-some = choose at least one ticket
agent-list-choose-change = choose assign, status, move or close
admin-agents-bad-name = Agent name: { $problem }
admin-agents-bad-queue = Queue name: { $problem }

## Allowlist entries refused
allow-empty = enter a value
allow-too-long = an entry is at most { $max } characters
allow-not-found = the redactor would not mask this, so it is already kept as written (to keep every e-mail address at a domain, write it as @example.org)
allow-partial = only part of this is a value the redactor masks: enter "{ $what }" alone
allow-several = this holds more than one value: add them one at a time
allow-secret = { $what } is a secret (card numbers, passwords, codes and the like): it is always masked and cannot be allowed
allow-not-contact = { $what } values are the personal data of the people who write in: only the organisation's own phone numbers, e-mail addresses and @domain can be allowed
allow-free-mail = { $what } is a free-mail provider: its addresses belong to the people who write in, not to the organisation; enter the organisation's own domain or address
allow-public-suffix = { $what } is a public suffix shared by countless organisations: enter the organisation's own domain (for example @bank.co.uk)
