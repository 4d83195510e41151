// Rebuild when migrations or built-in rules change: both are embedded in the binary.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=redaction-rules");
}
