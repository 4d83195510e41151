//! Shapes of names, secrets stated in prose and postal addresses, in English and Russian, each
//! family with negative controls, and a clean-prose check: ordinary text must come out whole.

use super::{Finding, Redactor};

/// The labels this module is about; other rules (e-mail, phone…) are not judged here.
const TEXT_LABELS: &[&str] = &["NAME", "PASSWORD", "SECRET", "ADDRESS"];

fn redactor() -> &'static Redactor {
    static REDACTOR: std::sync::OnceLock<Redactor> = std::sync::OnceLock::new();
    REDACTOR.get_or_init(|| Redactor::builtin().unwrap())
}

fn text_findings(text: &str) -> Vec<Finding> {
    redactor()
        .find(text)
        .into_iter()
        .filter(|f| TEXT_LABELS.contains(&f.mask.as_str()))
        .collect()
}

/// Asserts that `value` (which occurs in `text`) is masked under `label`, and that the finding
/// covering it takes no line break and no more than `value` plus at most `slack` bytes.
fn assert_masked(text: &str, value: &str, label: &str) {
    let start = text
        .find(value)
        .unwrap_or_else(|| panic!("{value:?} not in {text:?}"));
    let end = start + value.len();
    let findings = redactor().find(text);
    let covering = findings
        .iter()
        .find(|f| f.start <= start && f.end >= end)
        .unwrap_or_else(|| panic!("{value:?} not masked in {text:?}: {findings:?}"));
    assert_eq!(covering.mask, label, "{value:?} in {text:?}");
    let found = &text[covering.start..covering.end];
    assert!(
        !found.contains('\n'),
        "{found:?} crosses a line in {text:?}"
    );
}

/// Asserts that `value` (which occurs in `text`) is masked exactly: not a byte more.
fn assert_exact(text: &str, value: &str, label: &str) {
    assert_masked(text, value, label);
    let start = text.find(value).unwrap();
    let findings = redactor().find(text);
    assert!(
        findings
            .iter()
            .any(|f| f.start == start && f.end == start + value.len()),
        "{value:?} is not masked exactly in {text:?}: {:?}",
        findings
            .iter()
            .map(|f| &text[f.start..f.end])
            .collect::<Vec<_>>()
    );
}

fn assert_untouched(text: &str) {
    let findings = text_findings(text);
    assert!(
        findings.is_empty(),
        "{text:?} lost {:?}",
        findings
            .iter()
            .map(|f| (&*f.rule, &text[f.start..f.end]))
            .collect::<Vec<_>>()
    );
}

#[test]
fn english_names_without_a_cue() {
    for (text, name) in [
        (
            "John Smith called yesterday about the refund.",
            "John Smith",
        ),
        (
            "I spoke with Maria Garcia-Lopez on the phone.",
            "Maria Garcia-Lopez",
        ),
        ("The form was signed by J. Smith last week.", "J. Smith"),
        ("Account holder: Smith, John", "Smith, John"),
        ("Please pass this to Dr. Wilson today.", "Dr. Wilson"),
        ("Mrs. Brown asked for a callback.", "Mrs. Brown"),
        ("Ms Taylor and the bank both agreed.", "Ms Taylor"),
        (
            "Our contact is Emily R. Clark from accounting.",
            "Emily R. Clark",
        ),
        ("JENNIFER MILLER is the card holder", "JENNIFER MILLER"),
        ("Forwarded by Kevin O'Connor this morning", "Kevin O'Connor"),
    ] {
        assert_exact(text, name, "NAME");
    }
}

#[test]
fn russian_names_in_any_case_and_order() {
    for (text, name) in [
        ("Иван Петров звонил вчера.", "Иван Петров"),
        ("Петров Иван подал заявку.", "Петров Иван"),
        ("Анна Сергеевна просила перезвонить.", "Анна Сергеевна"),
        ("Передайте Петрову И. копию договора.", "Петрову И."),
        ("Передайте Ивану Петрову, что всё готово.", "Ивану Петрову"),
        ("Я говорил с Иваном Петровым утром.", "Иваном Петровым"),
        ("Заявление от Ольги Смирновой пришло.", "Ольги Смирновой"),
        ("ФИО: ПЕТРОВ ИВАН", "ПЕТРОВ ИВАН"),
        ("Документы у Марии Кузнецовой.", "Марии Кузнецовой"),
        (
            "Подписал Соколов Дмитрий Андреевич.",
            "Соколов Дмитрий Андреевич",
        ),
        ("Ответственный — Лебедева Т. Н.", "Лебедева Т. Н."),
        ("Звонила Юлия Ковальчук из филиала.", "Юлия Ковальчук"),
    ] {
        assert_exact(text, name, "NAME");
    }
}

#[test]
fn names_where_mail_and_chat_put_them() {
    assert_exact(
        "From: John Smith <john@example.org>\nSubject: refund",
        "John Smith",
        "NAME",
    );
    assert_exact(
        "> От: Кузнецова Анна <anna@example.ru>",
        "Кузнецова Анна",
        "NAME",
    );
    assert_exact("[12:03] Maria K.: the app froze again", "Maria K.", "NAME");
    assert_exact("12:04 Дмитрий: перезагрузил, не помогло", "Дмитрий", "NAME");
    assert_exact("Thanks for the quick fix.\n-- \nOlga\n", "Olga", "NAME");
    assert_exact("Best regards,\nJane Doe\n", "Jane Doe", "NAME");
    assert_exact("С уважением,\nДмитрий Соколов", "Дмитрий Соколов", "NAME");
    assert_exact("Меня зовут Ольга, у меня вопрос", "Ольга", "NAME");
}

#[test]
fn a_name_mask_stops_at_the_line_break() {
    let text = "Анна Сергеевна\nКлиента не было дома";
    assert_exact(text, "Анна Сергеевна", "NAME");
    let text = "Regards,\nJohn Smith\nSupport Team";
    assert_exact(text, "John Smith", "NAME");
}

#[test]
fn an_imperative_before_a_name_is_not_part_of_it() {
    for (text, name) in [
        (
            "Передайте Алексею Николаевичу привет",
            "Алексею Николаевичу",
        ),
        ("Скажите Ольге Петровне, что всё готово", "Ольге Петровне"),
        ("Ответьте Петру Ильичу сегодня", "Петру Ильичу"),
    ] {
        assert_exact(text, name, "NAME");
    }
}

#[test]
fn passwords_in_structured_fields_are_masked() {
    for (text, value) in [
        (
            r#"{"user":"ivan","password":"S3cr3t-Pa55!","id":1042}"#,
            "S3cr3t-Pa55!",
        ),
        (
            "{'login': 'ivan', 'new_password': 'Tr0ub4dor&3'}",
            "Tr0ub4dor&3",
        ),
        ("<password>S3cr3t-Pa55!</password>", "S3cr3t-Pa55!"),
    ] {
        assert_exact(text, value, "PASSWORD");
    }
}

#[test]
fn words_that_only_stand_where_names_stand_are_kept() {
    for text in [
        "Нотариуса и Клиента известили заранее.",
        "ФИО Клиента указано неверно.",
        "Уважаемый Клиент, ваш запрос принят.",
        "Здравствуйте, Нотариуса сегодня нет.",
        "Москва, Санкт-Петербург и Казань работают.",
        "Dear customer, thank you for writing to Support.",
        "Dear Valued Customer,",
        "On Monday the Google Chrome update broke Windows Defender.",
        "In May Microsoft released a fix for Outlook.",
        "Will Support reply before Friday?",
        "Служба Поддержки ответит в Понедельник.",
        "Mark As Read does nothing in the Mail app.",
        "Grant Access button is grey.",
        "See Section A. The rest is fine.",
        "The U.S. Army and the U.K. Government use it.",
        "Our Director General signed the Terms of Service.",
        "[12:03] Support: how can we help?",
        "Привет Всем! Спасибо Большое.",
        "Демократическая Социалистическая Республика",
    ] {
        assert_untouched(text);
    }
}

#[test]
fn passwords_and_secrets_stated_in_prose() {
    for (text, value, label) in [
        (
            "пароль от ЛК: Qwerty!2345, не работает",
            "Qwerty!2345",
            "PASSWORD",
        ),
        (
            "my password is hunter2!! and it fails",
            "hunter2!!",
            "PASSWORD",
        ),
        ("пароль — мойпароль123", "мойпароль123", "PASSWORD"),
        ("my password is sunshine", "sunshine", "PASSWORD"),
        (
            "passphrase: correct horse battery staple",
            "correct horse battery staple",
            "PASSWORD",
        ),
        (
            "кодовая фраза: зелёный слон танцует",
            "зелёный слон танцует",
            "PASSWORD",
        ),
        ("пароль: ЛошадьБатарея", "ЛошадьБатарея", "PASSWORD"),
        (
            "the password was changed to Zebra77x",
            "Zebra77x",
            "PASSWORD",
        ),
        (
            "I changed my password to tulip-garden yesterday",
            "tulip-garden",
            "PASSWORD",
        ),
        ("новый пароль — Котопёс77", "Котопёс77", "PASSWORD"),
        ("поменял пароль на ЛетоВМоскве", "ЛетоВМоскве", "PASSWORD"),
        (
            "old password: abc12345 / new password: Def!6789",
            "abc12345",
            "PASSWORD",
        ),
        (
            "old password: abc12345 / new password: Def!6789",
            "Def!6789",
            "PASSWORD",
        ),
        ("кодовое слово — Бегемот", "Бегемот", "SECRET"),
        ("моё кодовое слово Бегемот", "Бегемот", "SECRET"),
        ("secret word: pineapple", "pineapple", "SECRET"),
        ("security answer: Fluffy", "Fluffy", "SECRET"),
        ("ответ на секретный вопрос: Шарик", "Шарик", "SECRET"),
        ("девичья фамилия матери: Сидорова", "Сидорова", "SECRET"),
        ("My mother's maiden name is Jenkins.", "Jenkins", "SECRET"),
    ] {
        assert_exact(text, value, label);
    }
}

#[test]
fn talk_about_passwords_without_one_is_kept() {
    for text in [
        "my password expired yesterday",
        "I forgot password again",
        "Please reset my password today.",
        "Пароль не подходит.",
        "Смена пароля не работает.",
        "Новый пароль не приходит на почту.",
        "my password is wrong",
        "my password is blocked",
        "I changed my password to something stronger",
        "поменял пароль на более сложный",
        "Password:",
        "The password-protected archive is attached.",
        "кодовое слово не помню",
        "ответ на секретный вопрос: не помню",
        "I forgot my passphrase and cannot log in",
        "passphrase protection is enabled",
    ] {
        assert_untouched(text);
    }
}

#[test]
fn russian_postal_addresses() {
    for (text, value) in [
        (
            "Доставьте на ул. Ленина, д. 5, кв. 12.",
            "ул. Ленина, д. 5, кв. 12",
        ),
        (
            "Адрес: г. Москва, ул. Тверская, д. 7, корп. 2, кв. 15",
            "г. Москва, ул. Тверская, д. 7, корп. 2, кв. 15",
        ),
        ("живу на проспекте Мира 10-15", "проспекте Мира 10-15"),
        (
            "123456, г. Москва, ул. Арбат, д. 1",
            "123456, г. Москва, ул. Арбат, д. 1",
        ),
        (
            "Московская обл., г. Химки, мкр. Сходня, ул. Мира, д. 3",
            "Московская обл., г. Химки, мкр. Сходня, ул. Мира, д. 3",
        ),
        (
            "с. Черский, пер. Медицинский, д. 50 к. 911, 364942",
            "с. Черский, пер. Медицинский, д. 50 к. 911, 364942",
        ),
        (
            "пер. 50 лет Победы, д. 9 к. 4/6",
            "пер. 50 лет Победы, д. 9 к. 4/6",
        ),
        (
            "живу на улице Ленина, дом 5, квартира 12",
            "улице Ленина, дом 5, квартира 12",
        ),
    ] {
        assert_exact(text, value, "ADDRESS");
    }
}

#[test]
fn english_postal_addresses() {
    for (text, value) in [
        (
            "I live at 1234 Elm Street, Apt 5 since May.",
            "1234 Elm Street, Apt 5",
        ),
        ("Send it to 221B Baker St please", "221B Baker St"),
        ("Mail goes to PO Box 123 now", "PO Box 123"),
        ("Billing: Springfield, IL 62704", "Springfield, IL 62704"),
        (
            "10 Downing Street, London SW1A 2AA",
            "10 Downing Street, London SW1A 2AA",
        ),
        (
            "848 Preston Wall Apt. 941, North Austin, AS 91426",
            "848 Preston Wall Apt. 941, North Austin, AS 91426",
        ),
        (
            "ship to 9007 George Hills, Lake Andrew, ND 54732 asap",
            "9007 George Hills, Lake Andrew, ND 54732",
        ),
        (
            "PSC 1234, Box 5678, APO AE 09012",
            "PSC 1234, Box 5678, APO AE 09012",
        ),
    ] {
        assert_exact(text, value, "ADDRESS");
    }
}

#[test]
fn numbers_and_places_that_are_not_addresses_are_kept() {
    for text in [
        "Офис в Москве открыт до 18:00.",
        "Офис на улице Ленина открыт.",
        "См. п. 3.2 договора и пр. 4.",
        "In 2019 Apple Park opened.",
        "We have 3 Service Center locations.",
        "Order 12345678 shipped on 2025-03-01, version 3.28.4.46.",
        "Unit 12 tests passed, the Box 3 model failed.",
        "Windows 10 Pro and iOS 17 Beta are affected.",
    ] {
        assert_untouched(text);
    }
}

/// Ordinary prose of both languages, generated from sentence parts that use the capitalised
/// words support text is full of (places, products, weekdays, roles) and none of the shapes.
fn generated_clean_prose() -> String {
    const SUBJECTS_EN: &[&str] = &[
        "The Support Team",
        "Our Billing Department",
        "The Android app",
        "Google Chrome",
        "The Windows Defender service",
        "Microsoft Outlook",
        "The Help Center",
        "Customer Service",
        "The New York office",
        "Apple Pay",
        "The Premium Plan",
        "Your Account Manager",
    ];
    const VERBS_EN: &[&str] = &[
        "will answer",
        "stopped working",
        "was updated",
        "needs a restart",
        "sent the invoice",
        "is available again",
        "closed the ticket",
        "crashed twice",
    ];
    const TAILS_EN: &[&str] = &[
        "on Monday morning.",
        "after the March release.",
        "in London and Paris.",
        "before Christmas.",
        "for Dear Customer letters.",
        "with Version 3 of the API.",
        "at the Main Office.",
        "during the Black Friday sale.",
    ];
    const SUBJECTS_RU: &[&str] = &[
        "Служба поддержки",
        "Отдел Продаж",
        "Приложение для Android",
        "Личный кабинет",
        "Офис в Москве",
        "Нотариус",
        "Банк Клиента",
        "Главный Бухгалтер",
        "Сервис Госуслуги",
        "Филиал в Санкт-Петербурге",
        "Менеджер Проекта",
        "Новая версия",
    ];
    const VERBS_RU: &[&str] = &[
        "ответит",
        "перестал работать",
        "обновился",
        "прислал счёт",
        "снова доступен",
        "закрыл заявку",
        "требует перезапуска",
        "уведомил Нотариуса",
    ];
    const TAILS_RU: &[&str] = &[
        "в понедельник утром.",
        "после мартовского релиза.",
        "в Москве и Казани.",
        "до Нового Года.",
        "по просьбе Клиента.",
        "в Личном Кабинете.",
        "на Главной Странице.",
        "в День Рождения Компании.",
    ];
    let mut out = String::new();
    for (i, subject) in SUBJECTS_EN.iter().enumerate() {
        for (j, verb) in VERBS_EN.iter().enumerate() {
            for tail in TAILS_EN {
                out.push_str(&format!("{subject} {verb} {tail} "));
            }
            out.push_str(&format!(
                "{} {} {}\n",
                SUBJECTS_RU[i],
                VERBS_RU[j],
                TAILS_RU[(i + j) % TAILS_RU.len()]
            ));
        }
    }
    for subject in SUBJECTS_RU {
        for verb in VERBS_RU {
            for tail in TAILS_RU {
                out.push_str(&format!("{subject} {verb} {tail} "));
            }
            out.push('\n');
        }
    }
    out
}

#[test]
fn clean_prose_in_both_languages_keeps_every_word() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    // The README's prose; its tables and code blocks show example values on purpose.
    let mut corpus = String::new();
    let mut in_code = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        } else if !in_code && !line.starts_with('|') {
            corpus.push_str(line);
            corpus.push('\n');
        }
    }
    corpus.push_str(&generated_clean_prose());
    assert!(corpus.len() > 100_000, "{} bytes", corpus.len());
    let findings = text_findings(&corpus);
    let found: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| (&*f.rule, &corpus[f.start..f.end]))
        .collect();
    assert!(found.is_empty(), "{} findings: {found:?}", found.len());
}
