//! The redaction rules as Vectorscan sees them: every `regex` of `redaction-rules/*.toml`, and the
//! mechanical translation from Rust `regex` syntax to Hyperscan's PCRE subset.

use std::path::Path;

/// One rule's regex, as written and as handed to Vectorscan.
pub struct RuleRegex {
    pub file: String,
    pub id: String,
    /// The regex exactly as the rule file writes it (Rust `regex` syntax).
    pub rust: String,
    /// The same regex after the mechanical translation.
    pub translated: String,
    /// Which translations were applied (empty: the regex is handed over unchanged).
    pub translations: Vec<&'static str>,
    /// The rule's anchor keywords (empty: it is woken by its `scope`, or runs everywhere).
    pub keywords: Vec<String>,
}

/// Every rule of every `*.toml` in `dir`, files in name order, rules in file order.
pub fn load(dir: &Path) -> Result<Vec<RuleRegex>, Box<dyn std::error::Error>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut rules = Vec::new();
    for path in files {
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let table: toml::Table = std::fs::read_to_string(&path)?.parse()?;
        let Some(list) = table.get("rule").and_then(|r| r.as_array()) else {
            continue;
        };
        for rule in list {
            let id = rule.get("id").and_then(|v| v.as_str()).unwrap_or("?");
            let Some(rust) = rule.get("regex").and_then(|v| v.as_str()) else {
                continue;
            };
            let (translated, translations) = translate(rust);
            let keywords = rule
                .get("keywords")
                .and_then(|k| k.as_array())
                .map(|k| {
                    k.iter()
                        .filter_map(|w| w.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            rules.push(RuleRegex {
                file: file.clone(),
                id: id.to_owned(),
                rust: rust.to_owned(),
                translated,
                translations,
                keywords,
            });
        }
    }
    Ok(rules)
}

/// Rewrites what Vectorscan refuses in Rust `regex` syntax. Named groups need nothing: Hyperscan
/// parses `(?P<name>…)` (and reports no captures anyway).
fn translate(rust: &str) -> (String, Vec<&'static str>) {
    let mut out = rust.to_owned();
    let mut applied = Vec::new();
    // `(?-u:\b)` (an ASCII word boundary) is Rust-only syntax, and Vectorscan refuses every
    // word boundary in UCP mode ("\b unsupported in UCP mode"); without UCP `\w`, `\d`, `\s`
    // would turn ASCII and `\b` would see a Cyrillic letter as a non-word character. So every
    // boundary is dropped: the pattern then matches a SUPERSET of what the rule matches, and
    // only the exact Rust regex, run at the candidate, decides (what the engine already does
    // for its own `\b`-free pre-pass).
    if out.contains(r"(?-u:\b)") || out.contains(r"(?-u:\B)") {
        out = out.replace(r"(?-u:\b)", "").replace(r"(?-u:\B)", "");
        applied.push(r"(?-u:\b) dropped");
    }
    let dropped = drop_word_boundaries(&out);
    if dropped != out {
        out = dropped;
        applied.push(r"\b dropped");
    }
    (out, applied)
}

/// Removes every `\b` and `\B` outside character classes (inside one, `[\b]` is a backspace).
fn drop_word_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('b' | 'B') if !in_class => {}
                Some(next) => {
                    out.push(c);
                    out.push(next);
                }
                None => out.push(c),
            },
            '[' => {
                in_class = true;
                out.push(c);
            }
            ']' => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// A rule's keywords as one pattern: an alternation of the escaped words (matched caseless).
pub fn keyword_pattern(keywords: &[String]) -> String {
    keywords
        .iter()
        .map(|k| regex::escape(k))
        .collect::<Vec<_>>()
        .join("|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_boundaries_are_dropped_outside_classes() {
        let (out, applied) = translate(r"(?-u:\b)AKIA\d(?-u:\B)");
        assert_eq!(out, r"AKIA\d");
        assert_eq!(applied, [r"(?-u:\b) dropped"]);
        let (out, applied) = translate(r"(?i)\bpin\b[\b]\\b");
        assert_eq!(out, r"(?i)pin[\b]\\b");
        assert_eq!(applied, [r"\b dropped"]);
    }
}
