# Pages for people filing and following a request.
new-title = Contact support
new-intro = You do not need an account. After sending you get a private link: it is the only way back to your request, so keep it safe.
new-no-secrets = Do not include passwords, card numbers or other secrets. Anything that looks like personal data (e-mail addresses, card numbers…) is masked before your message is stored.
new-fix-these = Please fix the following:
new-topic = Category
new-your-message = Your message
new-how-to-reply = Optional: how we may reply to you
new-contact = E-mail address for replies (optional)
new-contact-hint = Sealed with encryption and never shown to support staff. Leave it empty to follow your request only through the private link.
new-pgp-key = Your OpenPGP public key (optional)
new-pgp-key-hint = If you give a key, every e-mail we send you is encrypted to it. Our key:
new-fingerprint = fingerprint
new-leave-empty = Leave this empty
new-send = Send request
new-preview = Preview what will be masked
new-honeypot = This form could not be accepted. If you are a person, leave the field marked “Leave this empty” empty and send it again.

## A submission the desk could not take now: nothing was stored, the text is kept on the page.
refused-wait = { $count ->
    [one] Too many requests from your network just now. Nothing was sent or stored; your text is still below. Please send it again in { $count } second.
   *[other] Too many requests from your network just now. Nothing was sent or stored; your text is still below. Please send it again in { $count } seconds.
}
refused-wait-minutes = { $count ->
    [one] Too many requests from your network just now. Nothing was sent or stored; your text is still below. Please send it again in { $count } minute.
   *[other] Too many requests from your network just now. Nothing was sent or stored; your text is still below. Please send it again in { $count } minutes.
}
refused-wait-hours = { $count ->
    [one] Too many requests from your network just now. Nothing was sent or stored; your text is still below. Please send it again in { $count } hour.
   *[other] Too many requests from your network just now. Nothing was sent or stored; your text is still below. Please send it again in { $count } hours.
}
refused-busy = The desk is busy right now. Nothing was sent or stored; your text is still below. Please send it again in a moment.
refused-other = Your request could not be taken just now. Nothing was sent or stored; your text is still below. Please try again.
refused-too-large = Your text is too long to be sent. Nothing was stored; shorten it and send it again.

preview-title = Check before sending
preview-nothing = Nothing in your message looks like personal data or a secret: it will be stored as written.
preview-explain-before = Before your request is stored, the
preview-highlighted = highlighted
preview-explain-after = parts will be replaced by the label shown after them. Support staff will see only the label.
preview-keep-hint = Where support needs it (for example a name or an address they should write to), you may tick it to keep it as written. Card numbers, passwords, keys and codes are always masked.
preview-keep = keep “{ $value }” as written
preview-replies = Replies
preview-replies-to = Replies will be sent to:
preview-no-contact = No contact address: you will read replies on the request's page only.
preview-encrypted-to = Replies will be encrypted to:
preview-not-yours = If this is not your address or key, do not send: go back with Edit.
preview-same-label = The same value gets the same label wherever it appears, and support staff will see these labels in place of the values.
preview-edit = Edit
preview-start-again = Start again
preview-clears = (clears everything you wrote)
preview-key = OpenPGP key { $fingerprint }
preview-key-with-addresses = OpenPGP key { $fingerprint } ({ $addresses })
preview-key-unreadable = a key is attached, but it cannot be read: sending will be refused

created-title = Request { $reference } received
created-save-link = Save this link now. It is the only way back to your request.
created-shown-once = It is shown once and we cannot send it again: we do not keep it.
created-path-only = This is the address of your request on this site: keep it with the site's address in front, or bookmark the link.
created-do-not-share = Anyone who has this link can read and delete your request, so do not share it.
created-masked = Before storing your message we masked:
created-reference-before = Your reference is
created-reference-after = Quote it if you write to us; it does not give access to your request.

ticket-status = Status:
ticket-opened = opened { $when }
ticket-conversation = Conversation
ticket-you = You
ticket-support = Support
ticket-reply = Reply
ticket-reply-by-mail = You can also reply by e-mail from the address you gave, to
ticket-reply-by-mail-private = Keep this address private: it leads to this request.
ticket-send-reply = Send reply
ticket-delete-heading = Delete this request
ticket-delete-what = Deletes the request and the whole conversation at once. This cannot be undone.
ticket-delete-button = Delete…
public-status-new = Received: waiting for the support team
public-status-open = Open: the support team is working on it
public-status-pending-requester = Waiting for your answer
public-status-escalated = Passed to a specialist
public-status-resolved = Resolved
public-status-closed = Closed

delete-title = Delete { $reference }?
delete-what = The request, every message in it and everything we kept for replying to you will be deleted now. Nobody, including support staff, can bring it back.
delete-yes = Yes, delete it now
delete-no = No, keep it
deleted-title = { $reference } deleted
deleted-heading = { $reference } has been deleted
deleted-what = Deleted at { $when }: the request, its messages, and the sealed contact details and key. Only the reference, category, queue and dates are kept, with no content, so that we can count deletions.
deleted-link-gone = Your private link no longer works.
deleted-receipt = Deletion receipt
deleted-receipt-what = Keep this if you want proof. It is signed with this helpdesk's OpenPGP key
deleted-public-key = public key
deleted-receipt-check = check it with any OpenPGP tool, for example
deleted-new-request = File a new request

## What a mask stands for ("[PHONE-1]" is a phone number).
mask-ACCOUNT = Account numbers
mask-ADDRESS = Postal addresses
mask-API_KEY = API keys
mask-AUTH = Credentials
mask-AWS_KEY = Cloud access keys
mask-AWS_SECRET = Cloud secret keys
mask-BTC = Bitcoin addresses
mask-CARD = Card numbers
mask-CARD_EXPIRY = Card expiry dates
mask-COOKIE = Session cookies
mask-CVV = Card security codes
mask-DOB = Dates of birth
mask-EMAIL = E-mail addresses
mask-ETH = Ethereum addresses
mask-IBAN = Bank account numbers (IBAN)
mask-INN = Taxpayer numbers (INN)
mask-IP = IP addresses
mask-JWT = Access tokens
mask-MAC = Device hardware addresses
mask-NAME = Names
mask-OTP = One-time codes
mask-PASSPORT = Passport numbers
mask-PASSPORT_DIVISION = Passport office codes
mask-PASSWORD = Passwords
mask-PHONE = Phone numbers
mask-PIN = PIN codes
mask-PRIVATE_KEY = Private keys
mask-SECRET = Secrets
mask-SNILS = Insurance numbers (SNILS)
mask-SSN = Social security numbers
mask-TOKEN = Tokens
mask-URL_CREDENTIALS = Passwords in links
mask-WEBHOOK = Webhook addresses
mask-other = Other personal data
reply-refused-title = Your reply was not sent
reply-refused-back = Back to the request

## Attachments
attachments-label = Files (optional)
attachments-limits = Up to { $count } files, { $size } MB each. Text files (logs, configuration) are masked like your message.
attachments-retention = { $count ->
    [one] Files other than text are kept sealed for { $count } day, then deleted.
   *[other] Files other than text are kept sealed for { $count } days, then deleted.
}
attachments-retention-unknown = Files other than text are kept sealed for a limited time, then deleted.
attachments-images = Pictures are stored without their hidden details (location, camera, time taken).
attachments-held-back-no-scanner = This desk accepts only text files, so these were not sent: { $names }. Your text was sent without them.
attachments-held-back = Attachments cannot be accepted right now, so these were not sent: { $names }. Your text was sent without them.
attachments-sent = { $count ->
    [one] { $count } file was sent with it.
   *[other] { $count } files were sent with it.
}
preview-files-again = You chose these files: { $names }. They are not kept for the preview: choose them again below before sending.
attachment-size-kb = { $count ->
    [one] { $count } KB
   *[other] { $count } KB
}
attachment-sealed-until = sealed; deleted on { $when }
attachment-kept-as-text = text, masked like the message; kept with the request

rating-heading = How did we do?
rating-decline = No thanks
rating-comment = A comment, if you like (optional)
rating-hint = Personal data in the comment is masked before it is stored, like in any message. You are asked once: after you answer or decline, this goes away. Nothing on this page tracks you. The comment goes with a rating: “No thanks” sends nothing, not even the comment.
rating-legend = Your rating, from 1 (poor) to 5 (excellent)
rating-score-label = { $count ->
    [one] { $count } of 5
   *[other] { $count } of 5
}
rating-thanks = { $count ->
    [one] Thank you: you rated our help { $count } of 5.
   *[other] Thank you: you rated our help { $count } of 5.
}
rating-score-invalid = Choose a rating from 1 to 5, or decline.
rating-decline-alone = Declining takes no score and no comment: send one or the other.
