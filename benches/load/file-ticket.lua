-- wrk script: file tickets through the JSON API, each with an e-mail address and a card to redact.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"subject":"Charged twice, card 4111 1111 1111 1111","body":"Hello, please write to jane.doe+billing@example.org. Order 4417-2231, app version 3.14.2. Card 5555-5555-5555-4444 was charged twice on 2026-11-02.","category":"billing","contact":"jane.doe@example.org"}'
