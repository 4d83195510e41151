# Shared by every page.
lang-name = English
skip-to-content = Skip to content
tickets-count = { $count ->
    [one] { $count } ticket
   *[other] { $count } tickets
}

## Dates: "26 Nov 2026, 14:05 MSK". Requesters see UTC with the desk's time beside it.
date = { $day } { $month } { $year }
date-time = { $date }, { $time } { $zone }
date-and-time = { $date }, { $time }
time-with-desk-zone = { $time } ({ $local } { $zone })
month-1 = Jan
month-2 = Feb
month-3 = Mar
month-4 = Apr
month-5 = May
month-6 = Jun
month-7 = Jul
month-8 = Aug
month-9 = Sep
month-10 = Oct
month-11 = Nov
month-12 = Dec

## Durations
span-minutes = { $minutes }m
span-hours-minutes = { $hours }h { $minutes }m
span-days-hours = { $days }d { $hours }h
sla-left = { $span } left
sla-overdue = overdue by { $span }
sla-met = met
sla-none = –
sla-stopped = stopped: closed without a reply

## Ticket states, as people read them
status-new = New
status-open = Open
status-pending-requester = Waiting for the requester
status-escalated = Escalated
status-resolved = Resolved
status-closed = Closed
priority-P1 = P1 · urgent
priority-P2 = P2 · high
priority-P3 = P3 · normal
priority-P4 = P4 · low
category-security = Security
category-outage = Outage
category-billing = Billing
category-functionality = Something does not work
category-onboarding = Getting started
category-data-request = Personal data request
category-unsorted = Not sorted
role-l1 = L1 agent
role-l2 = L2 agent
role-l3 = L3 agent
role-admin = Administrator
tier = L{ $tier }

## The public layout
public-title = Support
public-tagline = private support
staff-sign-in-footer = Signing in sets one session cookie, which is removed when you sign out.
public-footer = No tracking, no cookies, no third-party resources. Personal data in your message is masked before it is stored.
language-switch-label = Language

## The staff layout
staff-title = Desk
staff-nav-label = Staff
nav-tickets = Tickets
nav-break-glass = Break glass
nav-account = Account
nav-admin = Admin
nav-who = { $name } ({ $role })
nav-sign-out = Sign out
nav-initial-password = You are still using the initial password.
nav-choose-password = Choose your own
staff-footer = Every page you open here is recorded in the audit log.
