// Rebuild when migrations, built-in rules or message catalogues change: all are embedded in
// the binary (the catalogues by `fluent_templates::static_loader!`, which does not track them).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=redaction-rules");
    println!("cargo:rerun-if-changed=locales");
}
