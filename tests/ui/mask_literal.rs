//! `Mask` is "a mask the redactor gave one value"; a proof's subject is stored only as one, so
//! nothing outside the redactor may make one from a raw address.

fn forged() -> hushdesk::redact::Mask {
    hushdesk::redact::Mask("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa".to_owned())
}

fn main() {}
