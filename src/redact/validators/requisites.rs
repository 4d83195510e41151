//! Russian bank requisites read in their context: a 20-digit account beside the words that
//! name it and the BIK that checks it, and an ИНН standing in a requisites block without its
//! label. Only checks text around a candidate; never keeps or reports what it reads.

use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

use super::casefold::{WordSet, with_folded};
use super::{inn_valid, prefix_number};
use crate::redact::rules::{ceil_char_boundary, floor_char_boundary};

/// How far before a value its cue may stand ("р/с", "лицевой счёт №", "account number").
const CUE_REACH: usize = 64;
/// How far a BIK may stand from the account it checks (requisites blocks run a few lines).
const BIK_REACH: usize = 320;
/// How far around an ИНН without label the other requisites of its block are looked for.
const BLOCK_REACH: usize = 320;

/// Words that name a bank's correspondent account: a public requisite, like the BIK.
const CORRESPONDENT_CUES: &[&str] = &[
    "корр",
    "корсч",
    "кор.",
    "кор/",
    "кор сч",
    "к/с",
    "к/сч",
    "к\\с",
    "к.с.",
    "correspondent",
    "corr.",
    "corr ",
    "nostro",
    "loro",
];

/// Words that can only name a client's own account: the one way a 301… number is one.
const CHECKING_CUES: &[&str] = &[
    "р/с",
    "р/сч",
    "р\\с",
    "расч",
    "лицев",
    "л/с",
    "текущ",
    "checking",
    "settlement",
    "current account",
];

/// Words that name a client's account, in any grammatical case ("счёта", "счету"), or the
/// money moving to or from one ("переведите на", "salary goes to", "реквизиты для возврата").
const ACCOUNT_CUES: &[&str] = &[
    "р/с",
    "р/сч",
    "р\\с",
    "р.с.",
    "рс ",
    "рс:",
    "л/с",
    "л/сч",
    "л.с.",
    "счёт",
    "счет",
    "сч.",
    "сч ",
    "реквизит",
    "платёж",
    "платеж",
    "перевод",
    "переве",
    "зачисл",
    "зарплат",
    "поступ",
    "списа",
    "возврат",
    "верните",
    "вернуть",
    "оплат",
    "account",
    "acct",
    "acc.",
    "acc ",
    "acc=",
    "a/c",
    "salary",
    "transfer",
    "refund",
    "payment",
    "paid",
    "wire",
    "deposit",
    "credited",
    "charged",
    "payout",
    "bank",
    "банк",
];

/// A client's account, masked; a bank's correspondent account (301…), kept.
///
/// Masked when a cue names it an account, when it opens with the balance-account prefix of
/// a client (settlement, card, deposit and loan accounts), or when its control key checks
/// out against a BIK standing nearby (Bank of Russia method). A 20-digit run with none of
/// these is some other number and stays.
pub(super) fn is_client_account(text: &str, value: Range<usize>) -> bool {
    // Most candidates are other long numbers: count before copying anything.
    let Some(digits) = digit_array::<20>(&text[value.clone()]) else {
        return false;
    };
    let start = floor_char_boundary(text, value.start.saturating_sub(CUE_REACH));
    let before = &text[start..value.start];
    let verdict = with_folded([before], |lowered| cue_verdict(lowered, &digits))
        .unwrap_or_else(|| cue_verdict(&before.to_lowercase(), &digits));
    match verdict {
        Some(verdict) => verdict,
        None => bik_near(text, &value).is_some_and(|bik| control_key_valid(&bik, &digits)),
    }
}

/// What the words before an account (`before`, lower case) say of it: `Some` when they, or
/// its prefix, decide; `None` when only a BIK nearby can.
fn cue_verdict(before: &str, digits: &[u8; 20]) -> Option<bool> {
    let correspondent = last_cue(before, &CORRESPONDENT);
    let account = last_cue(before, &ACCOUNT);
    // "корр. счёт 301…" carries both words: the correspondent one wins when no other
    // number stands between it and the value.
    if let Some(at) = correspondent
        && !before[at..].bytes().any(|b| b.is_ascii_digit())
    {
        return Some(false);
    }
    // A format hint between the cue and the value ("счёт (20 цифр): …") is not a number.
    let no_digit_since = |at: usize| !digit_outside_brackets(&before[at..]);
    let named = account.is_some_and(no_digit_since);
    if digits.starts_with(&[3, 0, 1]) {
        // A correspondent account unless the text plainly calls it a client's own account.
        return Some(last_cue(before, &CHECKING).is_some_and(no_digit_since));
    }
    if named || has_client_prefix(digits) {
        return Some(true);
    }
    None
}

/// The digits of `text` when it holds exactly `N` of them.
fn digit_array<const N: usize>(text: &str) -> Option<[u8; N]> {
    let mut digits = [0u8; N];
    let mut count = 0;
    for b in text.bytes().filter(u8::is_ascii_digit) {
        *digits.get_mut(count)? = b - b'0';
        count += 1;
    }
    (count == N).then_some(digits)
}

/// First-order balance accounts that hold clients' money or debts: budget and settlement
/// accounts (401–408), deposits (410–426), deposit certificates' holders (430) and loans
/// to firms and people (452–459).
fn has_client_prefix(digits: &[u8]) -> bool {
    let first_three = prefix_number(digits, 3);
    matches!(first_three, 401..=408 | 410..=426 | 430 | 452..=459)
}

/// The Bank of Russia control key (the account's 9th digit): with the three digits the BIK
/// gives in front, the sum of the last digits of each digit times 7, 1, 3, 7, 1, 3…
/// ends in 0. Accounts at a bank take the BIK's last three digits; those at a Bank of
/// Russia division take 0 and its 5th and 6th digits. Either reading counts.
fn control_key_valid(bik: &[u8], account: &[u8]) -> bool {
    let check = |prefix: [u8; 3]| {
        let sum: u32 = prefix
            .iter()
            .chain(account)
            .zip([7u32, 1, 3].iter().cycle())
            .map(|(&d, &w)| u32::from(d) * w % 10)
            .sum();
        sum.is_multiple_of(10)
    };
    bik.len() == 9 && (check([bik[6], bik[7], bik[8]]) || check([0, bik[4], bik[5]]))
}

/// The digits of a BIK ("БИК 044525225", "BIC: 044525225") within reach of `value`.
fn bik_near(text: &str, value: &Range<usize>) -> Option<[u8; 9]> {
    let start = floor_char_boundary(text, value.start.saturating_sub(BIK_REACH));
    let end = ceil_char_boundary(text, (value.end + BIK_REACH).min(text.len()));
    let window = &text[start..end];
    with_folded([window], bik_in).unwrap_or_else(|| bik_in(&window.to_lowercase()))
}

/// The first BIK after one of its cues in `window` (lower case), cues in order of trust.
fn bik_in(window: &str) -> Option<[u8; 9]> {
    ["бик", "bik", "bic"].iter().find_map(|cue| {
        window.match_indices(cue).find_map(|(at, _)| {
            let after = &window[at + cue.len()..];
            let skip = after
                .char_indices()
                .take_while(|&(i, c)| i < 12 && !c.is_ascii_digit())
                .last()
                .map_or(0, |(i, c)| i + c.len_utf8());
            let run = &after[skip..];
            let run = &run[..run.bytes().take_while(u8::is_ascii_digit).count()];
            digit_array::<9>(run).filter(|digits| digits.starts_with(&[0, 4]))
        })
    })
}

/// Words of a requisites block: an ИНН among them needs no label of its own.
const REQUISITES_WORDS: &[&str] = &[
    "кпп",
    "бик",
    "огрн",
    "р/с",
    "к/с",
    "расчетн",
    "расчётн",
    "корр",
    "реквизит",
    "получател",
    "плательщик",
    "kpp",
    "bik",
    "bic",
    "ogrn",
    "tax",
    "requisites",
    "beneficiary",
    "payee",
];

/// Label words (stems) that name a tax number: such a line needs no block around it.
const TAX_LABELS: &[&str] = &[
    "налог",
    "tax",
    "taxpayer",
    "tin",
    "инн",
    "inn",
    "идентификационн",
];

/// Label words (stems) under which a checksum-valid 10 or 12 digit number is something else.
const OTHER_LABELS: &[&str] = &[
    "заказ",
    "order",
    "тел",
    "phone",
    "моб",
    "mobile",
    "ticket",
    "тикет",
    "заявк",
    "обращени",
    "договор",
    "contract",
    "invoice",
    "накладн",
    "трек",
    "track",
    "паспорт",
    "passport",
    "снилс",
    "огрн",
    "кпп",
    "бик",
    "окпо",
    "октмо",
    "окато",
    "okpo",
    "сумм",
    "amount",
    "артикул",
    "sku",
    "код",
    "code",
    "карт",
    "card",
    "счет",
    "счёт",
    "account",
    "дата",
    "date",
    "id",
    "user",
    "client",
    "клиент",
    "время",
    "time",
    "метка",
    "событи",
    "event",
    "отправлени",
    "shipment",
];

/// An ИНН written without its label, where the line shows it is one: either followed by a
/// КПП ("7707083893/773601001") or as the value of a `label: value` line in a block of
/// requisites (БИК, КПП, р/с… nearby), with valid check digits either way.
pub(super) fn is_inn_in_requisites(text: &str, value: Range<usize>) -> bool {
    // The check digits first: they refuse nine numbers in ten before any word is read.
    if !inn_digits_valid(&text[value.clone()]) {
        return false;
    }
    let rest = &text[value.end..];
    let line_rest = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let kpp_follows = line_rest
        .trim_start_matches([' ', '/'])
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count()
        == 9
        && line_rest.trim_start().starts_with('/');
    if kpp_follows {
        return true;
    }
    let line_start = text[..value.start].rfind('\n').map_or(0, |i| i + 1);
    // Mail quotes and table borders in front of the label are not part of it.
    let label = text[line_start..value.start]
        .trim_start_matches(['>', '|', ' ', '\t'])
        .trim_end_matches([' ', '\t']);
    let Some(label) = label
        .strip_suffix(':')
        .or_else(|| label.strip_suffix('|'))
        .or_else(|| label.strip_suffix(" -"))
        .or_else(|| label.strip_suffix(" —"))
        .or_else(|| label.strip_suffix('='))
    else {
        return false;
    };
    let label = label.trim().to_lowercase();
    let label_shape_ok = !label.is_empty()
        && label.chars().count() <= 40
        && label
            .chars()
            .all(|c| c.is_alphabetic() || " .-/()№«»\"'*•".contains(c));
    if !label_shape_ok {
        return false;
    }
    let words: Vec<&str> = label
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .collect();
    // Short Latin words must match whole ("id" is not "identity"); longer ones as stems.
    let names = |stems: &[&str]| {
        words.iter().any(|w| {
            stems
                .iter()
                .any(|s| w.starts_with(s) && (s.len() > 3 || w == s))
        })
    };
    if names(TAX_LABELS) {
        return true;
    }
    if names(OTHER_LABELS) {
        return false;
    }
    let start = floor_char_boundary(text, value.start.saturating_sub(BLOCK_REACH));
    let end = ceil_char_boundary(text, (value.end + BLOCK_REACH).min(text.len()));
    let block = &text[start..end];
    REQUISITES
        .any_in([block])
        .unwrap_or_else(|| REQUISITES.any_in_lowercase(&block.to_lowercase()))
}

static REQUISITES: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(REQUISITES_WORDS));

/// Whether `text` holds a digit outside brackets (`(20 цифр)` is a format hint).
fn digit_outside_brackets(text: &str) -> bool {
    let mut depth = 0usize;
    text.bytes().any(|b| {
        match b {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            _ => return depth == 0 && b.is_ascii_digit(),
        }
        false
    })
}

/// A valid ИНН of 10 or 12 digits, read without allocating.
fn inn_digits_valid(text: &str) -> bool {
    match digit_array::<12>(text) {
        Some(digits) => inn_valid(&digits),
        None => digit_array::<10>(text).is_some_and(|digits| inn_valid(&digits)),
    }
}

/// One automaton per cue list, so the cues are looked for in one pass with every occurrence
/// seen. (Building one from a few dozen short words cannot fail; `None` is never reached.)
type Cues = LazyLock<Option<AhoCorasick>>;

static CORRESPONDENT: Cues = LazyLock::new(|| AhoCorasick::new(CORRESPONDENT_CUES).ok());
static CHECKING: Cues = LazyLock::new(|| AhoCorasick::new(CHECKING_CUES).ok());
static ACCOUNT: Cues = LazyLock::new(|| AhoCorasick::new(ACCOUNT_CUES).ok());

/// Byte offset just past the last occurrence of any of the cues in `haystack`.
fn last_cue(haystack: &str, cues: &Cues) -> Option<usize> {
    let cues = cues.as_ref()?;
    cues.find_overlapping_iter(haystack).map(|m| m.end()).max()
}

#[cfg(test)]
mod tests {
    use super::super::digits_of;
    use super::*;

    /// The verdict on the last whitespace-free run of 20 digits in `text`.
    fn account(text: &str) -> bool {
        let token = text
            .split(|c: char| c.is_whitespace() || c == ',')
            .rfind(|t| t.len() >= 20)
            .unwrap();
        let start = text.rfind(token).unwrap();
        is_client_account(text, start..start + token.len())
    }

    #[test]
    fn the_control_key_checks_against_the_bik() {
        // Sberbank's correspondent account checks with 0 and the BIK's 5th and 6th digits.
        let bik = digits_of("044525225");
        assert!(control_key_valid(&bik, &digits_of("30101810400000000225")));
        assert!(!control_key_valid(&bik, &digits_of("30101810500000000225")));
    }

    #[test]
    fn client_accounts_are_found_by_cue_prefix_or_key() {
        assert!(account("р/с 40817810099991234567"));
        assert!(account("40702810123450000001 в банке"), "client prefix");
        assert!(account("лицевой счёт № 10817810099991234567"), "named");
        // An unusual prefix without a cue: only the control key can tell.
        assert!(account("БИК 044525225, 20202810500000000001"));
        assert!(!account("БИК 044525225, 20202810600000000001"), "key fails");
        assert!(!account("20202810500000000001"), "no BIK to check it");
    }

    #[test]
    fn correspondent_accounts_and_unnamed_runs_are_kept() {
        assert!(!account("к/с 30101810400000000225"));
        assert!(!account("корр. счёт 30101810400000000225"));
        assert!(!account(
            "БИК банка 044525225, корсчёт 30101810400000000225"
        ));
        assert!(
            !account("счёт банка 30101810400000000225"),
            "only a client's account cue"
        );
        assert!(account("р/с 30101810400000000225"));
        assert!(
            account("Номер счёта (20 цифр): 10817810099991234567"),
            "a format hint"
        );
        assert!(!account("номер 30101810400000000225"));
        assert!(!account("trace 12345678901234567890"));
    }

    #[test]
    fn an_inn_needs_a_requisites_line_or_a_kpp() {
        let inn = |text: &str| {
            let start = text.find("7707083893").unwrap();
            is_inn_in_requisites(text, start..start + 10)
        };
        assert!(inn("Получатель: ООО Ромашка\n7707083893/773601001\n"));
        assert!(inn(
            "Организация: ООО Ромашка\nНалоговый номер: 7707083893\nБИК 044525225"
        ));
        assert!(!inn("Номер заказа: 7707083893\nБИК 044525225"));
        assert!(inn("Tax number: 7707083893"), "a tax label is enough");
        assert!(!inn("Номер: 7707083893"), "no block around");
        assert!(inn(
            "Beneficiary: Romashka LLC\nRegistration: 7707083893\nBIC 044525225"
        ));
        assert!(!inn("Client ID: 7707083893\nBIC 044525225"));
        assert!(inn("| Tax number | 7707083893 |"), "a table row");
        assert!(
            inn("> Russian tax ID: 7707083893 After updating"),
            "a quoted line"
        );
        assert!(!inn("see 7707083893 in the log, БИК 044525225"), "no label");
    }

    /// `is_client_account` as first written: lower-cased copies and one search per cue.
    fn is_client_account_by_copy(text: &str, value: Range<usize>) -> bool {
        fn last_cue(haystack: &str, cues: &[&str]) -> Option<usize> {
            cues.iter()
                .filter_map(|cue| haystack.rfind(cue).map(|at| at + cue.len()))
                .max()
        }
        fn without_brackets(text: &str) -> String {
            let mut depth = 0usize;
            text.chars()
                .filter(|&c| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth = depth.saturating_sub(1),
                        _ => return depth == 0,
                    }
                    false
                })
                .collect()
        }
        let digits = digits_of(&text[value.clone()]);
        if digits.len() != 20 {
            return false;
        }
        let start = floor_char_boundary(text, value.start.saturating_sub(CUE_REACH));
        let before = text[start..value.start].to_lowercase();
        let correspondent = last_cue(&before, CORRESPONDENT_CUES);
        let account = last_cue(&before, ACCOUNT_CUES);
        if let Some(at) = correspondent
            && !before[at..].bytes().any(|b| b.is_ascii_digit())
        {
            return false;
        }
        let no_digit_since = |at: usize| {
            !without_brackets(&before[at..])
                .bytes()
                .any(|b| b.is_ascii_digit())
        };
        let named = account.is_some_and(no_digit_since);
        if digits.starts_with(&[3, 0, 1]) {
            return last_cue(&before, CHECKING_CUES).is_some_and(no_digit_since);
        }
        if named || has_client_prefix(&digits) {
            return true;
        }
        let start = floor_char_boundary(text, value.start.saturating_sub(BIK_REACH));
        let end = ceil_char_boundary(text, (value.end + BIK_REACH).min(text.len()));
        let window = text[start..end].to_lowercase();
        let bik = ["бик", "bik", "bic"].iter().find_map(|cue| {
            window.match_indices(cue).find_map(|(at, _)| {
                let after = &window[at + cue.len()..];
                let skip = after
                    .char_indices()
                    .take_while(|&(i, c)| i < 12 && !c.is_ascii_digit())
                    .last()
                    .map_or(0, |(i, c)| i + c.len_utf8());
                let digits: Vec<u8> = after[skip..]
                    .bytes()
                    .take_while(u8::is_ascii_digit)
                    .map(|b| b - b'0')
                    .collect();
                (digits.len() == 9 && digits.starts_with(&[0, 4])).then_some(digits)
            })
        });
        bik.is_some_and(|bik| control_key_valid(&bik, &digits))
    }

    proptest::proptest! {
        #[test]
        fn the_account_check_agrees_with_the_straightforward_one(
            before in "(Р/С|р/с|Корр\\. |К/С|лицевой |Счёт|счет|acct|Account|БИК 044525225|BIC 04452522|\\(20 цифр\\)|İ|K|№ |[0-9]{1,3}|[a-zа-я ]{1,5}|: |\n){0,10}",
            account in "(301|408|202|423)[0-9]{17}",
            after in "( |, БИК 044525225| bic: 044525225|[a-z ]{0,8})",
        ) {
            let text = format!("{before}{account}{after}");
            let value = before.len()..before.len() + account.len();
            proptest::prop_assert_eq!(
                is_client_account(&text, value.clone()),
                is_client_account_by_copy(&text, value)
            );
        }

        #[test]
        fn inn_digits_are_read_as_before(text in "[0-9 ]{8,14}") {
            proptest::prop_assert_eq!(inn_digits_valid(&text), inn_valid(&digits_of(&text)));
        }
    }
}
