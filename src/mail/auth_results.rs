//! `Authentication-Results:` (RFC 8601) as written by the MTA in front of the desk: which
//! header to believe, and whether it says the `From:` domain was authenticated.
//! Headers naming any other host are ignored: a sender can write them into a message.
//!
//! Written here rather than taken from a crate: the Rust parsers found either only build
//! the header (`mail-auth`) or are young and leave DMARC results unparsed
//! (`msg-auth-status` 0.2). This one reads exactly what the contact check needs.

/// One parsed `Authentication-Results:` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthResults {
    /// The host that did the checks, lowercased.
    pub authserv_id: String,
    pub results: Vec<MethodResult>,
}

/// One `method=result` with its properties (`header.d=example.org`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodResult {
    /// The method, lowercased and without a version (`dkim`, `dmarc`, `spf`, …).
    pub method: String,
    /// The result, lowercased (`pass`, `fail`, …).
    pub result: String,
    /// `(ptype.property, value)`, the name lowercased, the value as written.
    pub properties: Vec<(String, String)>,
}

impl MethodResult {
    /// The value of `name` (e.g. `header.d`), if given.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a header value could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthResultsError {
    #[error("a comment or quoted string is not closed")]
    Unclosed,
    #[error("the authserv-id is missing")]
    NoAuthservId,
    #[error("a result is not of the form method=result")]
    BadResult,
}

/// What the trusted MTA said about the `From:` domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderAuthentication {
    /// No trusted MTA is configured: the `From:` address is taken as it is.
    NotChecked,
    /// The trusted MTA's header says DMARC passed (or a DKIM signature aligned with the
    /// `From:` domain did).
    Passed,
    /// A trusted MTA is configured, and its header is missing, unreadable or not a pass.
    Failed,
}

impl SenderAuthentication {
    /// Whether the `From:` address may be compared with a ticket's contact.
    pub fn allows_contact_match(self) -> bool {
        matches!(
            self,
            SenderAuthentication::NotChecked | SenderAuthentication::Passed
        )
    }
}

/// Judges the message's `Authentication-Results:` headers (`values`, raw and in message
/// order, topmost first) for a sender in `from_domain`.
///
/// Only the topmost header naming `trusted` counts: the MTA in front prepends its own, so
/// anything below it, or naming another host, came from elsewhere.
pub fn judge<'v>(
    trusted: Option<&str>,
    values: impl IntoIterator<Item = &'v str>,
    from_domain: &str,
) -> SenderAuthentication {
    let Some(trusted) = trusted else {
        return SenderAuthentication::NotChecked;
    };
    for value in values {
        let Ok(tokens) = lex(value) else {
            // Whose header this is cannot be told, so neither can whether ours is below it.
            return SenderAuthentication::Failed;
        };
        if authserv_id(&tokens).is_none_or(|id| !id.eq_ignore_ascii_case(trusted)) {
            // Another host's header: it may be the sender's own invention.
            continue;
        }
        // The trusted MTA's own header: it decides, and one we cannot read is no pass.
        return match parse_tokens(&tokens) {
            Ok(header) if from_domain_passed(&header, from_domain) => SenderAuthentication::Passed,
            _ => SenderAuthentication::Failed,
        };
    }
    SenderAuthentication::Failed
}

/// DMARC decides when the header has a DMARC result; otherwise a passing DKIM signature
/// whose domain is aligned with `from_domain` (relaxed alignment, RFC 7489 §3.1.1) does.
fn from_domain_passed(header: &AuthResults, from_domain: &str) -> bool {
    let from_domain = from_domain.trim_end_matches('.').to_ascii_lowercase();
    let dmarc: Vec<&MethodResult> = header
        .results
        .iter()
        .filter(|r| r.method == "dmarc")
        .collect();
    if !dmarc.is_empty() {
        return dmarc.iter().all(|r| {
            r.result == "pass"
                && r.property("header.from")
                    .is_none_or(|d| same_domain(d, &from_domain))
        });
    }
    header.results.iter().any(|r| {
        r.method == "dkim"
            && r.result == "pass"
            && r.property("header.d")
                .is_some_and(|d| aligned(d, &from_domain))
    })
}

fn same_domain(a: &str, b: &str) -> bool {
    a.trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim_end_matches('.'))
}

/// `signing` is the `From:` domain or one of its parents. Without the public-suffix list
/// this is narrower than DMARC's organisational domain (a parent signing for a child
/// passes; a sibling does not), so it can refuse a match DMARC allows, never the reverse.
fn aligned(signing: &str, from_domain: &str) -> bool {
    let signing = signing.trim_end_matches('.').to_ascii_lowercase();
    !signing.is_empty() && (from_domain == signing || from_domain.ends_with(&format!(".{signing}")))
}

/// Parses one header value (the part after `Authentication-Results:`).
pub fn parse(value: &str) -> Result<AuthResults, AuthResultsError> {
    parse_tokens(&lex(value)?)
}

/// The authserv-id: the first word, before any `;`.
fn authserv_id(tokens: &[Token]) -> Option<&str> {
    match tokens.first() {
        Some(Token::Word(id)) | Some(Token::Quoted(id)) => Some(id.as_str()),
        _ => None,
    }
}

fn parse_tokens(tokens: &[Token]) -> Result<AuthResults, AuthResultsError> {
    let authserv_id = authserv_id(tokens)
        .ok_or(AuthResultsError::NoAuthservId)?
        .to_ascii_lowercase();
    let mut statements = tokens.split(|t| *t == Token::Semicolon);
    // authserv-id [version]
    statements.next();
    let mut results = Vec::new();
    for statement in statements {
        if let [Token::Word(none)] = statement
            && none.eq_ignore_ascii_case("none")
        {
            continue;
        }
        if statement.is_empty() {
            continue;
        }
        results.push(parse_result(statement)?);
    }
    Ok(AuthResults {
        authserv_id,
        results,
    })
}

/// `method[/version] = result [reason=…] [ptype.property=value …]`
fn parse_result(tokens: &[Token]) -> Result<MethodResult, AuthResultsError> {
    let mut pairs = Vec::new();
    let mut rest = tokens;
    while !rest.is_empty() {
        match rest {
            [
                Token::Word(name),
                Token::Equals,
                Token::Word(value) | Token::Quoted(value),
                tail @ ..,
            ] => {
                pairs.push((name.to_ascii_lowercase(), value.clone()));
                rest = tail;
            }
            _ => return Err(AuthResultsError::BadResult),
        }
    }
    let mut pairs = pairs.into_iter();
    let (method, result) = pairs.next().ok_or(AuthResultsError::BadResult)?;
    let method = method
        .split_once('/')
        .map_or(method.as_str(), |(m, _version)| m)
        .trim()
        .to_owned();
    let mut properties = Vec::new();
    for (name, value) in pairs {
        if name == "reason" {
            continue;
        }
        // Anything else must be `ptype.property`; a second `method=result` without its
        // own `;` is not RFC 8601, and guessing which one counts is how checks get fooled.
        if !name.contains('.') {
            return Err(AuthResultsError::BadResult);
        }
        properties.push((name, value));
    }
    Ok(MethodResult {
        method,
        result: result.to_ascii_lowercase(),
        properties,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
    Equals,
    Semicolon,
}

/// Splits a value into words, quoted strings, `=` and `;`, dropping whitespace and
/// (nested) comments as RFC 5322 CFWS allows anywhere between them.
fn lex(value: &str) -> Result<Vec<Token>, AuthResultsError> {
    let mut tokens = Vec::new();
    let mut chars = value.chars().peekable();
    let mut word = String::new();
    let flush = |word: &mut String, tokens: &mut Vec<Token>| {
        if !word.is_empty() {
            tokens.push(Token::Word(std::mem::take(word)));
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '(' => {
                flush(&mut word, &mut tokens);
                let mut depth = 1usize;
                while depth > 0 {
                    match chars.next().ok_or(AuthResultsError::Unclosed)? {
                        '\\' => {
                            chars.next().ok_or(AuthResultsError::Unclosed)?;
                        }
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                }
            }
            '"' => {
                flush(&mut word, &mut tokens);
                let mut quoted = String::new();
                loop {
                    match chars.next().ok_or(AuthResultsError::Unclosed)? {
                        '\\' => quoted.push(chars.next().ok_or(AuthResultsError::Unclosed)?),
                        '"' => break,
                        other => quoted.push(other),
                    }
                }
                tokens.push(Token::Quoted(quoted));
            }
            '=' => {
                flush(&mut word, &mut tokens);
                tokens.push(Token::Equals);
            }
            ';' => {
                flush(&mut word, &mut tokens);
                tokens.push(Token::Semicolon);
            }
            c if c.is_whitespace() => flush(&mut word, &mut tokens),
            c => word.push(c),
        }
    }
    flush(&mut word, &mut tokens);
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_rfc_8601_examples() {
        // RFC 8601 appendix B.4, with a comment and folding.
        let header = parse(
            "example.com;\r\n\t  spf=pass smtp.mailfrom=example.net\r\n\t  (comment (nested)) dkim=pass header.i=@mail-router.example.net;\r\n  dkim=fail header.i=@newyork.example.com",
        );
        // The second statement has two results in one: not RFC-shaped, so refused whole.
        assert_eq!(header, Err(AuthResultsError::BadResult));

        let header = parse(
            "example.com;\r\n  spf=pass smtp.mailfrom=example.net;\r\n  dkim/1=pass (good) header.i=@mail-router.example.net;\r\n  dkim=fail reason=\"bad; sig\" header.d=\"newyork.example.com\"",
        )
        .unwrap();
        assert_eq!(header.authserv_id, "example.com");
        let methods: Vec<(&str, &str)> = header
            .results
            .iter()
            .map(|r| (r.method.as_str(), r.result.as_str()))
            .collect();
        assert_eq!(
            methods,
            [("spf", "pass"), ("dkim", "pass"), ("dkim", "fail")]
        );
        assert_eq!(
            header.results[2].property("header.d"),
            Some("newyork.example.com")
        );
        assert_eq!(header.results[2].property("reason"), None);

        let none = parse("mx.example.org 1; none").unwrap();
        assert_eq!(none.authserv_id, "mx.example.org");
        assert!(none.results.is_empty());
    }

    #[test]
    fn malformed_values_are_errors_not_passes() {
        assert_eq!(parse(""), Err(AuthResultsError::NoAuthservId));
        assert_eq!(parse("; dmarc=pass"), Err(AuthResultsError::NoAuthservId));
        assert_eq!(
            parse("mx.example.org; dmarc=pass (open"),
            Err(AuthResultsError::Unclosed)
        );
        assert_eq!(
            parse("mx.example.org; dmarc=\"pass"),
            Err(AuthResultsError::Unclosed)
        );
        assert_eq!(
            parse("mx.example.org; dmarc pass"),
            Err(AuthResultsError::BadResult)
        );
    }

    const TRUSTED: Option<&str> = Some("mx.example.org");

    proptest::proptest! {
        /// Whatever a sender writes after another host's name, it never counts as a pass,
        /// and no input makes the parser panic.
        #[test]
        fn a_header_naming_another_host_never_passes(rest in ".{0,200}") {
            let forged = format!("evil.example; {rest}");
            proptest::prop_assert_ne!(
                judge(TRUSTED, [forged.as_str()], "example.net"),
                SenderAuthentication::Passed
            );
            let _ = parse(&rest);
        }
    }

    #[test]
    fn only_the_topmost_trusted_header_counts() {
        let forged_below = [
            "mx.example.org; dmarc=fail header.from=example.net",
            "mx.example.org; dmarc=pass header.from=example.net",
        ];
        assert_eq!(
            judge(TRUSTED, forged_below, "example.net"),
            SenderAuthentication::Failed
        );
        let other_host_first = [
            "evil.example; dmarc=pass header.from=example.net",
            "MX.Example.Org; dmarc=pass (p=reject) header.from=example.net",
        ];
        assert_eq!(
            judge(TRUSTED, other_host_first, "example.net"),
            SenderAuthentication::Passed
        );
        assert_eq!(
            judge(TRUSTED, ["evil.example; dmarc=pass"], "example.net"),
            SenderAuthentication::Failed
        );
        // The trusted host's header unreadable: a pass written below it does not count.
        let unreadable_on_top = [
            "mx.example.org; dmarc=pass dmarc=fail",
            "mx.example.org; dmarc=pass header.from=example.net",
        ];
        assert_eq!(
            judge(TRUSTED, unreadable_on_top, "example.net"),
            SenderAuthentication::Failed
        );
        assert_eq!(
            judge(
                TRUSTED,
                ["(unclosed", "mx.example.org; dmarc=pass"],
                "example.net"
            ),
            SenderAuthentication::Failed
        );
        assert_eq!(
            judge(TRUSTED, [], "example.net"),
            SenderAuthentication::Failed
        );
        assert_eq!(
            judge(None, ["evil.example; dmarc=fail"], "example.net"),
            SenderAuthentication::NotChecked
        );
    }

    #[test]
    fn dmarc_decides_else_an_aligned_dkim_pass() {
        let cases = [
            ("mx.example.org; dmarc=pass header.from=example.net", true),
            (
                "mx.example.org; dmarc=pass header.from=other.example",
                false,
            ),
            (
                "mx.example.org; dkim=pass header.d=example.net; dmarc=fail",
                false,
            ),
            ("mx.example.org; dkim=pass header.d=example.net", true),
            ("mx.example.org; dkim=pass header.d=mail.example.net", false),
            ("mx.example.org; dkim=pass header.d=other.example", false),
            ("mx.example.org; dkim=fail header.d=example.net", false),
            ("mx.example.org; spf=pass smtp.mailfrom=example.net", false),
            ("mx.example.org; none", false),
        ];
        for (value, passes) in cases {
            assert_eq!(
                judge(TRUSTED, [value], "example.net") == SenderAuthentication::Passed,
                passes,
                "{value}"
            );
        }
        // A parent domain's signature is aligned with a subdomain sender.
        assert_eq!(
            judge(
                TRUSTED,
                ["mx.example.org; dkim=pass header.d=example.net"],
                "eu.example.net"
            ),
            SenderAuthentication::Passed
        );
        // Suffix tricks do not align.
        assert_eq!(
            judge(
                TRUSTED,
                ["mx.example.org; dkim=pass header.d=ample.net"],
                "example.net"
            ),
            SenderAuthentication::Failed
        );
    }
}
