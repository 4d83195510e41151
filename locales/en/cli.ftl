# The command line's messages for people (`hushdesk agent …`), in the locale's language.

cli-agent-exists = an agent named "{ $name }" already exists
cli-no-such-queue = no such queue among { $queues }
cli-no-agent = no agent named "{ $name }"
cli-agent-disabled = { $name } is disabled; their sessions have ended.
cli-agent-enabled = { $name } can sign in again.
cli-last-admin = { $name } is the last active admin: enable or add another admin first (hushdesk agent add --role admin)
cli-reset-no-public-url = note: public_url is not configured; put the address agents use to reach this helpdesk in front of the path
cli-reset-link-works = the link works once, until { $until }; { $name } cannot sign in until they use it
cli-list-name = NAME
cli-list-role = ROLE
cli-list-state = STATE
cli-list-second-factor = 2FA
cli-list-queues = QUEUES
cli-state-disabled = disabled
cli-state-locked = locked
cli-state-enrolling = enrolling
cli-state-active = active
cli-yes = yes
cli-no = no
