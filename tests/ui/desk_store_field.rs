//! `intake::Desk` exposed `pub store`, so every module could call the store directly.

fn side_door(desk: &hushdesk::desk::Desk) {
    let _ = &desk.store;
}

fn main() {}
