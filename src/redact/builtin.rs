//! The default rule set, compiled into the binary so a bare `hushdesk` redacts with no files around.

/// Every file under `redaction-rules/`, by name. A test checks that none is missing.
pub const DEFAULT_RULE_FILES: &[(&str, &str)] = &[
    (
        "addresses.toml",
        include_str!("../../redaction-rules/addresses.toml"),
    ),
    (
        "codes.toml",
        include_str!("../../redaction-rules/codes.toml"),
    ),
    (
        "contact.toml",
        include_str!("../../redaction-rules/contact.toml"),
    ),
    (
        "credentials.toml",
        include_str!("../../redaction-rules/credentials.toml"),
    ),
    (
        "crypto-wallets.toml",
        include_str!("../../redaction-rules/crypto-wallets.toml"),
    ),
    (
        "government-ids.toml",
        include_str!("../../redaction-rules/government-ids.toml"),
    ),
    (
        "names.toml",
        include_str!("../../redaction-rules/names.toml"),
    ),
    (
        "network.toml",
        include_str!("../../redaction-rules/network.toml"),
    ),
    (
        "payment.toml",
        include_str!("../../redaction-rules/payment.toml"),
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_file_in_the_repository_is_built_in() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("redaction-rules");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".toml"))
            .collect();
        on_disk.sort();
        let mut built_in: Vec<String> = DEFAULT_RULE_FILES
            .iter()
            .map(|(n, _)| (*n).to_owned())
            .collect();
        built_in.sort();
        assert_eq!(on_disk, built_in);
    }
}
