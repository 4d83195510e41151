//! Checksums and structure tests that turn a regex candidate into a finding.
//! Each returns the length of the longest valid prefix of the candidate, so a card
//! followed by another number ("4111 1111 1111 1111 2024") is still found.

/// A named check a rule file can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validator {
    /// Luhn checksum, a real issuer prefix and a length that issuer uses.
    PaymentCard,
    /// Luhn checksum only.
    Luhn,
}

impl Validator {
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "payment_card" => Some(Validator::PaymentCard),
            "luhn" => Some(Validator::Luhn),
            _ => None,
        }
    }

    /// Length in bytes of the longest prefix of `candidate` that passes, ending at a digit.
    pub fn valid_prefix(self, candidate: &str) -> Option<usize> {
        let check = match self {
            Validator::PaymentCard => is_payment_card,
            Validator::Luhn => luhn_valid,
        };
        // Try the whole candidate first, then shorter prefixes that end before a separator.
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
        ends.into_iter().find(|&end| {
            let digits: Vec<u8> = candidate[..end]
                .bytes()
                .filter(u8::is_ascii_digit)
                .map(|b| b - b'0')
                .collect();
            check(&digits)
        })
    }
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
    let jcb = (3528..=3589).contains(&p4) && (16..=19).contains(&len);
    let discover =
        (p4 == 6011 || (644..=649).contains(&p3) || p2 == 65 || (622126..=622925).contains(&p6))
            && (16..=19).contains(&len);
    let diners = ((300..=305).contains(&p3) || p3 == 309 || matches!(p2, 36 | 38 | 39))
        && (14..=19).contains(&len);
    let maestro = (matches!(p4, 5018 | 5020 | 5038 | 5893 | 6304 | 6759 | 6761..=6763)
        || p2 == 50
        || (56..=58).contains(&p2))
        && (12..=19).contains(&len);
    let rupay = (matches!(p2, 60 | 81 | 82) || p3 == 508 || p4 == 6521) && len == 16;
    visa || mastercard || mir || amex || unionpay || jcb || discover || diners || maestro || rupay
}

fn is_payment_card(digits: &[u8]) -> bool {
    (12..=19).contains(&digits.len()) && issuer_allows(digits) && luhn_valid(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(s: &str) -> bool {
        Validator::PaymentCard.valid_prefix(s) == Some(s.len())
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
            "4111 1111 1111 1111", // with spaces
            "4111-1111-1111-1111", // with dashes
        ] {
            assert!(card(number), "{number} should be a card");
        }
    }

    #[test]
    fn luhn_valid_numbers_without_an_issuer_are_not_cards() {
        // A millisecond timestamp that happens to pass Luhn.
        let timestamp = "1700000000004";
        assert!(luhn_valid(
            &timestamp.bytes().map(|b| b - b'0').collect::<Vec<_>>()
        ));
        assert!(!card(timestamp));
        assert!(!card("4111111111111112"), "Luhn-invalid");
        assert!(!card("41111111111111"), "Visa never has 14 digits");
    }

    #[test]
    fn a_card_followed_by_another_number_is_still_found() {
        let candidate = "4111 1111 1111 1111 12";
        assert_eq!(Validator::PaymentCard.valid_prefix(candidate), Some(19));
    }
}
