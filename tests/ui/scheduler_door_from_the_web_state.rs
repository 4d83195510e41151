//! `SystemDesk::for_scheduler` made the scheduler's door (purge everything, send the outbox)
//! from any open `Desk`, the web state's included. It now comes only with the desk, from
//! `Desk::open_with_scheduler`, and the server wiring keeps it away from the handlers.

fn purge_all(state: &hushdesk::web::WebState) {
    let _ = hushdesk::desk::SystemDesk::for_scheduler(&state.desk);
}

fn main() {}
