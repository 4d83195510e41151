#!/usr/bin/env python3
"""Clean-prose check: ordinary Russian and English text with no personal data in it; every
finding is a spurious mask.

    /work/venv-eval/bin/python benches/faker/clean.py --bin target/debug/hushdesk [--rules DIR] --out DIR

The text (DIR/clean.txt, a few hundred KB, the same every run) is made of:
  readme     README.md without its code blocks and `code spans` (which hold example values on purpose)
  rules      the rule descriptions of redaction-rules/*.toml
  ui-ru      Russian messages of the programs installed here (the ru gettext catalogs under
             /usr/share/locale: real Russian sentences written by translators), a fixed sample
  ui-en      the English originals of the same messages
  faker-ru   Faker ru_RU text() paragraphs (seeded)
  faker-en   Faker en_US text() paragraphs (seeded)
  licenses-en  software licences from /usr/share/common-licenses (GPL-3, Apache-2.0, MPL-2.0, …)
  tickets-*  ticket sentences without personal data but with capitalised words that are not names
             (places from Faker, brands, months, "Служба Поддержки", "Dear Support Team")
Messages that contain an e-mail address or a URL are left out (those would be right to mask).
Prints findings per rule and per source; the list with contexts goes to DIR/clean-findings.tsv.
"""
import argparse
import collections
import gettext
import glob
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scoring  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def readme():
    text = open(os.path.join(REPO, "README.md"), encoding="utf-8").read()
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return re.sub(r"`[^`\n]*`", "", text)


def rule_descriptions():
    out = []
    for path in sorted(glob.glob(os.path.join(REPO, "redaction-rules", "*.toml"))):
        for line in open(path, encoding="utf-8"):
            m = re.match(r'\s*description\s*=\s*"(.*)"\s*$', line)
            if m:
                out.append(m.group(1) + ".")
            elif line.startswith("#"):
                out.append(line.lstrip("# ").rstrip())
    return "\n".join(out)


def ui_messages(budget_ru=220_000):
    """Russian translations and their English originals from the installed gettext catalogs."""
    pairs = []
    for path in sorted(glob.glob("/usr/share/locale/ru/LC_MESSAGES/*.mo")):
        try:
            with open(path, "rb") as f:
                catalog = gettext.GNUTranslations(f)._catalog
        except (OSError, UnicodeDecodeError, gettext.error if hasattr(gettext, "error") else OSError):
            continue
        except Exception:
            continue
        for key in sorted(k for k in catalog if isinstance(k, str)):
            ru = catalog[key]
            if not isinstance(ru, str) or len(ru) < 40 or re.search(r"@|https?:|www\.", key + ru):
                continue
            pairs.append((key, ru))
    step = max(1, sum(len(r.encode()) for _, r in pairs) // budget_ru)
    chosen = pairs[::step]
    return "\n".join(r for _, r in chosen), "\n".join(k for k, _ in chosen)


LICENSES = ["GPL-3", "Apache-2.0", "MPL-2.0", "LGPL-3", "Artistic", "CC0-1.0", "GFDL-1.3"]


def licenses():
    """English legal prose full of capitalised words that are not names (Debian's base-files)."""
    texts = []
    for name in LICENSES:
        path = os.path.join("/usr/share/common-licenses", name)
        if os.path.exists(path):
            texts.append(open(path, encoding="utf-8").read())
    return "\n\n".join(texts)


def faker_text(locale, seed, nbytes):
    from faker import Faker
    f = Faker(locale)
    f.seed_instance(seed)
    out, size = [], 0
    while size < nbytes:
        p = f.paragraph(nb_sentences=6)
        out.append(p)
        size += len(p.encode())
    return "\n\n".join(out)


# Ticket prose with capitalised words that are not names (places, products, months, brands):
# the words a name rule without a cue must leave alone.
CLEAN_TICKETS = {
    "ru": [
        "Добрый день! Приложение не запускается после обновления Windows, пробовал переустановить.",
        "Заказ из города {CITY} шёл две недели, хотя обещали доставку, день доставки — {WEEKDAY}.",
        "Мы переехали, теперь живём в городе {CITY}, подскажите, есть ли у вас пункт выдачи.",
        "Цены выросли (месяц: {MONTH}), а уведомления не было.",
        "Оплата через Apple Pay и Google Pay не проходит, через СБП тоже.",
        "Посылка застряла на таможне, страна отправления {COUNTRY}.",
        "Служба Поддержки, помогите, пожалуйста, с возвратом.",
        "Курьер Почты России не позвонил, а СДЭК доставил вовремя.",
        "Новый Год на носу, а подарок так и не пришёл.",
        "Тариф «Семейный» подключил ещё в прошлом месяце ({MONTH}), списания идут по старому.",
        "Проверьте, пожалуйста, Личный Кабинет: там пустая страница.",
        "Работаю за границей (страна: {COUNTRY}), сайт открывается только через VPN.",
        "Уважаемая Поддержка, третий раз пишу по одному вопросу.",
        "Магазин на улице в центре закрыт, а на сайте написано, что работает, выходной — {WEEKDAY}.",
        "Филиал в городе {CITY} не принимает заявления на карту.",
        "Отдел Продаж обещал перезвонить, но тишина.",
        "Спасибо Вам большое за быструю помощь!",
        "В браузере Яндекс всё работает, в Chrome и Firefox нет.",
        "Телевизор Samsung не видит приставку после прошивки.",
        "С Уважением, Бухгалтерия.",
        "Главный Инженер просил уточнить сроки поставки.",
        "Сервис недоступен, последний раз работал: {WEEKDAY}, пишет «Технические работы».",
        "Коллеги из Московского Офиса подтвердили ту же проблему.",
        "Нотариуса и Клиента уведомили письмом.",
        "Генеральный Директор подписал акт (месяц: {MONTH}).",
    ],
    "en": [
        "Hello! The app won't start after the latest Windows Update.",
        "The order from {CITY} took two weeks although delivery was promised by {WEEKDAY}.",
        "We moved to {CITY}, is there a pickup point nearby?",
        "Prices went up in {MONTH} without any notice.",
        "Apple Pay and Google Pay both fail at checkout.",
        "The parcel is stuck in customs, shipped from {COUNTRY}.",
        "Customer Support, please help with the refund.",
        "FedEx never called, but UPS delivered on time.",
        "Christmas Eve is close and the gift has not arrived.",
        "I switched to the Family Plan in {MONTH} but I'm billed the old price.",
        "Please check My Account, it shows a blank page.",
        "I work from {COUNTRY} and the site only opens over a VPN.",
        "Dear Support Team, this is the third time I write about this.",
        "The store downtown is closed although the site says open until {WEEKDAY}.",
        "The {CITY} branch does not accept card applications.",
        "Sales Department promised a call back, nothing yet.",
        "Thank You so much for the quick help!",
        "Everything works in Safari, not in Chrome or Firefox.",
        "My Samsung Smart TV does not see the box after the firmware update.",
        "Best Regards, Accounts Payable.",
        "The Chief Engineer asked to confirm the delivery dates.",
        "The service has been down since {WEEKDAY} with a Scheduled Maintenance page.",
        "Colleagues at the New York Office see the same problem.",
        "Visual Studio Code crashes when I open the project.",
        "The Board of Directors approved the purchase in {MONTH}.",
    ],
}


def clean_tickets(locale, lang, seed, rounds=3):
    """Each sentence `rounds` times with other places and dates (a repeated false positive is one)."""
    import random
    from faker import Faker
    f = Faker(locale)
    f.seed_instance(seed)
    rng = random.Random(seed)
    fill = {"CITY": f.city if lang == "en" else f.city_name, "COUNTRY": f.country, "MONTH": f.month_name,
            "WEEKDAY": f.day_of_week}
    out = []
    for _ in range(rounds):
        for line in CLEAN_TICKETS[lang]:
            for key, make in fill.items():
                while "{" + key + "}" in line:
                    line = line.replace("{" + key + "}", make(), 1)
            out.append(line)
    rng.shuffle(out)
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--rules")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    ui_ru, ui_en = ui_messages()
    sources = [("readme", readme()), ("rules", rule_descriptions()), ("ui-ru", ui_ru), ("ui-en", ui_en),
               ("faker-ru", faker_text("ru_RU", args.seed, 100_000)),
               ("faker-en", faker_text("en_US", args.seed, 80_000)),
               ("licenses-en", licenses()),
               ("tickets-ru", clean_tickets("ru_RU", "ru", args.seed)),
               ("tickets-en", clean_tickets("en_US", "en", args.seed))]
    corpus, spans = bytearray(), []
    for name, text in sources:
        start = len(corpus)
        corpus += text.encode("utf-8")
        spans.append((name, start, len(corpus)))
        corpus += b"\n\n"
    path = os.path.join(args.out, "clean.txt")
    with open(path, "wb") as f:
        f.write(corpus)

    cmd = [args.bin, "redact", "--json"] + (["--rules", args.rules] if args.rules else []) + [path]
    findings = json.loads(subprocess.run(cmd, check=True, capture_output=True).stdout)["findings"]
    per_rule = collections.Counter(f["rule"] for f in findings)
    per_source = collections.Counter()
    ctx = scoring.Context(bytes(corpus))
    listing = os.path.join(args.out, "clean-findings.tsv")
    with open(listing, "w", encoding="utf-8") as out:
        for f in findings:
            source = next(n for n, s, e in spans if s <= f["start"] < e + 2)
            per_source[(source, f["rule"])] += 1
            out.write(f"{f['rule']}\t{source}\t{ctx.around(f['start'], f['end'])}\n")
    print(f"### Clean prose: {len(corpus) / 1e3:.0f} KB, {len(findings)} findings")
    print()
    print("| source | KB | findings |")
    print("|---|---|---|")
    for name, s, e in spans:
        n = sum(v for (src, _), v in per_source.items() if src == name)
        print(f"| {name} | {(e - s) / 1e3:.0f} | {n} |")
    print()
    if per_rule:
        print("| rule | findings | by source |")
        print("|---|---|---|")
        for rule, n in per_rule.most_common():
            by = ", ".join(f"{src} {v}" for (src, r), v in sorted(per_source.items()) if r == rule)
            print(f"| {rule} | {n} | {by} |")
        print()
    print(f"findings with context: {listing}")


if __name__ == "__main__":
    main()
