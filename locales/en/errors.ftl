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
