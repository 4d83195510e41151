//! Which code a number after the word "code" is. "Sent code 482113" is a one-time code;
//! "error code 4040", "zip code 10115", "promo code 1234" are not, whatever follows in the
//! sentence. Only the words just before the value count.

use std::ops::Range;

use super::casefold::with_lowercase;
use crate::redact::rules::floor_char_boundary;

/// How far back, on the same line, the words naming the code are read.
const REACH: usize = 40;

/// Words (stems) that, standing right before "code"/"код", name some other kind of code.
const OTHER_CODES: &[&str] = &[
    "error",
    "ошибк",
    "status",
    "статус",
    "zip",
    "postal",
    "post",
    "почтов",
    "индекс",
    "exit",
    "return",
    "http",
    "region",
    "регион",
    "country",
    "стран",
    "area",
    "promo",
    "промо",
    "coupon",
    "купон",
    "discount",
    "скидк",
    "gift",
    "товар",
    "product",
    "sku",
    "артикул",
    "sort",
    "swift",
    "bank",
    "банк",
    "бик",
    "подразделен",
    "оквэд",
    "okved",
    "qr",
    "bar",
    "штрих",
    "source",
    "исходн",
    "currency",
    "валют",
    "mcc",
    "reason",
    "причин",
    "response",
    "ответ",
    "color",
    "цвет",
    "tax",
    "налог",
    "order",
    "заказ",
    "item",
    "class",
    "класс",
];

/// The number at `value` follows a bare "code" that no word before names as another code.
pub(super) fn is_one_time_code(text: &str, value: Range<usize>) -> bool {
    let start = floor_char_boundary(text, value.start.saturating_sub(REACH));
    let before = &text[start..value.start];
    let line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    let mut words = line
        .split(|c: char| !c.is_alphanumeric())
        .rev()
        .filter(|w| !w.is_empty());
    let names_code = |w: &str| {
        with_lowercase(w, |w| {
            w.starts_with("code") || w.starts_with("код") || w == "passcode"
        })
    };
    // Up to the word "code" itself, then the word that qualifies it.
    let Some(qualifier) = words
        .by_ref()
        .find(|w| names_code(w))
        .and_then(|_| words.next())
    else {
        return true;
    };
    !with_lowercase(qualifier, |q| {
        OTHER_CODES.iter().any(|stem| q.starts_with(stem))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str, value: &str) -> bool {
        let start = text.rfind(value).unwrap();
        is_one_time_code(text, start..start + value.len())
    }

    #[test]
    fn the_word_before_code_decides() {
        assert!(code(
            "They sent code 482113 to my phone, then error code 404.",
            "482113"
        ));
        assert!(code("SMS: Ваш код 5531", "5531"));
        assert!(!code("error code 4040", "4040"));
        assert!(!code("Your zip code 10115", "10115"));
        assert!(!code("промо код 1234", "1234"));
        assert!(code("code: 4821", "4821"), "nothing qualifies it");
    }
}
