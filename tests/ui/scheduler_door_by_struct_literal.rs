//! Nor can the scheduler's door be put together from the web state's desk by hand: its
//! field is the desk module's own.

fn purge_all(state: &hushdesk::web::WebState) -> hushdesk::desk::SystemDesk {
    hushdesk::desk::SystemDesk { desk: state.desk.clone() }
}

fn main() {}
