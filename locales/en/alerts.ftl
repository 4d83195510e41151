# Alerts: what each kind is called and what one says. Arguments are names, numbers and ids
# stored with the alert; `by` is the admin who acted ("the operator" when none did).

alert-kind-agent-created = Account created
alert-kind-enrolled = Enrolment link used
alert-kind-reset-requested = Reset awaiting a second admin
alert-kind-credentials-reset = Credentials reset
alert-kind-enrolment-link-voided = Enrolment link voided
alert-kind-agent-role-changed = Role changed
alert-kind-admin-disabled = Admin account disabled
alert-kind-admin-enabled = Admin account enabled
alert-kind-agent-disabled = Account disabled
alert-kind-agent-enabled = Account enabled
alert-kind-queue-renamed = Queue renamed
alert-kind-queue-changed = Queue settings changed
alert-kind-member-added = Member of a restricted queue
alert-kind-member-removed = Removed from a restricted queue
alert-kind-queue-unrestricted = Queue no longer restricted
alert-kind-break-glass = Break-glass access
alert-kind-hourly-views = Many tickets viewed
alert-kind-probing = Probing for tickets
alert-kind-hourly-downloads = Many attachments downloaded
alert-kind-restricted-access = Restricted queue read
alert-kind-failed-logins = Failed sign-ins
alert-kind-allowlist-added = Allowlist entry added
alert-kind-hold-placed = Legal hold placed
alert-kind-proof-hook-unavailable = Verification hook not answering
alert-kind-other = Other event

alert-by-operator = the operator
alert-yes = yes
alert-no = no

alert-detail-agent-created = { $by } created the { $role } account { $agent }; an enrolment link was issued
alert-detail-enrolled = { $agent } used the enrolment link from { $by } and chose new credentials
alert-detail-reset-requested = { $by } asks to reset { $agent }, a member of a restricted queue; a second admin must approve or reject it
alert-detail-credentials-reset = { $by } reset the password and second factor of { $agent }; an enrolment link was issued
alert-detail-enrolment-link-voided = the open enrolment link of { $agent } was voided: { $agent } is now in restricted queue { $queue }, so a new reset needs a second admin
alert-detail-agent-role-changed = { $by } changed the role of { $agent } from { $from_role } to { $to_role }
alert-detail-admin-disabled = { $by } disabled the admin account { $agent }
alert-detail-admin-enabled = { $by } enabled the admin account { $agent }
alert-detail-agent-disabled = { $by } disabled the account { $agent }
alert-detail-agent-enabled = { $by } enabled the account { $agent }
alert-detail-queue-renamed = { $by } renamed queue { $from } to { $to }
alert-detail-queue-changed = { $by } changed the queue's settings: restricted: { $restricted }; encryption required: { $require_encryption }
alert-detail-member-added = { $change ->
    [owner] { $by } changed { $agent }'s standing in restricted queue { $queue }; owner: { $owner }
   *[added] { $agent } was added to restricted queue { $queue } by { $by }; owner: { $owner }
}
alert-detail-member-removed = { $by } removed { $agent } from restricted queue { $queue }
alert-detail-queue-unrestricted = { $by } turned off the restricted flag of queue { $queue }
alert-detail-break-glass = break-glass access for { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
}
alert-detail-hourly-views = was shown { $count } distinct tickets in the last hour, opened or listed (threshold { $threshold })
alert-detail-hourly-downloads = downloaded { $count } sealed attachments in the last hour (threshold { $threshold })
alert-detail-probing = asked for { $count } distinct tickets that were unknown or out of scope in the last hour (threshold { $threshold })
alert-detail-restricted-access = { $action ->
    [search] was shown { $count } tickets of restricted queue { $queue } in a search
    [list] was shown { $count } tickets of restricted queue { $queue } in a list
    [downloaded] downloaded an attachment of a ticket in restricted queue { $queue }
   *[opened] opened a ticket in restricted queue { $queue }
}
alert-detail-failed-logins = { $count } failed sign-ins in a row; locked for { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
}
alert-detail-allowlist-added = redaction allowlist entry { $entry } ({ $kind }) added
alert-detail-hold-placed = legal hold placed
alert-detail-proof-hook-unavailable = the verification hook gave no usable answer ({ $why ->
    [timeout] it did not answer in time
    [status] it answered with an error status
    [answer] its answer was not {"{"}"valid": true|false{"}"}
   *[connection] it could not be reached
}), so a requester's code could not be checked; further failures within the hour raise no new alert

alert-kind-attachment-infected = Malware refused
alert-detail-attachment-infected = a submission carried a file matching { $signature }; it was refused and nothing of it was stored
alert-kind-scanner-unavailable = Virus scanner unavailable
alert-detail-scanner-unavailable = the virus scanner (clamd) did not answer: images and other files are refused until it does; text is still accepted
