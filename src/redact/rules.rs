//! Rule files: parsing, compiling and self-checking against each rule's own examples.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use regex::Regex;
use serde::Deserialize;

use super::validators::Validator;

/// Why a rule set was refused. Names the file and the rule so an operator can fix it.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("{file}: cannot read: {reason}")]
    Read { file: String, reason: String },
    #[error("{file}: not a valid rule file: {reason}")]
    Syntax { file: String, reason: String },
    #[error("{file}: rule {rule:?}: {reason}")]
    Rule {
        file: String,
        rule: String,
        reason: String,
    },
    #[error("no rule files found in {0}")]
    Empty(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: String,
    description: String,
    mask: String,
    regex: String,
    #[serde(default)]
    keywords: Vec<String>,
    validator: Option<String>,
    #[serde(default)]
    normalize: Normalize,
    #[serde(default)]
    user_may_keep: bool,
    #[serde(default)]
    secret: bool,
    #[serde(default)]
    examples: Vec<String>,
    #[serde(default)]
    counterexamples: Vec<String>,
}

/// How a found value is put in canonical form before it is numbered, so that
/// `4111 1111 1111 1111` and `4111-1111-1111-1111` get the same mask.
#[derive(Debug, Default, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Normalize {
    #[default]
    None,
    Lowercase,
    Digits,
}

impl Normalize {
    pub fn apply(self, value: &str) -> String {
        match self {
            Normalize::None => value.to_owned(),
            Normalize::Lowercase => value.to_lowercase(),
            Normalize::Digits => value.chars().filter(char::is_ascii_digit).collect(),
        }
    }
}

/// One compiled rule.
#[derive(Debug)]
pub struct Rule {
    pub id: Arc<str>,
    pub description: String,
    pub mask: String,
    pub regex: Regex,
    /// Lowercased literals; the rule only runs when one occurs in the text.
    pub keywords: Vec<String>,
    pub validator: Option<Validator>,
    pub normalize: Normalize,
    /// The requester may choose to keep this finding unmasked (never for secrets).
    pub user_may_keep: bool,
    pub examples: Vec<String>,
    pub counterexamples: Vec<String>,
}

/// Largest compiled program a rule may produce: a hostile rule file must not exhaust memory.
const REGEX_SIZE_LIMIT: usize = 16 * 1024 * 1024;
const MASK_LABEL_MAX: usize = 24;

/// Parses and compiles the rules of one file; `known_ids` catches duplicates across files.
pub fn compile_file(
    file: &str,
    text: &str,
    known_ids: &mut HashSet<String>,
) -> Result<Vec<Rule>, RuleError> {
    let parsed: RuleFile = toml::from_str(text).map_err(|e| RuleError::Syntax {
        file: file.to_owned(),
        reason: e.message().to_owned(),
    })?;
    parsed
        .rule
        .into_iter()
        .map(|spec| compile_rule(file, spec, known_ids))
        .collect()
}

fn compile_rule(
    file: &str,
    spec: RuleSpec,
    known_ids: &mut HashSet<String>,
) -> Result<Rule, RuleError> {
    let fail = |reason: String| RuleError::Rule {
        file: file.to_owned(),
        rule: spec.id.clone(),
        reason,
    };
    let id_ok = !spec.id.is_empty()
        && spec.id.len() <= 64
        && spec
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !id_ok {
        return Err(fail("id must be 1–64 characters of a-z, 0-9 and _".into()));
    }
    if !known_ids.insert(spec.id.clone()) {
        return Err(fail("duplicate rule id".into()));
    }
    let mask_ok = !spec.mask.is_empty()
        && spec.mask.len() <= MASK_LABEL_MAX
        && spec
            .mask
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if !mask_ok {
        return Err(fail(format!(
            "mask must be 1–{MASK_LABEL_MAX} characters of A-Z, 0-9 and _"
        )));
    }
    if spec.secret && spec.user_may_keep {
        return Err(fail("a secret can never be kept by the user".into()));
    }
    if spec.description.trim().is_empty() {
        return Err(fail("description is empty".into()));
    }
    let regex = regex::RegexBuilder::new(&spec.regex)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| fail(format!("bad regex: {e}")))?;
    let validator = spec
        .validator
        .as_deref()
        .map(|name| {
            Validator::from_name(name).ok_or_else(|| fail(format!("unknown validator {name:?}")))
        })
        .transpose()?;
    if spec.examples.is_empty() {
        return Err(fail("at least one example is required".into()));
    }
    let rule = Rule {
        id: Arc::from(spec.id.as_str()),
        description: spec.description,
        mask: spec.mask,
        regex,
        keywords: spec.keywords.iter().map(|k| k.to_lowercase()).collect(),
        validator,
        normalize: spec.normalize,
        user_may_keep: spec.user_may_keep,
        examples: spec.examples,
        counterexamples: spec.counterexamples,
    };
    for example in &rule.examples {
        if rule.find_in(example).next().is_none() {
            return Err(fail(format!("example {example:?} does not match")));
        }
    }
    for counterexample in &rule.counterexamples {
        if rule.find_in(counterexample).next().is_some() {
            return Err(fail(format!("counterexample {counterexample:?} matches")));
        }
    }
    Ok(rule)
}

impl Rule {
    /// Validated matches of this rule alone, as byte ranges. Keywords are not consulted here.
    pub fn find_in<'t>(
        &'t self,
        text: &'t str,
    ) -> impl Iterator<Item = std::ops::Range<usize>> + 't {
        let value_group = self.regex.capture_names().position(|n| n == Some("value"));
        self.regex.captures_iter(text).filter_map(move |caps| {
            let whole = caps.get(0)?;
            let span = match value_group {
                Some(i) => caps.get(i)?,
                None => whole,
            };
            match self.validator {
                None => Some(span.range()),
                Some(validator) => {
                    let len = validator.valid_prefix(span.as_str())?;
                    Some(span.start()..span.start() + len)
                }
            }
        })
    }
}

/// Loads every `*.toml` file of a directory, in name order.
pub fn load_dir(dir: &Path) -> Result<Vec<(String, String)>, RuleError> {
    let display = dir.display().to_string();
    let entries = std::fs::read_dir(dir).map_err(|e| RuleError::Read {
        file: display.clone(),
        reason: e.to_string(),
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| RuleError::Read {
            file: display.clone(),
            reason: e.to_string(),
        })?;
        let path = entry.path();
        if path.extension().is_some_and(|ext| ext == "toml") {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|e| RuleError::Read {
                file: name.clone(),
                reason: e.to_string(),
            })?;
            files.push((name, text));
        }
    }
    if files.is_empty() {
        return Err(RuleError::Empty(display));
    }
    files.sort();
    Ok(files)
}
