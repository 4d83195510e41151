#!/usr/bin/env bash
# Refreshes the README's pictures of the agent's ticket list and a ticket, in Russian, from the
# browser journey that takes them (needs what `make test-deps browser-deps` installs). The
# journey's pages are numbered in the order it checks them: 1 the sign-in, 2 the list, 3 the
# ticket; `-view` is the first screen of a page, not the whole of it.
set -euo pipefail
cd "$(dirname "$0")/../.."
HUSHDESK_REQUIRE_BROWSER=1 cargo test --test api \
  browser_journeys::an_agent_opens_the_list_and_a_ticket_in_both_languages_with_and_without_javascript
mkdir -p docs/screenshots
cp target/screenshots/agent-ru-nojs-2-view.png docs/screenshots/agent-list-ru.png
cp target/screenshots/agent-ru-nojs-3-view.png docs/screenshots/agent-ticket-ru.png
echo "docs/screenshots/ updated"
