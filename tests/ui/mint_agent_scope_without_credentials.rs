//! An agent's scope used to be mintable by anyone: `login_candidate` and
//! `open_session_after_verified_login` were public on a store any module could reach. Now
//! only `Desk::sign_in` (password, then second factor) or a live session makes an agent.

async fn impersonate(desk: &hushdesk::desk::Desk) {
    let candidate = desk.store.login_candidate("admin").await;
    let _ = candidate;
}

fn main() {}
