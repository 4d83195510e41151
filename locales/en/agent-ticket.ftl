## One ticket as an agent works it
agent-ticket-held-back = Not sent: { $who } wrote on this ticket after you opened it. Read the new messages below; your text is still here.
agent-ticket-the-requester = the requester
agent-ticket-others-viewing = Also working on this ticket in the last minutes: { $names }.
agent-ticket-break-glass = You opened this ticket with break-glass access. It is read-only for you, and its queue's members have been told.
agent-ticket-facts = Facts
agent-ticket-queue = Queue
agent-ticket-restricted = (restricted)
agent-ticket-tier = Tier
agent-ticket-status = Status
agent-ticket-priority = Priority
agent-ticket-category = Category
agent-ticket-assignee = Assignee
agent-ticket-nobody = nobody
agent-ticket-first-response = First response
agent-ticket-first-given = given { $time }
agent-ticket-resolution = Resolution
agent-ticket-reopened = Reopened
agent-ticket-reopen-count = { $count ->
    [one] { $count } time
   *[other] { $count } times
}
agent-ticket-spam-review = Spam review
agent-ticket-spam-confirmed = Closed as spam by { $by }, confirmed by { $confirmer }: the shorter spam retention applies.
agent-ticket-spam-pending = Closed as spam by { $by }, awaiting a second agent's confirmation. Until then the normal retention applies.
agent-ticket-spam-not-recorded = (not recorded)
agent-ticket-spam-confirm = Confirm spam
agent-ticket-spam-restore = Restore (not spam)
agent-ticket-timeline = Conversation and history
agent-ticket-requester = Requester
agent-ticket-automatic = hushdesk (automatic)
agent-ticket-badge-internal = internal note
agent-ticket-badge-encrypted = encrypted
agent-ticket-signature-verified = signature verified
agent-ticket-signature-verified-hint = Signed by the key pinned to this ticket
agent-ticket-signature-signed = signed, key not yet trusted
agent-ticket-signature-signed-hint = A good signature by a key that came with this mail: it proves the text is intact, not who sent it
agent-ticket-signature-unverified = signature not verified
agent-ticket-signature-unverified-hint = Signed, but there is no key to check the signature with
agent-ticket-signature-bad = bad signature
agent-ticket-signature-bad-hint = The signature does not match the text: it was altered or forged
agent-ticket-attachment-size = { $size } bytes
agent-ticket-attachment-sealed = sealed, not viewable
agent-ticket-attachment-download = Download
agent-ticket-attachment-download-hint = Makes a link that works once, for you only, for { $count ->
    [one] { $count } minute
   *[other] { $count } minutes
}; the download is recorded in the audit log
download-link-spent = This download link was used already, has expired, or was made for someone else. Go back to the ticket and press Download again.
agent-ticket-change-status = Status: { $from } → { $to }
agent-ticket-change-priority = Priority: { $from } → { $to }
agent-ticket-change-assignee = Assignee: { $from } → { $to }
agent-ticket-change-queue = Queue: { $from } → { $to }
agent-ticket-change-tier = Tier: { $from } → { $to }
agent-ticket-change-reason = Reason: { $reason }
agent-ticket-write = Write
agent-ticket-reply-heading = Reply to the requester
agent-ticket-canned = Canned response
agent-ticket-canned-choose = (choose)
agent-ticket-canned-insert = Insert into reply
agent-ticket-reply-label = Reply (sent to the requester)
agent-ticket-reply-button = Send reply to requester
agent-ticket-note-heading = Internal note
agent-ticket-note-warning = Internal: the requester never sees this.
agent-ticket-note-label = Note (agents only)
agent-ticket-note-button = Add internal note
agent-ticket-set-status = Set status
agent-ticket-set-priority = Set priority
agent-ticket-assign-to-me = Assign to me
agent-ticket-assign-to = Assign to
agent-ticket-assign = Assign
agent-ticket-move-queue = Move to queue
agent-ticket-move-reason = Reason (required)
agent-ticket-move = Move
agent-ticket-escalate-reason = Escalate one tier: reason
agent-ticket-escalate = Escalate
agent-ticket-deescalate-reason = De-escalate one tier: reason
agent-ticket-deescalate = De-escalate
agent-ticket-spam-hint = Close as spam: the ticket leaves the lists. You will be asked to confirm.
agent-ticket-spam-button = Close as spam…
agent-ticket-spam-question = Close this ticket as spam?
agent-ticket-spam-explanation = The ticket leaves the lists. The shorter spam retention applies only once a second agent confirms; until then queue owners can restore it.
agent-ticket-spam-yes = Yes, close as spam
agent-ticket-cancel = Cancel
agent-ticket-conflict-queue = A ticket can only move to another of your queues.
agent-ticket-spam-confirm-ask = Confirm spam…
agent-ticket-spam-confirm-question = Confirm this ticket as spam?
agent-ticket-spam-confirm-explanation = The shorter spam retention starts now: the ticket is deleted for good when it ends, and queue owners can no longer restore it after that.
agent-ticket-rating = Rating
agent-ticket-rating-offered = Asked, no answer yet
agent-ticket-rating-declined = Declined
agent-ticket-rating-score = { $count ->
    [one] { $count } of 5
   *[other] { $count } of 5
}
