# The agent's own account page.
account-title = Account
account-heading = Your account
account-preferences = Language and time zone
account-language = Language of your pages
account-language-browser = As my browser asks
account-time-zone = Time zone for dates
account-time-zone-desk = The desk's time zone
account-time-zone-now = Dates are now shown in { $zone }.
account-save = Save
account-preferences-saved = Saved.
account-unknown-zone = Choose a time zone from the list.
account-second-factor = Second factor
account-totp-add = Add this to your authenticator app (most apps accept the text below pasted as a key URI), then enter the code it shows.
account-totp-until = Until you do, your current second factor stays in force.
account-code = Code
account-turn-on = Turn on
account-totp-set = Set up: signing in needs a code from your authenticator app.
account-totp-replace-why = Replace it if someone else set it up for you or you have a new phone: whoever held the old one can no longer use it.
account-current-code = Current code from your authenticator
account-replace-totp = Replace second factor
account-totp-none = Not set up. A code from an authenticator app makes a stolen password useless on its own.
account-set-up-totp = Set up a second factor
account-change-password = Change password
account-current-password = Current password
account-new-password = { $count ->
   *[other] New password (at least { $count } characters)
}
account-new-password-again = New password again
account-sign-out-everywhere = Sign out everywhere
account-sign-out-everywhere-what = Ends every session and API token you have, on every device, this one included.
account-passwords-differ = The two new passwords differ.
account-password-wrong = The current password is wrong.
account-password-locked = Too many wrong passwords: password changes are locked for a while.
account-password-changed = Password changed. Your other sessions were signed out.
account-password-short = The new password is too short.
account-totp-exists = A second factor is already set up.
account-totp-on = Second factor on: signing in now needs a code.
account-totp-mismatch = That code did not match. Start the set-up again and enter the current code.
account-totp-replace-refused = That code did not match your current authenticator, or too many codes failed lately; try again later.

## Signing in, enrolment and break-glass.
login-title = Sign in
login-heading = Agent sign-in
login-code = Code from your authenticator (if you have one)
login-submit = Sign in
login-form-expired = This sign-in form expired or did not come from this site. Please sign in again.
login-failed = Sign-in failed. Check the name, password and code; after several failures the account is locked for a while.
enrol-title = Choose your credentials
enrol-for = This link is for { $agent } ({ $role }). It works once. Whoever gave it to you never sees what you choose here.
enrol-totp-add = Add this to your authenticator app (most apps accept the URI pasted as a key URI, or the key typed in), then enter the code it shows.
enrol-key-uri = Key URI:
enrol-key = Key:
enrol-finish = Save and finish
enrol-out-of-date = The form is out of date; open the link again.
enrol-other-browser = This link was opened in another browser; open it again here to get a new code.
enrol-mismatch = The two passwords differ.
enrol-too-short = { $count ->
   *[other] The password is too short: use at least { $count } characters.
}
enrol-code = That code did not match; enter the current code from your authenticator.
enrolled-title = Enrolled
enrolled-heading = You are enrolled
enrolled-what = { $agent }, your new credentials are set. The link no longer works.
break-glass-heading = Break-glass access
break-glass-what = { $count ->
    [one] Open one ticket outside your queues or tier, read-only, for { $count } minute. Your justification is kept, the access is recorded in the audit log, and the ticket's queue members and the admins are alerted.
   *[other] Open one ticket outside your queues or tier, read-only, for { $count } minutes. Your justification is kept, the access is recorded in the audit log, and the ticket's queue members and the admins are alerted.
}
break-glass-reference = Ticket reference
break-glass-justification = Justification
break-glass-open = Open the ticket
break-glass-not-a-reference = That is not a ticket reference (HD- and eight characters).
break-glass-justify = Write a justification.
break-glass-not-found = No ticket with that reference can be opened this way.
