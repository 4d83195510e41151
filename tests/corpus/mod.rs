//! A labelled corpus generator for the redactor: English and Russian prose with planted
//! personal data and secrets (valid checksums), and decoys that must survive. Shared by the
//! quality tests and the benchmarks; deterministic for a given seed.
#![allow(dead_code)]

/// A small deterministic generator (xorshift64*), so runs can be replayed from their seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    pub fn digits(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next() % 10) as u8).collect()
    }

    pub fn word(&mut self, alphabet: &str, len: usize) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        (0..len).map(|_| chars[self.below(chars.len())]).collect()
    }
}

/// What a planted item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    Email,
    Phone,
    Card,
    Iban,
    CardSecurity,
    GovernmentId,
    DateOfBirth,
    Network,
    Wallet,
    Credential,
    OneTimeCode,
    Password,
    Name,
    BankAccount,
    Address,
}

impl Family {
    pub const ALL: [Family; 15] = [
        Family::Email,
        Family::Phone,
        Family::Card,
        Family::Iban,
        Family::CardSecurity,
        Family::GovernmentId,
        Family::DateOfBirth,
        Family::Network,
        Family::Wallet,
        Family::Credential,
        Family::OneTimeCode,
        Family::Password,
        Family::Name,
        Family::BankAccount,
        Family::Address,
    ];
}

/// One sentence with at most one planted value, and where it is.
pub struct Sample {
    pub text: String,
    /// (family, kind, byte range of the planted value); None for decoy and filler sentences.
    pub planted: Option<(Family, &'static str, std::ops::Range<usize>)>,
    /// Byte ranges of decoys that must not be masked.
    pub decoys: Vec<(&'static str, std::ops::Range<usize>)>,
}

fn digits_to_string(d: &[u8]) -> String {
    d.iter().map(|x| char::from(b'0' + x)).collect()
}

fn luhn_complete(mut digits: Vec<u8>) -> Vec<u8> {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    digits.push(((10 - sum % 10) % 10) as u8);
    digits
}

fn group(s: &str, size: usize, sep: &str) -> String {
    s.as_bytes()
        .chunks(size)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect::<Vec<_>>()
        .join(sep)
}

pub fn card(rng: &mut Rng) -> (&'static str, String) {
    let (kind, prefix, len): (&'static str, &str, usize) = match rng.below(6) {
        0 => ("visa", "4", 16),
        1 => (
            "mastercard",
            rng.pick(&["51", "52", "53", "54", "55", "2221", "2720"]),
            16,
        ),
        2 => (
            "mir",
            rng.pick(&["2200", "2201", "2202", "2203", "2204"]),
            16,
        ),
        3 => ("amex", rng.pick(&["34", "37"]), 15),
        4 => ("unionpay", "62", 16),
        _ => ("jcb", "3528", 16),
    };
    let mut digits: Vec<u8> = prefix.bytes().map(|b| b - b'0').collect();
    digits.extend(rng.digits(len - 1 - digits.len()));
    let plain = digits_to_string(&luhn_complete(digits));
    let written = match rng.below(3) {
        0 => plain,
        1 => group(&plain, 4, " "),
        _ => group(&plain, 4, "-"),
    };
    (kind, written)
}

pub fn iban(rng: &mut Rng) -> (&'static str, String) {
    let (country, bban_len) = *[
        ("DE", 18usize),
        ("GB", 18),
        ("FR", 23),
        ("NL", 14),
        ("ES", 20),
    ]
    .get(rng.below(5))
    .unwrap_or(&("DE", 18));
    let bban: String = if country == "GB" || country == "NL" {
        format!(
            "{}{}",
            rng.word("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 4),
            digits_to_string(&rng.digits(bban_len - 4))
        )
    } else {
        digits_to_string(&rng.digits(bban_len))
    };
    // Check digits: 98 - (bban + country + "00") mod 97.
    let rearranged = format!("{bban}{country}00");
    let mut remainder: u32 = 0;
    for c in rearranged.chars() {
        let v = c.to_digit(36).unwrap_or(0);
        remainder = if v >= 10 {
            (remainder * 100 + v) % 97
        } else {
            (remainder * 10 + v) % 97
        };
    }
    let iban = format!("{country}{:02}{bban}", 98 - remainder);
    let written = if rng.below(2) == 0 {
        iban
    } else {
        group(&iban, 4, " ")
    };
    ("iban", written)
}

pub fn snils(rng: &mut Rng) -> String {
    loop {
        let d = rng.digits(9);
        let n: u32 = d.iter().fold(0, |a, &x| a * 10 + u32::from(x));
        if n <= 1_001_998 {
            continue;
        }
        let sum: u32 = d
            .iter()
            .enumerate()
            .map(|(i, &x)| u32::from(x) * (9 - i as u32))
            .sum();
        let check = match sum {
            0..=99 => sum,
            100 | 101 => 0,
            _ => match sum % 101 {
                100 => 0,
                r => r,
            },
        };
        let s = digits_to_string(&d);
        return format!("{}-{}-{} {:02}", &s[0..3], &s[3..6], &s[6..9], check);
    }
}

pub fn inn(rng: &mut Rng) -> String {
    let weights10 = [2u32, 4, 10, 3, 5, 9, 4, 6, 8];
    let mut d = rng.digits(9);
    let sum: u32 = d
        .iter()
        .zip(weights10)
        .map(|(&x, w)| u32::from(x) * w)
        .sum();
    d.push((sum % 11 % 10) as u8);
    digits_to_string(&d)
}

pub fn ssn(rng: &mut Rng) -> String {
    let area = 1 + rng.below(665);
    let group_no = 1 + rng.below(99);
    let serial = 1 + rng.below(9999);
    format!("{area:03}-{group_no:02}-{serial:04}")
}

pub fn email(rng: &mut Rng) -> String {
    let len = 5 + rng.below(6);
    let local = rng.word("abcdefghijklmnopqrstuvwxyz", len);
    match rng.below(5) {
        4 => format!(
            "{local}@xn--{}.xn--p1ai",
            rng.word("abcdefghijklmnop0123456789", 10)
        ),
        0 => format!(
            "{local}+{}@{}.com",
            rng.word("abcdefgh", 4),
            rng.word("abcdefghijklmnop", 7)
        ),
        1 => format!("{local}@{}.рф", rng.word("абвгдежзиклмнопрст", 6)),
        2 => format!(
            "{}.{local}@{}.org",
            rng.word("abcdefghij", 4),
            rng.word("abcdefghijklmnop", 6)
        ),
        _ => format!(
            "{local}{}@mail.{}.de",
            rng.below(100),
            rng.word("abcdefghijklmnop", 5)
        ),
    }
}

pub fn phone(rng: &mut Rng) -> (&'static str, String) {
    let d = digits_to_string(&rng.digits(7));
    let code = format!("9{}", digits_to_string(&rng.digits(2)));
    match rng.below(10) {
        6 => (
            "ru",
            format!("+7.{code}.{}.{}.{}", &d[0..3], &d[3..5], &d[5..7]),
        ),
        7 => (
            "ru_local",
            format!("{code} {}-{}-{}", &d[0..3], &d[3..5], &d[5..7]),
        ),
        8 => (
            "e164",
            format!(
                "+44 (0) 20 {} {}",
                &d[0..3],
                digits_to_string(&rng.digits(4))
            ),
        ),
        9 => (
            "nanp",
            format!(
                "{}{}-555-{}x{}",
                2 + rng.below(8),
                digits_to_string(&rng.digits(2)),
                digits_to_string(&rng.digits(4)),
                digits_to_string(&rng.digits(3))
            ),
        ),
        0 => (
            "ru",
            format!("+7 ({code}) {}-{}-{}", &d[0..3], &d[3..5], &d[5..7]),
        ),
        1 => (
            "ru",
            format!("8 {code} {} {} {}", &d[0..3], &d[3..5], &d[5..7]),
        ),
        2 => ("ru", format!("+7{code}{d}")),
        3 => (
            "ru",
            format!("8-{code}-{}-{}-{}", &d[0..3], &d[3..5], &d[5..7]),
        ),
        4 => (
            "e164",
            format!(
                "+49 15{} {}",
                rng.below(10),
                digits_to_string(&rng.digits(8))
            ),
        ),
        _ => (
            "nanp",
            format!(
                "({}{}) 555-{}",
                2 + rng.below(8),
                digits_to_string(&rng.digits(2)),
                digits_to_string(&rng.digits(4))
            ),
        ),
    }
}

/// A Russian client account: a client balance prefix (408 17 individuals, 407 02 firms,
/// 423 01 deposits), rouble currency code, then digits; written compact or grouped.
pub fn ru_account(rng: &mut Rng) -> (&'static str, String) {
    let prefix = rng.pick(&["40817", "40702", "40802", "42301", "42305"]);
    let plain = format!("{prefix}810{}", digits_to_string(&rng.digits(12)));
    match rng.below(3) {
        0 => ("compact", plain),
        1 => (
            "grouped",
            format!(
                "{} {} {} {} {} {}",
                &plain[0..3],
                &plain[3..5],
                &plain[5..8],
                &plain[8..9],
                &plain[9..13],
                &plain[13..20]
            ),
        ),
        _ => (
            "dotted",
            format!("{}.{}.{}", &plain[0..5], &plain[5..8], &plain[8..20]),
        ),
    }
}

/// A date of birth between 1940 and 1999, in one of the ways people write it.
pub fn birth_date(rng: &mut Rng, russian: bool) -> (&'static str, String) {
    const RU_MONTHS: &[&str] = &[
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ];
    const EN_MONTHS: &[&str] = &[
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let (day, month, year) = (1 + rng.below(28), 1 + rng.below(12), 1940 + rng.below(60));
    match rng.below(4) {
        0 => ("dmy", format!("{day:02}.{month:02}.{year}")),
        1 => ("iso", format!("{year}-{month:02}-{day:02}")),
        2 if russian => (
            "spelled",
            format!("{day} {} {year} г.", RU_MONTHS[month - 1]),
        ),
        2 => ("spelled", format!("{} {day}, {year}", EN_MONTHS[month - 1])),
        _ => ("us", format!("{month:02}/{day:02}/{year}")),
    }
}

pub fn ipv4(rng: &mut Rng) -> String {
    format!(
        "{}.{}.{}.{}",
        1 + rng.below(223),
        rng.below(256),
        rng.below(256),
        1 + rng.below(254)
    )
}

pub fn ipv6(rng: &mut Rng) -> String {
    let groups: Vec<String> = (0..5)
        .map(|_| format!("{:x}", rng.next() % 0xffff))
        .collect();
    format!("2001:db8:{}::{}", groups[..3].join(":"), groups[3])
}

pub fn mac(rng: &mut Rng) -> String {
    let bytes: Vec<String> = (0..6)
        .map(|_| format!("{:02X}", rng.next() % 256))
        .collect();
    bytes.join(":")
}

pub fn eth(rng: &mut Rng) -> String {
    format!("0x{}", rng.word("0123456789abcdef", 40))
}

const FIRST_RU: &[&str] = &[
    "Иван",
    "Сергей",
    "Андрей",
    "Дмитрий",
    "Алексей",
    "Михаил",
    "Николай",
];
const FIRST_RU_F: &[&str] = &[
    "Анна",
    "Мария",
    "Ольга",
    "Елена",
    "Татьяна",
    "Наталья",
    "Ирина",
];
const PATRONYMIC_M: &[&str] = &[
    "Иванович",
    "Сергеевич",
    "Андреевич",
    "Петрович",
    "Николаевич",
];
const PATRONYMIC_F: &[&str] = &[
    "Ивановна",
    "Сергеевна",
    "Андреевна",
    "Петровна",
    "Николаевна",
];
const SURNAME_M: &[&str] = &[
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Соколов",
    "Лебедев",
    "Новиков",
];
const SURNAME_F: &[&str] = &[
    "Смирнова",
    "Кузнецова",
    "Попова",
    "Соколова",
    "Лебедева",
    "Новикова",
];
const FIRST_EN: &[&str] = &[
    "John", "Emily", "Michael", "Sarah", "David", "Laura", "Peter",
];
const LAST_EN: &[&str] = &[
    "Smith", "Johnson", "Brown", "Taylor", "Miller", "Wilson", "Clark",
];

fn ru_name(rng: &mut Rng) -> String {
    let female = rng.below(2) == 0;
    let (first, patronymic, surname) = if female {
        (
            rng.pick(FIRST_RU_F),
            rng.pick(PATRONYMIC_F),
            rng.pick(SURNAME_F),
        )
    } else {
        (
            rng.pick(FIRST_RU),
            rng.pick(PATRONYMIC_M),
            rng.pick(SURNAME_M),
        )
    };
    match rng.below(3) {
        0 => format!("{surname} {first} {patronymic}"),
        1 => format!("{first} {patronymic} {surname}"),
        _ => format!(
            "{surname} {}.{}.",
            first.chars().next().unwrap_or('А'),
            patronymic.chars().next().unwrap_or('А')
        ),
    }
}

/// A sentence carrying one planted item of `family`, in English or Russian.
pub fn planted(rng: &mut Rng, family: Family) -> Sample {
    let russian = rng.below(2) == 0;
    let (kind, before, value, after): (&'static str, String, String, String) = match family {
        Family::Email => {
            let v = email(rng);
            if russian {
                (
                    "email",
                    "Пишите мне на ".into(),
                    v,
                    ", отвечу быстро.".into(),
                )
            } else {
                (
                    "email",
                    "Please reply to ".into(),
                    v,
                    " when you can.".into(),
                )
            }
        }
        Family::Phone => {
            let (kind, v) = phone(rng);
            if russian {
                (
                    kind,
                    "Мой телефон ".into(),
                    v,
                    ", звоните после шести.".into(),
                )
            } else {
                (kind, "You can call me on ".into(), v, " any time.".into())
            }
        }
        Family::Card => {
            let (kind, v) = card(rng);
            if russian {
                (
                    kind,
                    "Списали дважды с карты ".into(),
                    v,
                    ", верните деньги.".into(),
                )
            } else {
                (
                    kind,
                    "I was charged twice on card ".into(),
                    v,
                    " yesterday.".into(),
                )
            }
        }
        Family::Iban => {
            let (kind, v) = iban(rng);
            if russian {
                (kind, "Верните на счёт ".into(), v, " пожалуйста.".into())
            } else {
                (kind, "Refund to ".into(), v, " please.".into())
            }
        }
        Family::CardSecurity if rng.below(2) == 0 => {
            let v = digits_to_string(&rng.digits(3));
            let (before, after) = if russian {
                *[
                    ("CVC на обороте ", ", если нужно."),
                    ("Три цифры на обороте: ", "."),
                    ("CVV2/CVC2: ", " — не сохраняйте."),
                    ("Секретный код карты ", ", карта моя."),
                ]
                .get(rng.below(4))
                .unwrap_or(&("CVC ", "."))
            } else {
                *[
                    ("the security code is ", ", order 7731."),
                    ("three digits on the back: ", "."),
                    ("CVV/CVC ", " and exp 09/27."),
                    ("card verification value ", " if needed."),
                ]
                .get(rng.below(4))
                .unwrap_or(&("CVC ", "."))
            };
            ("cvv_prose", before.into(), v, after.into())
        }
        Family::CardSecurity => {
            let v = digits_to_string(&rng.digits(3));
            if russian {
                (
                    "cvv",
                    "Код безопасности: ".into(),
                    v,
                    ", если нужно.".into(),
                )
            } else {
                ("cvv", "The CVV is ".into(), v, " if you need it.".into())
            }
        }
        Family::GovernmentId => match rng.below(9) {
            4 => {
                let d = digits_to_string(&rng.digits(10));
                let v = match rng.below(3) {
                    0 => format!("{} {} номер {}", &d[0..2], &d[2..4], &d[4..10]),
                    1 => format!("{} № {}", &d[0..4], &d[4..10]),
                    _ => d.clone(),
                };
                let before = if russian {
                    "Паспорт серия "
                } else {
                    "Passport series and number: "
                };
                ("passport", before.into(), v, ", выдан 12.03.2015.".into())
            }
            5 => {
                let d = digits_to_string(&rng.digits(6));
                let v = format!("{}-{}", &d[0..3], &d[3..6]);
                let before = if russian {
                    "Выдан ОВД района, код подразделения "
                } else {
                    "Passport division code: "
                };
                ("division", before.into(), v, ", выдан в 2015.".into())
            }
            6 => {
                let v = if russian {
                    format!(
                        "{} {}",
                        digits_to_string(&rng.digits(2)),
                        digits_to_string(&rng.digits(7))
                    )
                } else {
                    format!("C{}", digits_to_string(&rng.digits(8)))
                };
                let before = if russian {
                    "Загранпаспорт "
                } else {
                    "My passport no. "
                };
                (
                    "passport_foreign",
                    before.into(),
                    v,
                    " до 2030 года.".into(),
                )
            }
            7 => {
                let v = ssn(rng).replace('-', " ");
                ("ssn_spaced", "SSN ".into(), v, " for the W-9 form.".into())
            }
            8 => {
                let v = ssn(rng).replace('-', "");
                (
                    "ssn_compact",
                    "Social security number ".into(),
                    v,
                    ".".into(),
                )
            }
            0 => ("snils", "Мой СНИЛС ".into(), snils(rng), ".".into()),
            1 => ("inn", "ИНН ".into(), inn(rng), " для чека.".into()),
            2 => {
                let v = format!(
                    "{} {}",
                    digits_to_string(&rng.digits(4)),
                    digits_to_string(&rng.digits(6))
                );
                (
                    "passport",
                    "Паспорт серия ".into(),
                    v,
                    " выдан в 2015.".into(),
                )
            }
            _ => (
                "ssn",
                "My SSN is ".into(),
                ssn(rng),
                " for the form.".into(),
            ),
        },
        Family::DateOfBirth if rng.below(2) == 0 => {
            let (kind, v) = birth_date(rng, russian);
            let before = if russian {
                rng.pick(&["Дата рождения: ", "д.р. ", "Родилась ", "День рождения "])
            } else {
                rng.pick(&["DOB: ", "I was born on ", "Birthday: ", "date of birth "])
            };
            (kind, before.into(), v, ", сбой был 14.03.2025.".into())
        }
        Family::DateOfBirth => {
            let v = format!(
                "{:02}.{:02}.19{}",
                1 + rng.below(28),
                1 + rng.below(12),
                50 + rng.below(50)
            );
            if russian {
                ("dob", "Дата рождения: ".into(), v, ".".into())
            } else {
                ("dob", "Date of birth ".into(), v, " as on my ID.".into())
            }
        }
        Family::Network => match rng.below(5) {
            3 => {
                let hex = rng.word("0123456789abcdef", 12);
                let v = format!("{}.{}.{}", &hex[0..4], &hex[4..8], &hex[8..12]);
                (
                    "mac_cisco",
                    "switch shows ".into(),
                    v,
                    " on port 12.".into(),
                )
            }
            4 => (
                "ipv4",
                "2026-11-25 10:00:01 login from ".into(),
                ipv4(rng),
                " after updating to 3.28.4.46\n".into(),
            ),
            0 => (
                "ipv4",
                "My IP address is ".into(),
                ipv4(rng),
                " at home.".into(),
            ),
            1 => (
                "ipv6",
                "Подключаюсь с адреса ".into(),
                ipv6(rng),
                " через VPN.".into(),
            ),
            _ => ("mac", "The router MAC is ".into(), mac(rng), ".".into()),
        },
        Family::Wallet => match rng.below(3) {
            0 => (
                "btc",
                "Send it to ".into(),
                "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa".into(),
                " please.".into(),
            ),
            1 => (
                "btc",
                "Кошелёк ".into(),
                "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq".into(),
                " мой.".into(),
            ),
            _ => ("eth", "ETH wallet ".into(), eth(rng), " is mine.".into()),
        },
        Family::Credential => match rng.below(6) {
            0 => (
                "aws",
                "aws_access_key_id = ".into(),
                format!("AKIA{}", rng.word("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)),
                "\n".into(),
            ),
            1 => (
                "github",
                "token ".into(),
                format!(
                    "ghp_{}",
                    rng.word(
                        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
                        36
                    )
                ),
                " leaked".into(),
            ),
            2 => (
                "stripe",
                "STRIPE_KEY=".into(),
                format!(
                    "sk_live_{}",
                    rng.word("abcdefghijklmnopqrstuvwxyz0123456789", 24)
                ),
                "\n".into(),
            ),
            3 => (
                "bearer",
                "Authorization: Bearer ".into(),
                rng.word("abcdefghijklmnopqrstuvwxyz0123456789", 32),
                "\n".into(),
            ),
            4 => (
                "jwt",
                "cookie value ".into(),
                format!(
                    "eyJhbGciOiJIUzI1NiJ9.eyJ{}.{}",
                    rng.word("abcdefghijklmnop", 20),
                    rng.word("abcdefghijklmnopqrstuvwxyz0123456789_-", 43)
                ),
                " expired".into(),
            ),
            _ => (
                "api_key",
                "{\"api_key\": \"".into(),
                rng.word("abcdefghijklmnopqrstuvwxyz0123456789", 24),
                "\"}".into(),
            ),
        },
        Family::OneTimeCode if rng.below(2) == 0 => {
            let len = 4 + rng.below(5);
            let v = digits_to_string(&rng.digits(len));
            let (kind, before, after) = if russian {
                *[
                    (
                        "otp",
                        "Одноразовый пароль пришёл: ",
                        "\n2024-03-12 10:00:01 следующая строка",
                    ),
                    ("otp", "SMS: Ваш код ", ", никому не сообщайте."),
                    ("otp", "код подтверждения — ", ", а ошибка 404 осталась."),
                    ("pin", "ПИН-код карты ", ", не говорите никому."),
                ]
                .get(rng.below(4))
                .unwrap_or(&("otp", "код из смс ", "."))
            } else {
                *[
                    ("otp", "The OTP I received was ", ", then error code 500."),
                    ("otp", "auth sms sent, otp=", " status=delivered\n"),
                    ("otp", "They sent code ", " to my phone."),
                    ("pin", "my PIN is ", ", order 7731."),
                ]
                .get(rng.below(4))
                .unwrap_or(&("otp", "OTP ", "."))
            };
            (kind, before.into(), v, after.into())
        }
        Family::OneTimeCode => {
            let v = digits_to_string(&rng.digits(6));
            if russian {
                (
                    "otp",
                    "Пришёл код из смс ".into(),
                    v,
                    ", но он не подходит.".into(),
                )
            } else {
                (
                    "otp",
                    "My verification code is ".into(),
                    v,
                    " but it fails.".into(),
                )
            }
        }
        Family::Password if rng.below(2) == 0 => {
            // Stated in prose, after a qualifier or a verb rather than a colon.
            let v = format!(
                "{}{}{}",
                rng.pick(&["Qwerty", "Лето", "hunter", "Zebra", "котик"]),
                rng.below(10_000),
                rng.pick(&["!", "#", "", "$$"])
            );
            let (before, after): (&str, &str) = if russian {
                *[
                    ("Пароль от ЛК: ", ", не пускает."),
                    ("Я поменял пароль на ", " вчера."),
                    ("Новый пароль — ", ", проверьте."),
                ]
                .get(rng.below(3))
                .unwrap_or(&("Пароль от ЛК: ", "."))
            } else {
                *[
                    ("my password is ", " and it fails."),
                    ("The password was changed to ", " yesterday."),
                    ("Password for the portal: ", "\n"),
                ]
                .get(rng.below(3))
                .unwrap_or(&("my password is ", "."))
            };
            ("password_prose", before.into(), v, after.into())
        }
        Family::Password => {
            let v = format!(
                "{}{}!",
                rng.word("abcdefghijklmnopqrstuvwxyz", 6),
                rng.below(1000)
            );
            if russian {
                (
                    "password",
                    "Мой пароль: ".into(),
                    v,
                    " — не работает.".into(),
                )
            } else {
                ("password", "password: ".into(), v, "\n".into())
            }
        }
        Family::BankAccount => {
            let (kind, v) = ru_account(rng);
            if russian {
                let before = rng.pick(&[
                    "Верните на р/с ",
                    "Расчётный счёт: ",
                    "Лицевой счёт № ",
                    "Реквизиты для возврата: ",
                ]);
                (
                    kind,
                    before.into(),
                    v,
                    ", БИК 044525225, к/с 30101810400000000225.".into(),
                )
            } else {
                let before = rng.pick(&["Please refund to account ", "My salary goes to "]);
                (kind, before.into(), v, ", order 7731.".into())
            }
        }
        Family::Name if rng.below(2) == 0 => {
            // No cue: the dictionary and the surname shape carry it.
            if russian {
                let female = rng.below(2) == 0;
                let (first, surname) = if female {
                    (rng.pick(FIRST_RU_F), rng.pick(SURNAME_F))
                } else {
                    (rng.pick(FIRST_RU), rng.pick(SURNAME_M))
                };
                let v = if rng.below(2) == 0 {
                    format!("{first} {surname}")
                } else {
                    format!("{surname} {first}")
                };
                (
                    "ru_name_bare",
                    "Вчера ".into(),
                    v,
                    " оставил заявку.".into(),
                )
            } else {
                let (first, last) = (rng.pick(FIRST_EN), rng.pick(LAST_EN));
                let v = match rng.below(3) {
                    0 => format!("{first} {last}"),
                    1 => format!("{last}, {first}"),
                    _ => format!("{}. {last}", first.chars().next().unwrap_or('J')),
                };
                (
                    "en_name_bare",
                    "The form was signed by ".into(),
                    v,
                    " on Monday.".into(),
                )
            }
        }
        Family::Name => {
            if russian {
                (
                    "ru_name",
                    "Обращается ".into(),
                    ru_name(rng),
                    " по поводу счёта.".into(),
                )
            } else {
                let v = format!("{} {}", rng.pick(FIRST_EN), rng.pick(LAST_EN));
                (
                    "en_name",
                    "Hello, my name is ".into(),
                    v,
                    " and I need help.".into(),
                )
            }
        }
        Family::Address => {
            let (kind, v) = address(rng, russian);
            if russian {
                (kind, "Доставьте по адресу: ".into(), v, ", спасибо.".into())
            } else {
                (kind, "Please ship it to ".into(), v, " by Friday.".into())
            }
        }
    };
    let start = before.len();
    let end = start + value.len();
    Sample {
        text: format!("{before}{value}{after}"),
        planted: Some((family, kind, start..end)),
        decoys: Vec::new(),
    }
}

const STREETS_RU: &[&str] = &[
    "Ленина",
    "Тверская",
    "Мира",
    "Садовая",
    "Гагарина",
    "Победы",
];
const STREET_TYPES_RU: &[&str] = &["ул.", "пр-т", "пер.", "улица", "проспект", "наб."];
const CITIES_RU: &[&str] = &["г. Москва", "г. Казань", "г. Тверь", "пос. Лесной"];
const STREETS_EN: &[&str] = &["Elm", "Oak", "Maple", "Baker", "Jackson", "Cedar"];
const SUFFIXES_EN: &[&str] = &["Street", "St", "Avenue", "Ave", "Road", "Lane", "Drive"];
const CITIES_EN: &[(&str, &str)] = &[
    ("Springfield", "IL"),
    ("Austin", "TX"),
    ("Portland", "OR"),
    ("Denver", "CO"),
];

/// A postal address: a Russian street line with house and flat (sometimes index and city),
/// or an English street line with a flat or a city/state/ZIP tail, or a PO box.
pub fn address(rng: &mut Rng, russian: bool) -> (&'static str, String) {
    let house = 1 + rng.below(200);
    let flat = 1 + rng.below(300);
    if russian {
        let street = format!("{} {}", rng.pick(STREET_TYPES_RU), rng.pick(STREETS_RU));
        match rng.below(3) {
            0 => ("ru_street", format!("{street}, д. {house}, кв. {flat}")),
            1 => (
                "ru_index_city",
                format!(
                    "{}, {}, {street}, д. {house}, корп. {}, кв. {flat}",
                    100_000 + rng.below(899_999),
                    rng.pick(CITIES_RU),
                    1 + rng.below(5)
                ),
            ),
            _ => ("ru_house_flat", format!("{street} {house}-{flat}")),
        }
    } else {
        let street = format!(
            "{} {} {}",
            100 + rng.below(9_900),
            rng.pick(STREETS_EN),
            rng.pick(SUFFIXES_EN)
        );
        let (city, state) = CITIES_EN[rng.below(CITIES_EN.len())];
        match rng.below(3) {
            0 => ("en_street_apt", format!("{street}, Apt {flat}")),
            1 => (
                "en_street_city",
                format!("{street}, {city}, {state} {}", 10_000 + rng.below(89_999)),
            ),
            _ => ("en_po_box", format!("PO Box {}", 10 + rng.below(9_990))),
        }
    }
}

/// A sentence full of things that look like personal data but are not.
pub fn decoy(rng: &mut Rng) -> Sample {
    let (kind, before, value, after): (&'static str, &str, String, &str) = match rng.below(22) {
        14 => (
            "bik",
            "Банк получателя: БИК ",
            format!("04{}", digits_to_string(&rng.digits(7))),
            ", Москва.",
        ),
        15 => (
            "correspondent_account",
            "корр. счёт ",
            format!("30101810{}", digits_to_string(&rng.digits(12))),
            " банка.",
        ),
        16 => (
            "version4",
            rng.pick(&[
                "After updating to ",
                "Android ",
                "build ",
                "версия приложения ",
            ]),
            format!(
                "{}.{}.{}.{}",
                1 + rng.below(30),
                rng.below(22),
                rng.below(200),
                rng.below(250)
            ),
            " the app crashes.",
        ),
        17 => (
            "error_code",
            rng.pick(&["error code ", "status code ", "zip code "]),
            format!("{}", 1000 + rng.below(9000)),
            " again.",
        ),
        18 => (
            "next_row_year",
            "otp sent\n",
            format!(
                "20{:02}-{:02}-{:02}",
                20 + rng.below(6),
                1 + rng.below(12),
                1 + rng.below(28)
            ),
            " 10:00:01 next row",
        ),
        19 => (
            "order_20_digits",
            "Trace ",
            format!("1{}", digits_to_string(&rng.digits(19))),
            " in the log.",
        ),
        0 => (
            "version",
            "Updated to version ",
            format!(
                "{}.{}.{}.{}",
                rng.below(20),
                rng.below(20),
                rng.below(100),
                rng.below(1000)
            ),
            " today.",
        ),
        1 => (
            "order",
            "Order number ",
            format!("{}", 10_000_000 + rng.below(89_999_999)),
            " has not arrived.",
        ),
        2 => (
            "luhn_invalid",
            "Reference ",
            {
                let (_, c) = card(rng);
                let digits: String = c.chars().filter(char::is_ascii_digit).collect();
                let last = digits
                    .chars()
                    .last()
                    .and_then(|c| c.to_digit(10))
                    .unwrap_or(0);
                format!("{}{}", &digits[..digits.len() - 1], (last + 1) % 10)
            },
            " in the export.",
        ),
        3 => (
            "timestamp_ms",
            "Event at ",
            format!("17{}", digits_to_string(&rng.digits(11))),
            " in the log.",
        ),
        4 => (
            "uuid",
            "Request id ",
            format!(
                "{}-{}-4{}-a{}-{}",
                rng.word("0123456789abcdef", 8),
                rng.word("0123456789abcdef", 4),
                rng.word("0123456789abcdef", 3),
                rng.word("0123456789abcdef", 3),
                rng.word("0123456789abcdef", 12)
            ),
            " failed.",
        ),
        5 => (
            "commit",
            "Fixed in commit ",
            rng.word("0123456789abcdef", 40),
            " on main.",
        ),
        6 => (
            "amount",
            "Сумма ",
            format!(
                "{} {:03},{:02} руб.",
                1 + rng.below(999),
                rng.below(1000),
                rng.below(100)
            ),
            " списана.",
        ),
        7 => (
            "http_status",
            "The server answered ",
            format!("HTTP {}", rng.pick(&["200", "404", "500", "502", "503"])),
            " again.",
        ),
        8 => (
            "date",
            "Сбой был ",
            format!("{:02}.{:02}.2025", 1 + rng.below(28), 1 + rng.below(12)),
            " утром.",
        ),
        9 => (
            "ticket",
            "See ticket ",
            format!("HD-{}", rng.word("0123456789ABCDEFGHJKMNPQRSTVWXYZ", 8)),
            " for details.",
        ),
        10 => (
            "time",
            "Meeting at ",
            format!(
                "{:02}:{:02}:{:02}",
                rng.below(24),
                rng.below(60),
                rng.below(60)
            ),
            " UTC.",
        ),
        11 => (
            "error_code",
            "Код ошибки ",
            format!("{}", 100 + rng.below(900)),
            " на экране.",
        ),
        12 => (
            "amount_en",
            "I paid ",
            format!("${}.{:02}", 1 + rng.below(5000), rng.below(100)),
            " for the plan.",
        ),
        20 => (
            "capitalised_nouns",
            "Вчера ",
            rng.pick(&[
                "Нотариуса и Клиента",
                "Служба Поддержки",
                "Monday Support",
                "Google Chrome",
                "Dear customer",
            ])
            .to_owned(),
            " ответили.",
        ),
        21 => (
            "city_only",
            "Our office in ",
            rng.pick(&["Москва", "г. Москва", "London", "Springfield"])
                .to_owned(),
            " is open.",
        ),
        _ => (
            "password_prose",
            "My password ",
            rng.pick(&["expired", "does not work", "was reset", "is too long"])
                .to_owned(),
            " again.",
        ),
    };
    let start = before.len();
    let end = start + value.len();
    Sample {
        text: format!("{before}{value}{after}"),
        planted: None,
        decoys: vec![(kind, start..end)],
    }
}

const FILLER_EN: &[&str] = &[
    "The app crashes when I open the settings screen.",
    "I updated yesterday and since then sync does not work.",
    "Could you please tell me how to export my data?",
    "Thanks for the quick answer last time.",
    "The invoice for November looks wrong to me.",
];
const FILLER_RU: &[&str] = &[
    "Приложение закрывается при открытии настроек.",
    "После обновления перестала работать синхронизация.",
    "Подскажите, пожалуйста, как выгрузить мои данные?",
    "Спасибо за быстрый ответ в прошлый раз.",
    "Счёт за ноябрь выглядит неправильно.",
];

pub fn filler(rng: &mut Rng) -> Sample {
    let text = if rng.below(2) == 0 {
        rng.pick(FILLER_EN)
    } else {
        rng.pick(FILLER_RU)
    };
    Sample {
        text: text.to_owned(),
        planted: None,
        decoys: Vec::new(),
    }
}

/// A document of about `bytes` bytes: filler, planted items and decoys mixed, with the
/// absolute spans of every planted item and decoy.
pub struct Document {
    pub text: String,
    pub planted: Vec<(Family, &'static str, std::ops::Range<usize>)>,
    pub decoys: Vec<(&'static str, std::ops::Range<usize>)>,
}

pub fn document(rng: &mut Rng, bytes: usize) -> Document {
    document_with(rng, bytes, 30, 20)
}

/// Like `document`, with the share of planted and decoy sentences given in percent.
pub fn document_with(
    rng: &mut Rng,
    bytes: usize,
    planted_percent: usize,
    decoy_percent: usize,
) -> Document {
    let mut doc = Document {
        text: String::with_capacity(bytes + 256),
        planted: Vec::new(),
        decoys: Vec::new(),
    };
    while doc.text.len() < bytes {
        let roll = rng.below(100);
        let sample = if roll < planted_percent {
            let family = Family::ALL[rng.below(Family::ALL.len())];
            planted(rng, family)
        } else if roll < planted_percent + decoy_percent {
            decoy(rng)
        } else {
            filler(rng)
        };
        let offset = doc.text.len();
        if let Some((family, kind, range)) = sample.planted {
            doc.planted
                .push((family, kind, offset + range.start..offset + range.end));
        }
        for (kind, range) in sample.decoys {
            doc.decoys
                .push((kind, offset + range.start..offset + range.end));
        }
        doc.text.push_str(&sample.text);
        doc.text.push(if rng.below(4) == 0 { '\n' } else { ' ' });
    }
    doc
}
