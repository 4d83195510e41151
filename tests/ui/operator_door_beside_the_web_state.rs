//! `OperatorDesk::beside` made the operator's door (create an admin, purge, holds) from any
//! open `Desk`, and every web handler holds one in its state. The operator's door now comes
//! only from `OperatorDesk::open` on the data directory, as the command line does.

fn promote(state: &hushdesk::web::WebState) {
    let _ = hushdesk::desk::OperatorDesk::beside(&state.desk);
}

fn main() {}
