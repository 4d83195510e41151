# What the desk mails a requester on its own.
mail-received-subject = We received your request
mail-received-body =
    We received your request { $reference }.

    Reply to this mail to add to it. You can also read the conversation, reply or delete the request at any time through this private link on our support site (keep it to yourself):

    { $link }

    Personal data in your message was masked before it was stored.
mail-reply-subject = Reply from support
mail-resolved-subject = Resolved
mail-resolved-body = Your request { $reference } is now resolved. If anything is left open, reply to this mail and it opens again. If you would like to tell us how we did, open your ticket through the secret link from our first mail: its page asks once for a rating from 1 to 5, and declining is one click. This mail carries no link and nothing that follows you.
mail-closed-subject = Closed
mail-closed-body = Your request { $reference } is now closed. If anything is left open, reply to this mail and it opens again.
mail-auto-closed-subject = Closed
mail-auto-closed-body = { $count ->
    [one] This ticket was closed automatically because we had no answer from you for { $count } working day. If you still need help, reply here and it opens again.
   *[other] This ticket was closed automatically because we had no answer from you for { $count } working days. If you still need help, reply here and it opens again.
}

## The signed deletion receipt.
receipt =
    hushdesk deletion receipt
    Helpdesk: { $address }
    Reference: { $reference }
    Deleted at: { $when }
    Reason: deleted at the requester's request
    Deleted: { $deleted }.
    Kept: the reference, category, queue and dates, with no content, for counting.
receipt-request = the request and its subject
receipt-messages = { $count ->
    [one] { $count } message
   *[other] { $count } messages
}
receipt-attachments = { $count ->
    [one] { $count } attachment
   *[other] { $count } attachments
}
receipt-contact = the sealed contact address
receipt-pinned-key = the pinned OpenPGP key
receipt-ticket-key = the request's own encryption key
