//! Canonical forms of found values, so that a ticket's mask numbers follow the value and
//! not the way it happened to be written. Never used for matching, only for numbering and
//! for comparing a finding with the organisation's allowlist.

use super::rules::Normalize;

impl Normalize {
    pub fn apply(self, value: &str) -> String {
        match self {
            Normalize::None => value.to_owned(),
            Normalize::Lowercase => value.to_lowercase(),
            Normalize::Digits => value.chars().filter_map(decimal_digit).collect(),
            Normalize::Alnum => alnum(value),
            Normalize::Phone => e164(value, "1"),
            Normalize::PhoneRu => e164(value, "7"),
            Normalize::Email => email(value),
            Normalize::Name => name(value),
            Normalize::Date => date(value).unwrap_or_else(|| folded_words(value)),
        }
    }
}

/// An ASCII or full-width decimal digit as ASCII: editors and phone keyboards in East Asian
/// input modes produce the latter, and the engine matches them as the former.
fn decimal_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')),
        _ => None,
    }
}

fn alnum(value: &str) -> String {
    value
        .chars()
        .filter_map(|c| decimal_digit(c).or_else(|| c.is_alphabetic().then_some(c)))
        .flat_map(char::to_uppercase)
        .collect()
}

/// A phone number in E.164 form. `ten_digits_country` is the country code a bare ten-digit
/// number belongs to: the rule that found it knows which numbering plan it is written in.
fn e164(value: &str, ten_digits_country: &str) -> String {
    let written_with_plus = value.trim_start().starts_with(['+', '＋']);
    let digits: String = value.chars().filter_map(decimal_digit).collect();
    if written_with_plus {
        return format!("+{digits}");
    }
    // International call prefixes: `00` almost everywhere, `8 10` from old Russian lines.
    if let Some(rest) = digits.strip_prefix("00") {
        return format!("+{rest}");
    }
    if digits.len() > 11
        && let Some(rest) = digits.strip_prefix("810")
    {
        return format!("+{rest}");
    }
    match digits.len() {
        // The Russian trunk prefix 8 (and 7 written without its plus) both mean +7.
        11 if digits.starts_with('8') || digits.starts_with('7') => format!("+7{}", &digits[1..]),
        11 if digits.starts_with('1') => format!("+{digits}"),
        10 => format!("+{ten_digits_country}{digits}"),
        // A shape we cannot place: the digits alone are still stable across separators.
        _ => digits,
    }
}

/// Lower case, with the domain in its ASCII (punycode) form, so that a Cyrillic domain and
/// its `xn--` spelling are one address.
fn email(value: &str) -> String {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return value.to_lowercase();
    };
    let domain = idna::domain_to_ascii(domain).unwrap_or_else(|_| domain.to_lowercase());
    format!("{}@{domain}", local.to_lowercase())
}

/// Case-folded, `ё` read as `е` (Russian writes either), white space collapsed, no space
/// after an initial's dot (`И. И. Иванов` = `И.И. Иванов`), and the words in sorted order:
/// forms and signatures put the surname first or last (`Иванов Иван` = `Иван Иванов`).
fn name(value: &str) -> String {
    let joined = folded_words(value);
    let mut words: Vec<&str> = joined.split(' ').collect();
    words.sort_unstable();
    words.join(" ")
}

fn folded_words(value: &str) -> String {
    let is_initial = |word: &str| word.ends_with('.') && word.chars().count() <= 3;
    let mut out = String::with_capacity(value.len());
    let mut previous_was_initial = false;
    for word in value.split_whitespace() {
        let initial = is_initial(word);
        // Initials in a row are one word, so `И. И.` and `И.И.` read alike.
        let glued = out.is_empty() || (previous_was_initial && initial);
        if !glued {
            out.push(' ');
        }
        out.extend(
            word.chars()
                .flat_map(char::to_lowercase)
                .map(|c| if c == 'ё' { 'е' } else { c }),
        );
        previous_was_initial = initial;
    }
    out
}

/// Month names and their usual abbreviations, English and Russian (any grammatical case), by
/// the first three letters, which already tell them apart.
const MONTHS: [(&str, &str, u32); 12] = [
    ("jan", "янв", 1),
    ("feb", "фев", 2),
    ("mar", "мар", 3),
    ("apr", "апр", 4),
    ("may", "мая", 5),
    ("jun", "июн", 6),
    ("jul", "июл", 7),
    ("aug", "авг", 8),
    ("sep", "сен", 9),
    ("oct", "окт", 10),
    ("nov", "ноя", 11),
    ("dec", "дек", 12),
];

fn month_number(word: &str) -> Option<u32> {
    // "май" is the one month whose nominative differs from its other forms in three letters.
    if word == "май" {
        return Some(5);
    }
    let prefix: String = word.chars().take(3).collect();
    MONTHS
        .iter()
        .find(|(en, ru, _)| prefix == *en || prefix == *ru)
        .map(|&(_, _, n)| n)
}

/// A date in any of the spellings people write one in, as `YYYY-MM-DD` (or `YYYY` for a
/// year alone). Dots and dashes mean day first; a slash means month first (US) unless the
/// first number cannot be a month. `None` when it does not read as a date.
fn date(value: &str) -> Option<String> {
    let lower = value.to_lowercase();
    let numbers: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .collect();
    let month_word = lower
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 3)
        .find_map(month_number);
    let year = |s: &str| -> Option<u32> {
        let n: u32 = s.parse().ok()?;
        match s.len() {
            4 => Some(n),
            // Two-digit years of birth: this century only while they are still in the past.
            2 if n <= 25 => Some(2000 + n),
            2 => Some(1900 + n),
            _ => None,
        }
    };
    let (y, m, d) = match (month_word, numbers.as_slice()) {
        (Some(m), [a, b]) if a.len() == 4 => (year(a)?, m, b.parse().ok()?),
        (Some(m), [a, b]) => (year(b)?, m, a.parse().ok()?),
        (None, [y]) if y.len() == 4 => return Some((*y).to_owned()),
        (None, [a, b, c]) if a.len() == 4 => (year(a)?, b.parse().ok()?, c.parse().ok()?),
        (None, [a, b, c]) => {
            let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
            let month_first = (lower.contains('/') && a <= 12) || b > 12;
            let (m, d) = if month_first { (a, b) } else { (b, a) };
            (year(c)?, m, d)
        }
        _ => return None,
    };
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_same(kind: Normalize, spellings: &[&str]) {
        let first = kind.apply(spellings[0]);
        for spelling in spellings {
            assert_eq!(kind.apply(spelling), first, "{spelling:?} under {kind:?}");
        }
    }

    #[test]
    fn russian_phones_in_every_spelling_are_one_number() {
        let spellings = [
            "+7 912 345-67-89",
            "8 (912) 345 67 89",
            "+79123456789",
            "8-912-345-67-89",
            "7 912 345 67 89",
            "0079123456789",
            "８ ９１２ ３４５ ６７ ８９",
        ];
        all_same(Normalize::Phone, &spellings);
        assert_eq!(Normalize::Phone.apply(spellings[0]), "+79123456789");
        all_same(Normalize::PhoneRu, &spellings);
        assert_eq!(Normalize::PhoneRu.apply("(912) 345-67-89"), "+79123456789");
    }

    #[test]
    fn north_american_numbers_read_with_their_country_code() {
        all_same(
            Normalize::Phone,
            &[
                "(415) 555-0199",
                "1-415-555-0199",
                "+1 415 555 0199",
                "415.555.0199",
            ],
        );
        assert_eq!(Normalize::Phone.apply("415-555-0199"), "+14155550199");
    }

    #[test]
    fn different_phones_stay_different() {
        assert_ne!(
            Normalize::Phone.apply("+7 912 345-67-89"),
            Normalize::Phone.apply("+7 912 345-67-88")
        );
        assert_ne!(
            Normalize::Phone.apply("8 800 555 35 35"),
            Normalize::Phone.apply("800 555 35 35"),
            "ten bare digits are a North American number for the general rule"
        );
    }

    #[test]
    fn emails_fold_case_and_internationalised_domains() {
        all_same(
            Normalize::Email,
            &[
                "Ivan@Пример.РФ",
                "ivan@пример.рф",
                "IVAN@xn--e1afmkfd.xn--p1ai",
            ],
        );
        assert_ne!(
            Normalize::Email.apply("ivan@пример.рф"),
            Normalize::Email.apply("ivan@example.org")
        );
    }

    #[test]
    fn ibans_and_macs_ignore_separators_and_case() {
        all_same(
            Normalize::Alnum,
            &["GB82 WEST 1234 5698 7654 32", "gb82west12345698765432"],
        );
        assert_ne!(
            Normalize::Alnum.apply("GB82WEST12345698765432"),
            Normalize::Alnum.apply("GB82EAST12345698765432"),
            "letters are part of an IBAN"
        );
        all_same(
            Normalize::Alnum,
            &["aa:bb:cc:dd:ee:ff", "AA-BB-CC-DD-EE-FF", "aabb.ccdd.eeff"],
        );
    }

    #[test]
    fn names_fold_case_yo_and_spacing() {
        all_same(
            Normalize::Name,
            &["Фёдор Иванов", "ФЕДОР  ИВАНОВ", "федор\u{a0}иванов"],
        );
        all_same(
            Normalize::Name,
            &["Иванов И. И.", "Иванов И.И.", "И. И. Иванов"],
        );
        all_same(
            Normalize::Name,
            &["Иванов Иван Иванович", "Иван Иванович Иванов"],
        );
        all_same(Normalize::Name, &["Jane Doe", "DOE  Jane"]);
        assert_ne!(
            Normalize::Name.apply("Иван Иванов"),
            Normalize::Name.apply("Иван Петров")
        );
    }

    #[test]
    fn dates_of_birth_in_every_spelling_are_one_date() {
        all_same(
            Normalize::Date,
            &[
                "1985-03-12",
                "12.03.1985",
                "12.03.85",
                "03/12/1985",
                "12 марта 1985 г.",
                "12 мар. 1985",
                "March 12, 1985",
                "12th of March 1985",
                "Mar 12 1985",
            ],
        );
        assert_eq!(Normalize::Date.apply("12 марта 1985 г."), "1985-03-12");
        assert_eq!(Normalize::Date.apply("25/12/1985"), "1985-12-25");
        assert_eq!(Normalize::Date.apply("7 мая 1990"), "1990-05-07");
        assert_eq!(Normalize::Date.apply("1990 г.р."), "1990");
        assert_ne!(
            Normalize::Date.apply("12.03.1985"),
            Normalize::Date.apply("13.03.1985")
        );
    }

    /// Rules that share a mask label share a numbering, so they must agree on the canonical
    /// form, or one phone found by two rules would get two numbers. Labels not listed here
    /// are free; a new rule with a listed label must pick the form its family uses.
    #[test]
    fn every_built_in_rule_of_a_family_uses_the_familys_canonical_form() {
        let expected: &[(&str, &[Normalize])] = &[
            ("PHONE", &[Normalize::Phone, Normalize::PhoneRu]),
            ("EMAIL", &[Normalize::Email]),
            ("NAME", &[Normalize::Name]),
            ("IBAN", &[Normalize::Alnum]),
            ("MAC", &[Normalize::Alnum]),
            ("CARD", &[Normalize::Digits]),
            ("ACCOUNT", &[Normalize::Digits]),
            ("SNILS", &[Normalize::Digits]),
            ("INN", &[Normalize::Digits]),
            ("PASSPORT", &[Normalize::Digits]),
            ("SSN", &[Normalize::Digits]),
            ("DOB", &[Normalize::Date]),
        ];
        let redactor = crate::redact::Redactor::builtin().unwrap();
        let mut checked = 0;
        for summary in redactor.rules() {
            let rule = redactor.rule(summary.id).unwrap();
            if let Some((_, allowed)) = expected.iter().find(|(label, _)| *label == rule.mask) {
                assert!(
                    allowed.contains(&rule.normalize),
                    "rule {} (mask {}) has normalize {:?}; its family uses {allowed:?}",
                    rule.id,
                    rule.mask,
                    rule.normalize
                );
                checked += 1;
            }
        }
        assert!(checked >= 10, "only {checked} rules checked");
    }

    #[test]
    fn digits_read_full_width_digits() {
        assert_eq!(Normalize::Digits.apply("４１１１-1111"), "41111111");
    }
}
