//! Checksums and structure tests that turn a regex candidate into a finding.
//! Each returns the length of the longest valid prefix of the candidate, so a card
//! followed by another number ("4111 1111 1111 1111 2024") is still found.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::ops::Range;

pub(super) mod casefold;
mod code_names;
mod ip_or_version;
mod requisites;

use super::text_validators as text;

/// A named check a rule file can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validator {
    /// Luhn checksum, a real issuer prefix and a length that issuer uses.
    PaymentCard,
    /// Luhn checksum only.
    Luhn,
    /// ISO 13616 IBAN: country length and mod-97 check digits.
    Iban,
    /// Russian pension insurance number (СНИЛС) with its check number.
    Snils,
    /// Russian taxpayer number (ИНН), 10 or 12 digits, with its check digits.
    Inn,
    /// US Social Security number: no area 000, 666 or 9xx, no group 00, no serial 0000.
    UsSsn,
    /// A dotted-quad IPv4 address with every octet at most 255.
    Ipv4,
    /// Anything `std` parses as an IPv6 address (and that is not a bare time like 12:30).
    Ipv6,
    /// Bitcoin address: base58check (P2PKH, P2SH) or bech32/bech32m segwit.
    BitcoinAddress,
    /// Ethereum address; mixed case must satisfy the EIP-55 checksum.
    EthereumAddress,
    /// A name not made only of words that are never names ("Support Team", "Customer").
    PersonName,
    /// A Russian client's bank account, 20 digits: named so, a client prefix, or a control
    /// key that checks against a BIK nearby; never a bank's correspondent account (301…).
    RuBankAccount,
    /// Twenty digits that are not a bank's correspondent account (301…): a value in a
    /// column headed "Счёт" or "Account", where the header says what it is.
    AccountNotCorrespondent,
    /// An ИНН without its label, in a requisites block or followed by a КПП.
    InnInRequisites,
    /// A phone number of 8 to 15 digits, the international plan's bounds (E.164).
    PhoneNumber,
    /// An IPv4 address that the words before it do not present as a version number.
    Ipv4Address,
    /// A MAC address; in Cisco's dotted form (`aabb.ccdd.eeff`) it needs a hex letter, so a
    /// dotted triple of four-digit numbers is not one.
    MacAddress,
    /// A number after a bare "code" that the word before does not name as another code
    /// (error, zip, promo…).
    OneTimeCode,
    /// A name with no cue: given-name dictionary or Russian surname shape (text_validators).
    DictionaryName,
    /// A name after a cue that announces one ("my name is", "ФИО:").
    CuedName,
    /// A Russian full name around a patronymic.
    PatronymicName,
    /// A name after a greeting or sign-off: its first word must be a known name.
    GreetedName,
    /// A name in a From:/To: header or a signature line.
    HeaderName,
    /// A given name alone where the position says it is a person (chat speaker).
    GivenName,
    /// A title or honorific and the name after it ("Mr. Smith", "г-н Петров").
    TitledName,
    /// A one-word secret after an explicit cue and separator.
    SecretValue,
    /// A one-word secret stated in prose ("my password is …").
    SecretInProse,
    /// A passphrase or free-text answer after a cue.
    SecretPhrase,
    /// An English street line; everyday-noun suffixes need more evidence.
    StreetLine,
}

impl Validator {
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "payment_card" => Validator::PaymentCard,
            "luhn" => Validator::Luhn,
            "iban" => Validator::Iban,
            "snils" => Validator::Snils,
            "inn" => Validator::Inn,
            "us_ssn" => Validator::UsSsn,
            "ipv4" => Validator::Ipv4,
            "ipv6" => Validator::Ipv6,
            "bitcoin_address" => Validator::BitcoinAddress,
            "ethereum_address" => Validator::EthereumAddress,
            "person_name" => Validator::PersonName,
            "ru_bank_account" => Validator::RuBankAccount,
            "account_not_correspondent" => Validator::AccountNotCorrespondent,
            "inn_in_requisites" => Validator::InnInRequisites,
            "phone_number" => Validator::PhoneNumber,
            "ipv4_address" => Validator::Ipv4Address,
            "mac_address" => Validator::MacAddress,
            "one_time_code" => Validator::OneTimeCode,
            "dictionary_name" => Validator::DictionaryName,
            "cued_name" => Validator::CuedName,
            "patronymic_name" => Validator::PatronymicName,
            "greeted_name" => Validator::GreetedName,
            "header_name" => Validator::HeaderName,
            "given_name" => Validator::GivenName,
            "titled_name" => Validator::TitledName,
            "secret_value" => Validator::SecretValue,
            "secret_in_prose" => Validator::SecretInProse,
            "secret_phrase" => Validator::SecretPhrase,
            "street_line" => Validator::StreetLine,
            _ => return None,
        })
    }

    /// Length in bytes of the valid part of the candidate at `value` in `text`. Most checks
    /// read the candidate alone; a few weigh the words around it (an account and its BIK).
    pub fn valid_prefix_in(self, text: &str, value: Range<usize>) -> Option<usize> {
        let len = value.len();
        match self {
            Validator::RuBankAccount => whole_len(len, requisites::is_client_account(text, value)),
            Validator::InnInRequisites => {
                whole_len(len, requisites::is_inn_in_requisites(text, value))
            }
            Validator::Ipv4Address => whole_len(len, ip_or_version::is_ipv4_address(text, value)),
            Validator::OneTimeCode => whole_len(len, code_names::is_one_time_code(text, value)),
            _ => self.valid_prefix(&text[value]),
        }
    }

    /// Length in bytes of the valid part of `candidate`, starting at its first byte.
    pub fn valid_prefix(self, candidate: &str) -> Option<usize> {
        match self {
            Validator::PaymentCard => digit_prefix(candidate, is_payment_card),
            Validator::Luhn => digit_prefix(candidate, luhn_valid),
            Validator::Snils => whole(candidate, snils_valid(&digits_of(candidate))),
            Validator::Inn => whole(candidate, inn_valid(&digits_of(candidate))),
            Validator::AccountNotCorrespondent => {
                let digits = digits_of(candidate);
                whole(
                    candidate,
                    digits.len() == 20 && !digits.starts_with(&[3, 0, 1]),
                )
            }
            Validator::UsSsn => whole(candidate, ssn_valid(&digits_of(candidate))),
            Validator::Iban => group_prefix(candidate, iban_valid),
            Validator::Ipv4 => whole(candidate, candidate.parse::<Ipv4Addr>().is_ok()),
            // Short forms like `C::D` parse, but in prose they are paths or notation, not hosts.
            Validator::Ipv6 => whole(
                candidate,
                candidate.matches(':').count() >= 2
                    && candidate.bytes().filter(u8::is_ascii_hexdigit).count() >= 4
                    && candidate.parse::<Ipv6Addr>().is_ok(),
            ),
            Validator::BitcoinAddress => whole(candidate, bitcoin_valid(candidate)),
            Validator::EthereumAddress => whole(candidate, ethereum_valid(candidate)),
            Validator::PersonName => person_name_prefix(candidate),
            Validator::PhoneNumber => phone_prefix(candidate),
            Validator::MacAddress => whole(
                candidate,
                !candidate.contains('.') || candidate.bytes().any(|b| b.is_ascii_alphabetic()),
            ),
            Validator::RuBankAccount
            | Validator::InnInRequisites
            | Validator::Ipv4Address
            | Validator::OneTimeCode => self.valid_prefix_in(candidate, 0..candidate.len()),
            Validator::DictionaryName => text::dictionary_name_prefix(candidate),
            Validator::CuedName => text::cued_name_prefix(candidate),
            Validator::PatronymicName => text::patronymic_name_prefix(candidate),
            Validator::GreetedName => text::greeted_name_prefix(candidate),
            Validator::HeaderName => text::header_name_prefix(candidate),
            Validator::GivenName => text::given_name_prefix(candidate),
            Validator::TitledName => text::titled_name_prefix(candidate),
            Validator::SecretValue => text::secret_value_prefix(candidate),
            Validator::SecretInProse => text::secret_in_prose_prefix(candidate),
            Validator::SecretPhrase => text::secret_phrase_prefix(candidate),
            Validator::StreetLine => text::street_line_prefix(candidate),
        }
    }
}

fn whole(candidate: &str, ok: bool) -> Option<usize> {
    whole_len(candidate.len(), ok)
}

fn whole_len(len: usize, ok: bool) -> Option<usize> {
    ok.then_some(len)
}

fn digits_of(text: &str) -> Vec<u8> {
    text.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect()
}

/// The longest prefix, ending with a group of digits, that holds 8 to 15 digits before any
/// extension ("x123", "доб. 5") and is not followed by the rest of a date or a time: the
/// groups of "+44 20 7183 8750 12.03.2025" that belong to the date are left to it.
fn phone_prefix(candidate: &str) -> Option<usize> {
    let bytes = candidate.as_bytes();
    let group_ends = (1..=bytes.len()).rev().filter(|&end| {
        bytes[end - 1].is_ascii_digit() && bytes.get(end).is_none_or(|b| !b.is_ascii_digit())
    });
    group_ends
        .filter(|&end| bytes.get(end) != Some(&b')'))
        .find(|&end| {
            let head = &candidate[..end];
            let number = &head[..head.find(char::is_alphabetic).unwrap_or(head.len())];
            let tail = &bytes[end..];
            let date_follows = tail.len() >= 2
                && matches!(tail[0], b'.' | b',' | b':' | b'/' | b'-')
                && tail[1].is_ascii_digit();
            (8..=15).contains(&number.bytes().filter(u8::is_ascii_digit).count()) && !date_follows
        })
}

/// Tries the whole candidate, then shorter prefixes that end before a space.
fn group_prefix(candidate: &str, check: fn(&str) -> bool) -> Option<usize> {
    let mut ends: Vec<usize> = candidate.match_indices(' ').map(|(i, _)| i).collect();
    ends.push(candidate.len());
    ends.into_iter().rev().find(|&end| check(&candidate[..end]))
}

/// Most digits `digit_prefix` reads on the stack; a longer candidate takes `digit_prefix_by_copy`.
const STACK_DIGITS: usize = 64;

/// Tries the whole candidate, then shorter prefixes ending at the end of a digit group.
fn digit_prefix(candidate: &str, check: fn(&[u8]) -> bool) -> Option<usize> {
    // The digits are read once; a prefix ending at a group's end holds the first `count`.
    let mut digits = [0u8; STACK_DIGITS];
    let mut count = 0;
    for b in candidate.bytes().filter(u8::is_ascii_digit) {
        let Some(slot) = digits.get_mut(count) else {
            return digit_prefix_by_copy(candidate, check);
        };
        *slot = b - b'0';
        count += 1;
    }
    // From the end: each digit that closes a group is where a prefix may end.
    let bytes = candidate.as_bytes();
    for end in (1..=bytes.len()).rev() {
        if !bytes[end - 1].is_ascii_digit() {
            continue;
        }
        if bytes.get(end).is_none_or(|next| !next.is_ascii_digit()) && check(&digits[..count]) {
            return Some(end);
        }
        count -= 1;
    }
    None
}

/// `digit_prefix` with a copy of the digits per prefix: for candidates too long for the stack.
fn digit_prefix_by_copy(candidate: &str, check: fn(&[u8]) -> bool) -> Option<usize> {
    let mut ends: Vec<usize> = candidate
        .char_indices()
        .filter(|&(i, c)| {
            c.is_ascii_digit()
                && candidate[i + 1..]
                    .chars()
                    .next()
                    .is_none_or(|next| !next.is_ascii_digit())
        })
        .map(|(i, _)| i + 1)
        .collect();
    ends.reverse();
    ends.into_iter()
        .find(|&end| check(&digits_of(&candidate[..end])))
}

fn luhn_valid(digits: &[u8]) -> bool {
    if digits.len() < 2 {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn prefix_number(digits: &[u8], len: usize) -> u32 {
    digits
        .iter()
        .take(len)
        .fold(0, |acc, &d| acc * 10 + u32::from(d))
}

/// Issuer identification number ranges and the lengths each scheme issues.
fn issuer_allows(digits: &[u8]) -> bool {
    let len = digits.len();
    let p1 = prefix_number(digits, 1);
    let p2 = prefix_number(digits, 2);
    let p3 = prefix_number(digits, 3);
    let p4 = prefix_number(digits, 4);
    let p6 = prefix_number(digits, 6);
    let visa = p1 == 4 && matches!(len, 13 | 16 | 19);
    let mastercard = ((51..=55).contains(&p2) || (2221..=2720).contains(&p4)) && len == 16;
    let mir = (2200..=2204).contains(&p4) && (16..=19).contains(&len);
    let amex = matches!(p2, 34 | 37) && len == 15;
    let unionpay = p2 == 62 && (16..=19).contains(&len);
    // JCB assigns 3528–3589, but numbers across all of 35 are in use (co-branded ranges,
    // generators); it also issued 15-digit numbers under 1800 and 2131.
    let jcb = (p2 == 35 && (16..=19).contains(&len)) || (matches!(p4, 1800 | 2131) && len == 15);
    let discover =
        (p4 == 6011 || (644..=649).contains(&p3) || p2 == 65 || (622126..=622925).contains(&p6))
            && (16..=19).contains(&len);
    let diners = ((300..=305).contains(&p3) || p3 == 309 || matches!(p2, 36 | 38 | 39))
        && (14..=19).contains(&len);
    // Maestro's ranges include the old UK 0604 and 6390 prefixes.
    let maestro = (matches!(
        p4,
        604 | 5018 | 5020 | 5038 | 5893 | 6304 | 6390 | 6759 | 6761..=6763
    ) || p2 == 50
        || (56..=58).contains(&p2))
        && (12..=19).contains(&len);
    let rupay = (matches!(p2, 60 | 81 | 82) || p3 == 508 || p4 == 6521) && len == 16;
    visa || mastercard || mir || amex || unionpay || jcb || discover || diners || maestro || rupay
}

fn is_payment_card(digits: &[u8]) -> bool {
    (12..=19).contains(&digits.len()) && issuer_allows(digits) && luhn_valid(digits)
}

/// IBAN lengths by country (ISO 13616 registry); unknown countries are refused.
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NL", 18),
    ("NO", 15),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("RU", 33),
    ("SA", 24),
    ("SC", 31),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
];

fn iban_valid(candidate: &str) -> bool {
    let compact: Vec<u8> = candidate
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if compact.len() < 15 || !compact.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let country = std::str::from_utf8(&compact[..2]).unwrap_or_default();
    let Some(&(_, length)) = IBAN_LENGTHS.iter().find(|(c, _)| *c == country) else {
        return false;
    };
    if compact.len() != length {
        return false;
    }
    // Move the first four characters to the end, letters become 10..35, then mod 97 == 1.
    let rearranged = compact[4..].iter().chain(&compact[..4]);
    let mut remainder: u32 = 0;
    for &b in rearranged {
        let value = if b.is_ascii_digit() {
            u32::from(b - b'0')
        } else {
            u32::from(b - b'A') + 10
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    remainder == 1
}

fn snils_valid(digits: &[u8]) -> bool {
    if digits.len() != 11 {
        return false;
    }
    // Check numbers exist only above 001-001-998.
    if prefix_number(digits, 9) <= 1_001_998 {
        return false;
    }
    let sum: u32 = digits[..9]
        .iter()
        .enumerate()
        .map(|(i, &d)| u32::from(d) * (9 - i as u32))
        .sum();
    let check = match sum {
        0..=99 => sum,
        100 | 101 => 0,
        _ => match sum % 101 {
            100 => 0,
            r => r,
        },
    };
    check == u32::from(digits[9]) * 10 + u32::from(digits[10])
}

fn inn_check(digits: &[u8], weights: &[u32]) -> u8 {
    let sum: u32 = digits
        .iter()
        .zip(weights)
        .map(|(&d, &w)| u32::from(d) * w)
        .sum();
    (sum % 11 % 10) as u8
}

fn inn_valid(digits: &[u8]) -> bool {
    match digits.len() {
        10 => inn_check(digits, &[2, 4, 10, 3, 5, 9, 4, 6, 8]) == digits[9],
        12 => {
            inn_check(digits, &[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == digits[10]
                && inn_check(digits, &[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == digits[11]
        }
        _ => false,
    }
}

fn ssn_valid(digits: &[u8]) -> bool {
    if digits.len() != 9 {
        return false;
    }
    let area = prefix_number(digits, 3);
    let group = prefix_number(&digits[3..], 2);
    let serial = prefix_number(&digits[5..], 4);
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

fn bitcoin_valid(candidate: &str) -> bool {
    if candidate.to_ascii_lowercase().starts_with("bc1") {
        return bech32::segwit::decode(candidate).is_ok_and(|(hrp, _, _)| hrp == bech32::hrp::BC);
    }
    match bs58::decode(candidate).with_check(None).into_vec() {
        // Version byte (0x00 P2PKH, 0x05 P2SH) followed by a 20-byte hash.
        Ok(payload) => payload.len() == 21 && matches!(payload[0], 0x00 | 0x05),
        Err(_) => false,
    }
}

fn ethereum_valid(candidate: &str) -> bool {
    let Some(hex) = candidate
        .strip_prefix("0x")
        .or_else(|| candidate.strip_prefix("0X"))
    else {
        return false;
    };
    if hex.len() != 40 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    let has_lower = hex.bytes().any(|b| b.is_ascii_lowercase());
    let has_upper = hex.bytes().any(|b| b.is_ascii_uppercase());
    if !(has_lower && has_upper) {
        return true;
    }
    // EIP-55: a letter is upper case exactly when the matching nibble of keccak256(lowercase) is >= 8.
    use sha3::Digest;
    let hash = sha3::Keccak256::digest(hex.to_ascii_lowercase().as_bytes());
    hex.bytes().enumerate().all(|(i, b)| {
        if !b.is_ascii_alphabetic() {
            return true;
        }
        let nibble = (hash[i / 2] >> if i % 2 == 0 { 4 } else { 0 }) & 0x0f;
        (nibble >= 8) == b.is_ascii_uppercase()
    })
}

/// Words that follow name cues ("Dear …", "Regards, …") but are not names.
const NOT_NAMES: &[&str] = &[
    "support",
    "team",
    "customer",
    "customers",
    "service",
    "services",
    "sir",
    "madam",
    "sirs",
    "all",
    "colleagues",
    "friend",
    "friends",
    "user",
    "users",
    "admin",
    "administrator",
    "manager",
    "client",
    "hushdesk",
    "helpdesk",
    "the",
    "a",
    "an",
    "and",
    "your",
    "our",
    "my",
    "this",
    "that",
    "i",
    "we",
    "you",
    "thanks",
    "thank",
    "regards",
    "best",
    "cheers",
    "hello",
    "hi",
    "sent",
    "from",
    "iphone",
    "android",
    "mobile",
    "unknown",
    "not",
    "no",
    "служба",
    "поддержки",
    "поддержка",
    "команда",
    "коллеги",
    "клиент",
    "пользователь",
    "администратор",
    "менеджер",
    "господа",
    "друзья",
    "все",
    "всем",
    "спасибо",
    "уважением",
    "привет",
    "здравствуйте",
    "добрый",
    "день",
];

/// Keeps the leading words that could be a name; at least one must be.
fn person_name_prefix(candidate: &str) -> Option<usize> {
    let mut end = 0;
    for (start, word) in word_spans(candidate) {
        if casefold::with_lowercase(word, |lower| NOT_NAMES.contains(&lower)) {
            break;
        }
        end = start + word.len();
    }
    (end > 0).then_some(end)
}

fn word_spans(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_whitespace()
        .map(move |word| (word.as_ptr() as usize - text.as_ptr() as usize, word))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(v: Validator, s: &str) -> bool {
        v.valid_prefix(s) == Some(s.len())
    }

    #[test]
    fn real_test_cards_of_each_scheme_pass() {
        for number in [
            "4111111111111111",    // Visa
            "5555555555554444",    // Mastercard 51–55
            "2223003122003222",    // Mastercard 2-series
            "2200000000000004",    // Mir
            "378282246310005",     // Amex
            "6200000000000005",    // UnionPay
            "3530111333300000",    // JCB
            "6011111111111117",    // Discover
            "36227206271667",      // Diners
            "180093165515211",     // JCB, 15 digits
            "3596346950464876",    // 35xx outside JCB's 3528–3589
            "0604 0774 1713",      // Maestro UK, 12 digits
            "4111 1111 1111 1111", // with spaces
            "4111-1111-1111-1111", // with dashes
        ] {
            assert!(
                valid(Validator::PaymentCard, number),
                "{number} should be a card"
            );
        }
    }

    #[test]
    fn luhn_valid_numbers_without_an_issuer_are_not_cards() {
        let timestamp = "1700000000004";
        assert!(luhn_valid(&digits_of(timestamp)));
        assert!(!valid(Validator::PaymentCard, timestamp));
        assert!(
            !valid(Validator::PaymentCard, "4111111111111112"),
            "Luhn-invalid"
        );
        assert!(
            !valid(Validator::PaymentCard, "41111111111111"),
            "Visa never has 14 digits"
        );
    }

    #[test]
    fn a_card_followed_by_another_number_is_still_found() {
        assert_eq!(
            Validator::PaymentCard.valid_prefix("4111 1111 1111 1111 12"),
            Some(19)
        );
    }

    #[test]
    fn ibans_need_the_right_length_and_check_digits() {
        assert!(valid(Validator::Iban, "DE89370400440532013000"));
        assert!(valid(Validator::Iban, "GB82 WEST 1234 5698 7654 32"));
        assert!(
            !valid(Validator::Iban, "DE89370400440532013001"),
            "check digits"
        );
        assert!(!valid(Validator::Iban, "DE8937040044053201300"), "length");
        assert!(!valid(Validator::Iban, "ZZ89370400440532013000"), "country");
    }

    #[test]
    fn russian_numbers_are_checked() {
        assert!(valid(Validator::Snils, "112-233-445 95"));
        assert!(!valid(Validator::Snils, "112-233-445 96"));
        assert!(valid(Validator::Inn, "7707083893"), "Sberbank's INN");
        assert!(!valid(Validator::Inn, "7707083894"));
        assert!(valid(Validator::Inn, "500100732259"));
        assert!(!valid(Validator::Inn, "500100732258"));
    }

    #[test]
    fn ssns_follow_the_allocation_rules() {
        assert!(valid(Validator::UsSsn, "536-22-8726"));
        for bad in [
            "000-12-3456",
            "666-12-3456",
            "912-12-3456",
            "123-00-4567",
            "123-45-0000",
        ] {
            assert!(!valid(Validator::UsSsn, bad), "{bad}");
        }
    }

    #[test]
    fn addresses_are_parsed() {
        assert!(valid(Validator::Ipv4, "192.168.10.254"));
        assert!(!valid(Validator::Ipv4, "300.1.1.1"));
        assert!(valid(Validator::Ipv6, "2001:db8::8a2e:370:7334"));
        assert!(!valid(Validator::Ipv6, "12:30"));
    }

    #[test]
    fn crypto_addresses_are_checksummed() {
        assert!(valid(
            Validator::BitcoinAddress,
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
        ));
        assert!(valid(
            Validator::BitcoinAddress,
            "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
        ));
        assert!(valid(
            Validator::BitcoinAddress,
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
        ));
        assert!(!valid(
            Validator::BitcoinAddress,
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"
        ));
        assert!(!valid(
            Validator::BitcoinAddress,
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr"
        ));
        assert!(valid(
            Validator::EthereumAddress,
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
        ));
        assert!(valid(
            Validator::EthereumAddress,
            "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"
        ));
        assert!(!valid(
            Validator::EthereumAddress,
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"
        ));
    }

    #[test]
    fn cue_words_that_are_not_names_are_dropped() {
        assert_eq!(Validator::PersonName.valid_prefix("John Smith"), Some(10));
        assert_eq!(Validator::PersonName.valid_prefix("Anna Support"), Some(4));
        assert_eq!(Validator::PersonName.valid_prefix("Support Team"), None);
    }

    proptest::proptest! {
        #[test]
        fn digit_prefixes_agree_with_the_copying_version(candidate in "[0-9 \\-]{0,40}|[0-9 ]{60,90}") {
            proptest::prop_assert_eq!(
                digit_prefix(&candidate, is_payment_card),
                digit_prefix_by_copy(&candidate, is_payment_card)
            );
            proptest::prop_assert_eq!(
                digit_prefix(&candidate, luhn_valid),
                digit_prefix_by_copy(&candidate, luhn_valid)
            );
        }
    }
}
