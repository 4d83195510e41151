//! Recovery codes and one-time tokens as the desk compares them, and the token lists admins
//! import. A code is compared after normalisation, so the way a person copies it (spaces,
//! dashes, upper or lower case) does not decide whether it proves anything.

/// Most characters a code may have after normalisation; a longer one is no code.
pub const MAX_CODE_CHARS: usize = 256;
/// Fewest characters a token in an imported list must have after normalisation: a shorter
/// one could be guessed within the failures a ticket is allowed.
pub const MIN_TOKEN_CHARS: usize = 6;
/// Most tokens one import may hold.
pub const MAX_TOKENS_PER_LIST: usize = 100_000;
/// Most characters of a list's name.
pub const MAX_LIST_NAME_CHARS: usize = 100;

/// A code as compared: every white space and dash (ASCII `-` and the Unicode hyphens, dashes
/// and minus signs) dropped, the rest in lower case. `ab12-CD34 ef56` and `AB12CD34EF56` are
/// one code.
pub fn normalized_code(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !is_dash(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}'
    )
}

/// Why an import of a token list was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenListError {
    #[error("give the list a name")]
    EmptyName,
    #[error("the list's name is longer than {MAX_LIST_NAME_CHARS} characters")]
    NameTooLong,
    #[error("the list's name must not contain control characters")]
    NameControlCharacters,
    #[error("the list holds no tokens")]
    NoTokens,
    #[error("the list holds more than {MAX_TOKENS_PER_LIST} tokens")]
    TooManyTokens,
    /// A line whose token is shorter than `MIN_TOKEN_CHARS` or longer than `MAX_CODE_CHARS`
    /// once normalised (counted from 1; the token itself is never repeated).
    #[error(
        "the token on line {line} is shorter than {MIN_TOKEN_CHARS} or longer than {MAX_CODE_CHARS} characters"
    )]
    BadToken { line: usize },
}

impl TokenListError {
    /// The catalogue key of its wording.
    pub fn key(&self) -> &'static str {
        match self {
            TokenListError::EmptyName => "proofs-error-empty-name",
            TokenListError::NameTooLong => "proofs-error-name-too-long",
            TokenListError::NameControlCharacters => "proofs-error-name-control",
            TokenListError::NoTokens => "proofs-error-no-tokens",
            TokenListError::TooManyTokens => "proofs-error-too-many",
            TokenListError::BadToken { .. } => "proofs-error-bad-token",
        }
    }

    /// The form field it is about.
    pub fn field(&self) -> &'static str {
        match self {
            TokenListError::EmptyName
            | TokenListError::NameTooLong
            | TokenListError::NameControlCharacters => "name",
            _ => "tokens",
        }
    }
}

/// A list's name, trimmed and checked.
pub fn token_list_name(text: &str) -> Result<String, TokenListError> {
    let name = text.trim();
    if name.is_empty() {
        return Err(TokenListError::EmptyName);
    }
    if name.chars().count() > MAX_LIST_NAME_CHARS {
        return Err(TokenListError::NameTooLong);
    }
    if name.chars().any(char::is_control) {
        return Err(TokenListError::NameControlCharacters);
    }
    Ok(name.to_owned())
}

/// The normalised tokens of a list, one a line (blank lines skipped).
pub fn token_lines(text: &str) -> Result<Vec<String>, TokenListError> {
    let mut tokens = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let token = normalized_code(line);
        if token.is_empty() {
            continue;
        }
        if !(MIN_TOKEN_CHARS..=MAX_CODE_CHARS).contains(&token.chars().count()) {
            return Err(TokenListError::BadToken { line: index + 1 });
        }
        if tokens.len() == MAX_TOKENS_PER_LIST {
            return Err(TokenListError::TooManyTokens);
        }
        tokens.push(token);
    }
    if tokens.is_empty() {
        return Err(TokenListError::NoTokens);
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_dashes_and_case_do_not_matter() {
        for spelling in [
            "AB12-CD34-EF56",
            "ab12cd34ef56",
            "  ab12 cd34 ef56\t",
            "Ab12\u{2013}Cd34\u{2011}eF56",
            "AB12\u{00A0}CD34\u{3000}EF56",
        ] {
            assert_eq!(normalized_code(spelling), "ab12cd34ef56", "{spelling:?}");
        }
        assert_eq!(normalized_code("КОД-Тест"), "кодтест");
        assert_ne!(normalized_code("ab12_cd34"), normalized_code("ab12cd34"));
    }

    #[test]
    fn a_list_is_one_token_a_line_and_refuses_what_could_be_guessed() {
        assert_eq!(
            token_lines("AAAA-1111\r\n\n  bbbb 2222 \n").unwrap(),
            ["aaaa1111", "bbbb2222"]
        );
        assert_eq!(
            token_lines("aaaa-1111\nabc\n"),
            Err(TokenListError::BadToken { line: 2 })
        );
        assert_eq!(token_lines(" \n\n"), Err(TokenListError::NoTokens));
        let long = "x".repeat(MAX_CODE_CHARS + 1);
        assert_eq!(
            token_lines(&long),
            Err(TokenListError::BadToken { line: 1 })
        );
        assert_eq!(
            token_list_name("  codes 2026-11 ").unwrap(),
            "codes 2026-11"
        );
        assert_eq!(token_list_name(" "), Err(TokenListError::EmptyName));
        assert_eq!(
            token_list_name("a\u{7}b"),
            Err(TokenListError::NameControlCharacters)
        );
    }
}
