//! Creating an agent of any role, admins included, took no scope at all. It is the
//! operator's now, through a door whose name says so; a web handler holds no such door.

async fn promote(state: &hushdesk::web::WebState) {
    let _ = state.desk.create_agent_as_operator("mallory", hushdesk::domain::Role::Admin).await;
}

fn main() {}
