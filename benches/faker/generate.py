#!/usr/bin/env python3
"""Labelled support tickets made from Faker values, for scoring redactors on text nobody tuned them to.

Setup (Python 3.11, once):
    python3 -m venv /work/venv-eval
    /work/venv-eval/bin/pip install -r benches/faker/requirements.txt

Run:
    /work/venv-eval/bin/python benches/faker/generate.py --seed 11 --out /tmp/faker-eval
    /work/venv-eval/bin/python benches/faker/generate.py --seed 12 --templates holdout --out /tmp/faker-holdout

Writes into DIR:
    corpus.txt    all documents, separated by a line "---" between blank lines
    labels.jsonl  one planted value a line: doc, lang, style, type, sub, decoy, start, end, value
                  (start/end are BYTE offsets of UTF-8 in corpus.txt; decoy=true marks a harmless
                  number that must survive)
    docs.jsonl    one document a line: doc, lang, style, start, end (byte offsets)
    meta.json     seed, Faker version, counts

The values come from Faker (locales ru_RU, en_US, and a few European locales for IBANs); the
sentences around them are in templates.py. Styles: prose, mail (forwarded, `> ` quoting,
values wrapped across the quote line break), chat, form ("Label: value"), table (CSV/TSV
exports), paste (non-breaking
and thin spaces, en dashes, non-breaking hyphens, full-width digits), log (key=value lines and
URL-encoded query strings), dictated (digit by digit). The same seed gives the same bytes.
"""
import argparse
import datetime
import importlib.util
import ipaddress
import json
import os
import random
import re
import sys
import urllib.parse
import uuid

import faker
from faker import Faker

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import templates as T  # noqa: E402

STYLES = ["prose", "mail", "chat", "form", "table", "paste", "log", "dictated"]
# Columns a spreadsheet export of customers or payments would have: values that identify
# themselves by their shape or checksum (a one-time code or a birth date in a column is
# only a number or a date once the header is a few rows up).
TABLE_COLUMNS = ["NAME", "PHONE", "EMAIL", "CARD", "INN", "SNILS", "ACCOUNT", "IPV4", "IBAN", "MAC"]
LANGS = ["ru", "en"]
DECOY_KINDS = ["ORDER", "INVOICE", "DATE", "TIME", "VERSION", "AMOUNT", "TRACKING", "TICKET",
               "HTTP", "BIC", "CORR", "UUID", "TIMESTAMP"]
# Placeholders that stand for one planted type with a sub-kind.
ALIASES = {
    "PASSPORT_SER": ("PASSPORT", "series"),
    "PASSPORT_NUM": ("PASSPORT", "number"),
    "PASSPHRASE": ("PASSWORD", "passphrase"),
    "PIN": ("PASSWORD", "pin"),
    "CODEWORD": ("PASSWORD", "codeword"),
}
DIGIT_TYPES = {"PHONE", "CARD", "ACCOUNT", "PASSPORT", "SNILS", "INN", "OTP", "CVV", "SSN", "DIVISION"}

SPACES = ["\u00a0", "\u2009", "\u202f", "\u2007"]           # NBSP, thin, narrow NBSP, figure
DASHES = ["\u2013", "\u2011", "\u2010", "\u2212", "\u2012"]  # en dash, nb hyphen, hyphen, minus, figure dash
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

RU_MONTHS_GEN = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
                 "сентября", "октября", "ноября", "декабря"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]


# ---------------------------------------------------------------------------------------
# Russian declension of Faker's names (enough for the common endings; others stay as they are).
# ---------------------------------------------------------------------------------------
HUSHING = set("жшчщц")
VELAR = set("гкхжшчщ")


def _a_stem(word, case):
    """Nouns in -а/-я (Анна, Никита, Мария, Илья)."""
    stem, last = word[:-1], word[-1]
    if word.endswith("ия"):
        return {"gen": stem + "и", "dat": stem + "и", "acc": stem + "ю", "ins": stem + "ей"}[case]
    if last == "я":
        return {"gen": stem + "и", "dat": stem + "е", "acc": stem + "ю", "ins": stem + "ей"}[case]
    gen = stem + ("и" if stem[-1:] in VELAR else "ы")
    ins = stem + ("ей" if stem[-1:] in HUSHING else "ой")
    return {"gen": gen, "dat": stem + "е", "acc": stem + "у", "ins": ins}[case]


def decline_first(name, male, case):
    if case == "nom":
        return name
    if name[-1] in "ая":
        return _a_stem(name, case)
    if male:
        if name[-1] in "йь":
            stem = name[:-1]
            return {"gen": stem + "я", "dat": stem + "ю", "acc": stem + "я", "ins": stem + "ем"}[case]
        if name[-1] in "оеиуыэюё":
            return name
        ins = name + ("ем" if name[-1] in HUSHING else "ом")
        return {"gen": name + "а", "dat": name + "у", "acc": name + "а", "ins": ins}[case]
    if name.endswith("ь"):
        stem = name[:-1]
        return {"gen": stem + "и", "dat": stem + "и", "acc": name, "ins": name + "ю"}[case]
    return name


def decline_last(name, male, case):
    if case == "nom":
        return name
    if male:
        if re.search("(ов|ев|ёв|ин|ын)$", name):
            return {"gen": name + "а", "dat": name + "у", "acc": name + "а", "ins": name + "ым"}[case]
        if re.search("(ский|цкий|ий|ый)$", name):
            stem = name[:-2]
            ins = stem + ("им" if name.endswith("ий") else "ым")
            return {"gen": stem + "ого", "dat": stem + "ому", "acc": stem + "ого", "ins": ins}[case]
        if name.endswith("ой"):
            stem = name[:-2]
            return {"gen": stem + "ого", "dat": stem + "ому", "acc": stem + "ого", "ins": stem + "ым"}[case]
        if name[-1] in "оеиуыэюёх" or name.endswith("ых") or name.endswith("их"):
            return name
        if name[-1] in "йь":
            stem = name[:-1]
            return {"gen": stem + "я", "dat": stem + "ю", "acc": stem + "я", "ins": stem + "ем"}[case]
        if name[-1] in "ая":
            return _a_stem(name, case)
        return {"gen": name + "а", "dat": name + "у", "acc": name + "а", "ins": name + "ом"}[case]
    if re.search("(ова|ева|ёва|ина|ына)$", name):
        stem = name[:-1]
        return {"gen": stem + "ой", "dat": stem + "ой", "acc": stem + "у", "ins": stem + "ой"}[case]
    if re.search("(ская|цкая|ая)$", name):
        stem = name[:-2]
        return {"gen": stem + "ой", "dat": stem + "ой", "acc": stem + "ую", "ins": stem + "ой"}[case]
    return name


def decline_patronymic(name, male, case):
    if case == "nom":
        return name
    if male and name.endswith("ич"):
        return {"gen": name + "а", "dat": name + "у", "acc": name + "а", "ins": name + "ем"}[case]
    if not male and name.endswith("на"):
        stem = name[:-1]
        return {"gen": stem + "ы", "dat": stem + "е", "acc": stem + "у", "ins": stem + "ой"}[case]
    return name


# ---------------------------------------------------------------------------------------
# A document is a list of characters, each with the id of the label it belongs to (-1: none),
# so that wrapping and quoting can insert text inside a value and keep its span right.
# ---------------------------------------------------------------------------------------
class Doc:
    def __init__(self):
        self.chars = []
        self.labs = []

    def add(self, text, label=-1):
        self.chars.extend(text)
        self.labs.extend([label] * len(text))

    def extend(self, other):
        self.chars.extend(other.chars)
        self.labs.extend(other.labs)

    def text(self):
        return "".join(self.chars)


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.ru = Faker("ru_RU")
        self.en = Faker("en_US")
        self.eu = Faker(["de_DE", "en_GB", "fr_FR", "it_IT", "nl_NL", "es_ES"])
        self.ru.seed_instance(seed)
        self.en.seed_instance(seed + 1)
        self.eu.seed_instance(seed + 2)
        self.labels = []  # dicts without offsets; index = label id

    # -- labels ---------------------------------------------------------------------------
    def label(self, type_, sub, decoy, lang, style):
        self.labels.append({"type": type_, "sub": sub, "decoy": decoy, "lang": lang, "style": style})
        return len(self.labels) - 1

    # -- values -----------------------------------------------------------------------------
    def choice(self, seq):
        return self.rng.choice(seq)

    def digits(self, n):
        return "".join(str(self.rng.randrange(10)) for _ in range(n))

    def name(self, lang, case):
        r = self.rng
        if lang == "en" and r.random() < 0.8:
            f = self.en
            first, last = f.first_name(), f.last_name()
            form = r.choice(["fl", "fl", "fl", "fml", "fl_upper", "title"])
            if form == "fml":
                return f"{first} {f.random_uppercase_letter()}. {last}", "en_first_middle_last"
            if form == "fl_upper" and r.random() < 0.3:
                return f"{first} {last}".upper(), "en_upper"
            if form == "title":
                # The title stays outside the value: "Mr. Smith", "Dr. Anna Smith".
                title = r.choice(["Mr. ", "Ms. ", "Mrs. ", "Dr. "])
                if r.random() < 0.5:
                    return title, last, "en_title_last"
                return title, f"{first} {last}", "en_title_first_last"
            return f"{first} {last}", "en_first_last"
        f = self.ru
        male = r.random() < 0.5
        if male:
            first, middle, last = f.first_name_male(), f.middle_name_male(), f.last_name_male()
        else:
            first, middle, last = f.first_name_female(), f.middle_name_female(), f.last_name_female()
        case = case or "nom"
        d1 = decline_first(first, male, case)
        d2 = decline_patronymic(middle, male, case)
        d3 = decline_last(last, male, case)
        form = r.choice(["lfm", "fml", "fl", "lf", "l_init", "init_l", "fm", "lfm"])
        sub = f"ru_{form}_{case}"
        if form == "lfm":
            return f"{d3} {d1} {d2}", sub
        if form == "fml":
            return f"{d1} {d2} {d3}", sub
        if form == "fl":
            return f"{d1} {d3}", sub
        if form == "lf":
            return f"{d3} {d1}", sub
        if form == "l_init":
            return f"{d3} {first[0]}.{r.choice(['', ' '])}{middle[0]}.", sub
        if form == "init_l":
            return f"{first[0]}.{r.choice(['', ' '])}{middle[0]}. {d3}", sub
        return f"{d1} {d2}", sub  # first name and patronymic, as people address each other

    def phone(self, lang):
        r = self.rng
        if (lang == "ru") == (r.random() < 0.85):
            d = re.sub(r"\D", "", self.ru.phone_number())[-10:]
            a, b, c, e = d[:3], d[3:6], d[6:8], d[8:]
            formats = {
                "ru_plus_dash": f"+7 {a} {b}-{c}-{e}",
                "ru_plus_brackets": f"+7 ({a}) {b}-{c}-{e}",
                "ru_8_brackets": f"8 ({a}) {b}-{c}-{e}",
                "ru_8_spaces": f"8 {a} {b} {c} {e}",
                "ru_8_dashes": f"8-{a}-{b}-{c}-{e}",
                "ru_plus_compact": f"+7{a}{b}{c}{e}",
                "ru_8_compact": f"8{a}{b}{c}{e}",
                "ru_8_dots": f"8.{a}.{b}.{c}.{e}",
                "ru_plus_dots": f"+7.{a}.{b}.{c}.{e}",
                "ru_plus_spaces": f"+7 {a} {b} {c} {e}",
                "ru_plus_endash": f"+7\u2013{a}\u2013{b}\u2013{c}\u2013{e}",
                "ru_8_brackets_nospace": f"8({a}){b}{c}{e}",
                "ru_plus_7digits": f"+7 {a} {b}{c}{e}",
                "ru_faker": self.ru.phone_number(),
            }
            sub = r.choice(list(formats))
            return formats[sub], sub
        raw = self.en.phone_number().split("x")[0]
        d = re.sub(r"\D", "", raw)[-10:]
        a, b, c = d[:3], d[3:6], d[6:]
        formats = {
            "us_faker": raw,
            "us_brackets": f"({a}) {b}-{c}",
            "us_dashes": f"{a}-{b}-{c}",
            "us_dots": f"{a}.{b}.{c}",
            "us_plus1_spaces": f"+1 {a} {b} {c}",
            "us_1_dashes": f"1-{a}-{b}-{c}",
            "us_plus1_brackets": f"+1 ({a}) {b}-{c}",
            "us_spaces": f"{a} {b} {c}",
        }
        sub = r.choice(list(formats))
        return formats[sub], sub

    def passport_parts(self):
        d = re.sub(r"\D", "", self.ru.passport_number())
        return d[:4], d[4:]

    def passport(self):
        s, n = self.passport_parts()
        r = self.rng
        formats = {
            "spaced_series": f"{s[:2]} {s[2:]} {n}",
            "series_number": f"{s} {n}",
            "numero": f"{s} № {n}",
            "spaced_numero": f"{s[:2]} {s[2:]} № {n}",
            "compact": f"{s}{n}",
            "numero_nospace": f"{s} №{n}",
        }
        sub = r.choice(list(formats))
        return formats[sub], sub

    def value(self, kind, lang, arg):
        """(text, sub) for a placeholder, or (unlabelled prefix, text, sub); Faker supplies the data."""
        r, ru, en = self.rng, self.ru, self.en
        if kind == "NAME":
            return self.name(lang, arg if arg in ("nom", "gen", "dat", "acc", "ins") else None)
        if kind == "PHONE":
            return self.phone(lang)
        if kind == "PASSPORT":
            return self.passport()
        if kind == "PASSPORT_SER":
            s = self.passport_parts()[0]
            return (f"{s[:2]} {s[2:]}", "series_spaced") if r.random() < 0.5 else (s, "series")
        if kind == "PASSPORT_NUM":
            return self.passport_parts()[1], "number"
        if kind == "DIVISION":
            d = self.digits(6)
            return (f"{d[:3]}-{d[3:]}", "dash") if r.random() < 0.85 else (f"{d[:3]} {d[3:]}", "space")
        if kind == "SNILS":
            d = ru.snils()
            form = r.choice(["dashed", "dashed", "dashed", "compact", "spaces"])
            if form == "dashed":
                return f"{d[:3]}-{d[3:6]}-{d[6:9]} {d[9:]}", form
            if form == "spaces":
                return f"{d[:3]} {d[3:6]} {d[6:9]} {d[9:]}", form
            return d, form
        if kind == "INN":
            if r.random() < 0.6:
                return ru.individuals_inn(), "inn12"
            return ru.businesses_inn(), "inn10"
        if kind == "ACCOUNT":
            d = ru.checking_account()
            if r.random() < 0.2:
                return f"{d[:5]} {d[5:8]} {d[8]} {d[9:13]} {d[13:]}", "grouped"
            return d, "compact"
        if kind == "CARD":
            d = en.credit_card_number()
            form = r.choice(["spaces", "spaces", "dashes", "compact"])
            if len(d) == 15:
                groups = [d[:4], d[4:10], d[10:]]
            else:
                groups = [d[i:i + 4] for i in range(0, len(d), 4)]
            sep = {"spaces": " ", "dashes": "-", "compact": ""}[form]
            return sep.join(groups), f"{len(d)}_{form}"
        if kind == "CVV":
            return en.credit_card_security_code(), "cvv"
        if kind == "EXPIRY":
            e = en.credit_card_expire()
            mm, yy = e.split("/")
            form = r.choice(["mm/yy", "mm/yy", "mm/yyyy", "mm / yy"])
            return {"mm/yy": e, "mm/yyyy": f"{mm}/20{yy}", "mm / yy": f"{mm} / {yy}"}[form], form
        if kind == "IBAN":
            i = self.eu.iban()
            if r.random() < 0.5:
                return " ".join(i[k:k + 4] for k in range(0, len(i), 4)), "grouped"
            return i, "compact"
        if kind == "ADDRESS":
            if lang == "ru":
                form = r.choice(["faker", "index_city", "street_flat"])
                if form == "faker":
                    return ru.address(), "ru_faker"
                if form == "index_city":
                    return (f"{ru.postcode()}, г. {ru.city_name()}, {ru.street_address()}, "
                            f"кв. {r.randint(1, 300)}"), "ru_index_city_flat"
                return f"{ru.street_address()}, кв. {r.randint(1, 300)}", "ru_street_flat"
            form = r.choice(["faker", "street", "street_apt"])
            if form == "faker":
                return en.address().replace("\n", ", "), "en_faker"
            if form == "street":
                return en.street_address(), "en_street"
            return (f"{en.building_number()} {en.street_name()}, Apt {r.randint(1, 40)}, "
                    f"{en.city()}, {en.state_abbr()} {en.zipcode()}"), "en_street_apt"
        if kind == "SSN":
            d = en.ssn()
            form = r.choice(["dashes", "dashes", "spaces", "spaces", "compact"])
            return {"dashes": d, "spaces": d.replace("-", " "), "compact": d.replace("-", "")}[form], form
        if kind == "IPV4":
            if r.random() < 0.7:
                return en.ipv4_public(), "public"
            return en.ipv4_private(), "private"
        if kind == "IPV6":
            v = en.ipv6()
            if r.random() < 0.4:
                return str(ipaddress.IPv6Address(v)), "compressed"
            return v, "full"
        if kind == "MAC":
            m = en.mac_address()
            form = r.choice(["colon", "colon_upper", "dash_upper", "cisco"])
            h = m.replace(":", "")
            if form == "colon_upper":
                return m.upper(), form
            if form == "dash_upper":
                return m.replace(":", "-").upper(), form
            if form == "cisco":
                return f"{h[:4]}.{h[4:8]}.{h[8:]}", form
            return m, form
        if kind == "PASSWORD":
            if lang == "ru" and r.random() < 0.3:
                return f"{ru.word().capitalize()}{r.randint(1, 9999)}{r.choice('!#$%*')}", "cyrillic"
            return en.password(length=r.randint(8, 16), special_chars=r.random() < 0.7), "password"
        if kind == "PASSPHRASE":
            f = ru if lang == "ru" else en
            words = f.words(nb=r.randint(3, 5))
            return r.choice([" ", " ", "-"]).join(words), "passphrase"
        if kind == "PIN":
            return self.digits(r.choice([4, 4, 4, 6])), "pin"
        if kind == "CODEWORD":
            return (ru.word() if lang == "ru" else en.word()), "codeword"
        if kind == "OTP":
            n = r.choice([4, 5, 6, 6, 6, 8])
            return self.digits(n), f"otp{n}"
        if kind == "DOB":
            d = ru.date_of_birth(minimum_age=16, maximum_age=90)
            return self.date_text(d, lang, arg, birth=True)
        if kind == "EMAIL":
            form = r.choice(["en", "en_free", "ru_free", "company", "idn", "punycode"])
            if form == "en":
                return en.email(), form
            if form == "en_free":
                return en.free_email(), form
            if form == "ru_free":
                return ru.free_email(), form
            if form == "company":
                return en.company_email(), form
            domain = ru.word() + r.choice(["", "-" + ru.word()])
            tld = r.choice(["рф", "рус", "москва"])
            user = en.user_name()
            if form == "idn":
                return f"{user}@{domain}.{tld}", form
            return f"{user}@{domain.encode('idna').decode()}.{tld.encode('idna').decode()}", form
        # decoys
        if kind == "ORDER":
            form = r.choice(["digits", "dash", "hash_letter", "prefixed", "numero"])
            if form == "digits":
                return self.digits(r.randint(6, 9)), form
            if form == "dash":
                return f"{self.digits(4)}-{self.digits(4)}", form
            if form == "hash_letter":
                return f"#{r.choice('ABCRZ')}-{self.digits(6)}", form
            if form == "prefixed":
                return f"ORD-{r.randint(2023, 2026)}-{self.digits(6)}", form
            return f"№{self.digits(7)}", form
        if kind == "INVOICE":
            form = r.choice(["inv", "slash", "sf", "digits"])
            return {"inv": f"INV-{r.randint(2023, 2026)}-{self.digits(6)}",
                    "slash": f"{r.randint(2023, 2026)}/{self.digits(3)}",
                    "sf": f"СФ-{self.digits(6)}" if lang == "ru" else f"INV{self.digits(7)}",
                    "digits": f"№ {self.digits(5)}"}[form], form
        if kind == "DATE":
            d = ru.date_between(start_date=datetime.date(2024, 1, 1), end_date=datetime.date(2026, 12, 31))
            return self.date_text(d, lang, arg, birth=False)
        if kind == "TIME":
            h, m = r.randint(0, 23), r.randint(0, 59)
            form = r.choice(["hm", "hm", "hms", "ampm"])
            if form == "ampm":
                return f"{(h % 12) or 12}:{m:02d} {'AM' if h < 12 else 'PM'}", form
            if form == "hms":
                return f"{h:02d}:{m:02d}:{r.randint(0, 59):02d}", form
            return f"{h:02d}:{m:02d}", form
        if kind == "VERSION":
            form = r.choice(["four", "four", "win", "three", "v3", "chrome", "kernel"])
            return {"four": f"{r.randint(1, 30)}.{r.randint(0, 60)}.{r.randint(0, 20)}.{r.randint(1, 250)}",
                    "win": f"10.0.{r.randint(17000, 26100)}.{r.randint(1, 5000)}",
                    "three": f"{r.randint(1, 20)}.{r.randint(0, 30)}.{r.randint(0, 30)}",
                    "v3": f"v{r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 9)}",
                    "chrome": f"{r.randint(100, 140)}.0.{r.randint(5000, 7000)}.{r.randint(10, 200)}",
                    "kernel": f"{r.randint(4, 6)}.{r.randint(1, 19)}.0-{r.randint(10, 120)}-generic"}[form], form
        if kind == "AMOUNT":
            v = r.randint(100, 4_000_000)
            cents = r.randint(0, 99)
            if lang == "ru":
                grouped = f"{v:,}".replace(",", " ")
                form = r.choice(["rub_sign", "rub", "rubley", "plain"])
                return {"rub_sign": f"{grouped},{cents:02d} ₽", "rub": f"{grouped} руб.",
                        "rubley": f"{v} рублей", "plain": f"{grouped},{cents:02d}"}[form], form
            form = r.choice(["usd", "eur", "code"])
            return {"usd": f"${v:,}.{cents:02d}", "eur": f"€{v // 100:,}.{cents:02d}",
                    "code": f"{v:,}.{cents:02d} USD"}[form], form
        if kind == "TRACKING":
            form = r.choice(["upu", "ups", "russian_post", "cdek"])
            letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
            return {"upu": f"R{r.choice(letters)}{self.digits(9)}RU",
                    "ups": f"1Z{''.join(r.choice(letters + '0123456789') for _ in range(16))}",
                    "russian_post": self.digits(14),
                    "cdek": self.digits(10)}[form], form
        if kind == "TICKET":
            form = r.choice(["hash", "hd", "inc", "tck"])
            return {"hash": f"#{self.digits(5)}", "hd": f"HD-{self.digits(5)}",
                    "inc": f"INC{self.digits(7)}", "tck": f"TCK-{r.randint(2023, 2026)}-{self.digits(4)}"}[form], form
        if kind == "HTTP":
            return r.choice(["400", "401", "403", "404", "409", "422", "429", "500", "502", "503", "504"]), "code"
        if kind == "BIC":
            return ru.bic(), "bic"
        if kind == "CORR":
            return ru.correspondent_account(), "corr"
        if kind == "UUID":
            return str(uuid.UUID(int=r.getrandbits(128), version=4)), "uuid4"
        if kind == "TIMESTAMP":
            t = datetime.datetime(2026, 1, 1) + datetime.timedelta(seconds=r.randint(0, 330 * 86400))
            form = r.choice(["iso_z", "iso_space_ms", "ru", "epoch"])
            return {"iso_z": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "iso_space_ms": t.strftime("%Y-%m-%d %H:%M:%S") + f",{r.randint(0, 999):03d}",
                    "ru": t.strftime("%d.%m.%Y %H:%M:%S"),
                    "epoch": str(int(t.replace(tzinfo=datetime.timezone.utc).timestamp()))}[form], form
        if kind == "BANK":
            return ru.bank() if lang == "ru" else f"{en.last_name()} Bank", "bank"
        raise KeyError(kind)

    def date_text(self, d, lang, arg, birth):
        r = self.rng
        if arg == "iso":
            return d.isoformat(), "iso"
        if lang == "ru":
            form = r.choice(["dmy_dots", "dmy_dots", "iso", "spelled", "spelled_g"])
        else:
            form = r.choice(["us", "us", "iso", "spelled", "spelled_dmy"])
        if form == "dmy_dots":
            return d.strftime("%d.%m.%Y"), form
        if form == "iso":
            return d.isoformat(), form
        if form == "us":
            return d.strftime("%m/%d/%Y"), form
        if form == "spelled":
            if lang == "ru":
                return f"{d.day} {RU_MONTHS_GEN[d.month - 1]} {d.year}", form
            return f"{EN_MONTHS[d.month - 1]} {d.day}, {d.year}", form
        if form == "spelled_g":
            return f"{d.day} {RU_MONTHS_GEN[d.month - 1]} {d.year} г.", form
        return f"{d.day} {EN_MONTHS[d.month - 1]} {d.year}", form

    # -- formatting noise -------------------------------------------------------------------
    def paste_noise(self, text):
        r = self.rng
        space, dash = r.choice(SPACES), r.choice(DASHES)
        out = text.replace(" ", space).replace("-", dash)
        if re.fullmatch(r"[\d\s\-+()./]+", text) and r.random() < 0.08:
            out = out.translate(FULLWIDTH)
        return out

    def dictate(self, text):
        sep = self.rng.choice([" ", " ", " ", "-", " - ", ", "])
        lead = "+" if text.startswith("+") else ""
        digits = re.sub(r"\D", "", text)
        return lead + sep.join(digits)

    # -- templates --------------------------------------------------------------------------
    PLACEHOLDER = re.compile(r"\{([A-Z_0-9]+)(?::([a-z]+))?\}")

    def fill(self, template, lang, style, doc=None):
        doc = doc or Doc()
        pos = 0
        for m in self.PLACEHOLDER.finditer(template):
            doc.add(template[pos:m.start()])
            pos = m.end()
            kind, arg = m.group(1), m.group(2)
            value = self.value(kind, lang, arg)
            prefix, text, sub = value if len(value) == 3 else ("", *value)
            doc.add(prefix)
            if kind == "BANK":
                doc.add(text)
                continue
            type_, alias_sub = ALIASES.get(kind, (kind, None))
            sub = alias_sub if alias_sub and kind != "PASSPORT_SER" else sub
            decoy = type_ in DECOY_KINDS
            # A word processor changes the spaces and dashes of numbers and names, not those
            # inside an e-mail address or a password.
            noisy = type_ not in ("EMAIL", "PASSWORD") and (decoy or re.search(r"[\d\- ]", text))
            if style == "paste" and noisy and self.rng.random() < 0.85:
                text, sub = self.paste_noise(text), sub + "+paste"
            if style == "dictated" and not decoy and type_ in DIGIT_TYPES and kind not in ("PASSPORT_SER", "PASSPORT_NUM"):
                text, sub = self.dictate(text), sub + "+dictated"
            if arg == "url":
                text, sub = urllib.parse.quote(text, safe=""), sub + "+url"
            doc.add(text, self.label(type_, sub, decoy, lang, style))
            if text.endswith(".") and template.startswith(".", pos):
                pos += 1  # "1985 г." ends the sentence: no second full stop
        doc.add(template[pos:])
        return doc

    # -- sentence choice --------------------------------------------------------------------
    def sentence_source(self, lang):
        """An endless round-robin over types so that every type gets its share."""
        types = list(T.PROSE[lang])
        while True:
            order = types[:] + ["DECOY"] * (len(types) // 3)
            self.rng.shuffle(order)
            for t in order:
                yield t

    def prose_sentence(self, lang, style, kinds):
        kind = next(kinds)
        if kind == "DECOY":
            return self.fill(self.choice(T.DECOY_PROSE[lang]), lang, style)
        return self.fill(self.choice(T.PROSE[lang][kind]), lang, style)

    # -- styles -----------------------------------------------------------------------------
    def doc_prose(self, lang, style, kinds, n=6):
        doc = Doc()
        greeting = {"ru": ["Здравствуйте!", "Добрый день.", "Привет.", ""],
                    "en": ["Hello,", "Hi team,", "Good morning.", ""]}[lang]
        g = self.choice(greeting)
        if g:
            doc.add(g + "\n")
        for i in range(n):
            sentence = self.prose_sentence(lang, style, kinds)
            if style == "paste":
                # Word processors put non-breaking spaces after short words and numbers' labels.
                for k, (ch, lab) in enumerate(zip(sentence.chars, sentence.labs)):
                    if ch == " " and lab == -1 and self.rng.random() < 0.2:
                        sentence.chars[k] = "\u00a0"
            doc.extend(sentence)
            # A sentence without a full stop ends its line, as people type them.
            ends = sentence.chars[-1] in ".!?"
            doc.add("\n" if (not ends or self.rng.random() < 0.3) else " ")
        return doc

    def wrap(self, doc, width, prefix, keep_space, forced=()):
        """Hard-wrap one paragraph at spaces, quoting each line; a break inside a value stays in it.

        `forced` holds positions of spaces where a line must end (a value that a narrower
        window or an earlier reply would have broken)."""
        out = Doc()
        out.add(prefix)
        col = 0
        i, n = 0, len(doc.chars)
        while i < n:
            j = i
            while j < n and doc.chars[j] != " ":
                j += 1
            word_len = j - i
            if col > 0 and (col + 1 + word_len > width or (i - 1) in forced):
                space_lab = doc.labs[i - 1]
                inside = space_lab if (space_lab != -1 and doc.labs[i] == space_lab) else -1
                if keep_space:
                    out.add(" ", space_lab)
                out.add("\n" + prefix, inside)
                col = 0
            elif col > 0:
                out.add(" ", doc.labs[i - 1])
                col += 1
            for k in range(i, j):
                out.add(doc.chars[k], doc.labs[k])
            col += word_len
            i = j + 1
        return out

    def breaks_inside_values(self, para):
        """Half of the values that contain a space get a line break at one of their spaces."""
        spaces = {}
        for k, (ch, lab) in enumerate(zip(para.chars, para.labs)):
            if ch == " " and lab != -1 and para.labs[k - 1] == lab and para.labs[k + 1] == lab:
                spaces.setdefault(lab, []).append(k)
        return {self.rng.choice(ks) for lab, ks in sorted(spaces.items()) if self.rng.random() < 0.5}

    def doc_mail(self, lang, kinds):
        r = self.rng
        doc = Doc()
        doc.add(self.choice(T.AGENT_LINES[lang]) + "\n\n")
        header = {"ru": ["---------- Пересылаемое сообщение ----------", "-------- Исходное сообщение --------"],
                  "en": ["---------- Forwarded message ---------", "-----Original Message-----"]}[lang]
        doc.add(self.choice(header) + "\n")
        doc.add("From: " if lang == "en" else self.choice(["От: ", "From: "]))
        self.fill("{NAME} <{EMAIL}>\n", lang, "mail", doc)
        doc.add("Date: " if lang == "en" else "Дата: ")
        self.fill("{DATE}, {TIME}\n", lang, "mail", doc)
        self.fill(("Subject: Re: order {ORDER}\n\n" if lang == "en" else "Тема: Re: заказ {ORDER}\n\n"), lang, "mail", doc)
        width = r.randint(36, 72)
        keep_space = r.random() < 0.6
        for p in range(r.randint(2, 3)):
            para = Doc()
            for s in range(r.randint(2, 3)):
                if s:
                    para.add(" ")
                para.extend(self.prose_sentence(lang, "mail", kinds))
            prefix = ">> " if (p == 0 and r.random() < 0.3) else "> "
            doc.extend(self.wrap(para, width, prefix, keep_space, self.breaks_inside_values(para)))
            doc.add("\n" + prefix.rstrip() + "\n")
        return doc

    def doc_chat(self, lang, kinds):
        r = self.rng
        doc = Doc()
        me, agent = {"ru": (["Клиент", "Вы", "Гость"], ["Оператор", "Поддержка", "Бот"]),
                     "en": (["Customer", "You", "Visitor"], ["Agent", "Support", "Bot"])}[lang]
        me, agent = r.choice(me), r.choice(agent)
        layout = r.choice(["bracket", "paren", "plain"])
        for turn in range(8):
            who = agent if turn % 2 == 0 else me
            if layout == "bracket":
                self.fill("[{TIME}] ", lang, "chat", doc)
                doc.add(f"{who}: ")
            elif layout == "paren":
                doc.add(f"{who} (")
                self.fill("{TIME}): ", lang, "chat", doc)
            else:
                doc.add(f"{who}: ")
            if who == agent:
                doc.add(self.choice(T.AGENT_LINES[lang]))
            else:
                s = self.prose_sentence(lang, "chat", kinds)
                if r.random() < 0.5 and s.chars and s.labs[0] == -1:
                    s.chars[0] = s.chars[0].lower()
                if r.random() < 0.5 and s.chars and s.chars[-1] == "." and s.labs[-1] == -1:
                    s.chars.pop()
                    s.labs.pop()
                doc.extend(s)
            doc.add("\n")
        return doc

    def doc_form(self, lang, kinds):
        r = self.rng
        doc = Doc()
        titles = {"ru": ["Заявка на возврат", "Анкета клиента", "Форма обратной связи", "Данные для договора"],
                  "en": ["Refund request", "Customer form", "Contact form", "Account details"]}[lang]
        doc.add(self.choice(titles) + "\n")
        table = r.random() < 0.2
        sep = r.choice([": ", ":\t", " — " if lang == "ru" else " - ", ":  "])
        fields = []
        for _ in range(r.randint(5, 8)):
            k = next(kinds)
            while k == "DECOY":
                k = next(kinds)
            fields.append(("pii", k))
        for k in r.sample(DECOY_KINDS, 3):
            fields.append(("decoy", k))
        r.shuffle(fields)
        for what, k in fields:
            if what == "pii":
                label = self.choice(T.FORM_LABELS[lang][k])
                placeholder = {"PASSWORD": self.choice(["{PASSWORD}", "{PASSWORD}", "{PIN}", "{CODEWORD}"])}.get(k, "{" + k + "}")
                if k == "PASSWORD" and re.search(r"PIN|ПИН", label):
                    placeholder = "{PIN}"
                if k == "PASSWORD" and re.search(r"слово|word", label, re.I):
                    placeholder = "{CODEWORD}"
            else:
                label = self.choice(T.FORM_DECOY_LABELS[lang][k])
                placeholder = "{" + k + "}"
            line = f"| {label} | {placeholder} |\n" if table else f"{label}{sep}{placeholder}\n"
            self.fill(line, lang, "form", doc)
        return doc

    def doc_table(self, lang, kinds):
        """A CSV or TSV export pasted into a ticket: a header row, then rows of values and decoys."""
        r = self.rng
        doc = Doc()
        doc.add({"ru": "Выгрузка из CRM:\n", "en": "Export from the CRM:\n"}[lang])
        sep = r.choice([";", ",", "\t"] if lang == "en" else [";", ";", "\t"])
        columns = r.sample(TABLE_COLUMNS, r.randint(2, 3)) + r.sample(["ORDER", "DATE", "TIMESTAMP", "AMOUNT"], 2)
        r.shuffle(columns)
        names = {**{k: v[0] for k, v in T.FORM_LABELS[lang].items()},
                 **{k: v[0] for k, v in T.FORM_DECOY_LABELS[lang].items()}}
        doc.add(sep.join(["id"] + [names[c] for c in columns]) + "\n")
        for row in range(r.randint(3, 6)):
            doc.add(str(row + 1))
            for c in columns:
                doc.add(sep)
                cell = self.fill("{" + c + "}", lang, "table")
                if sep in cell.text():
                    doc.add('"')
                    doc.extend(cell)
                    doc.add('"')
                else:
                    doc.extend(cell)
            doc.add("\n")
        return doc

    def doc_log(self, lang, kinds):
        doc = Doc()
        doc.add({"ru": "Вот кусок лога:\n", "en": "Log excerpt:\n"}[lang])
        for _ in range(8):
            k = next(kinds)
            if k == "DECOY" or k not in T.LOG_LINES:
                line = self.choice(T.LOG_DECOY_LINES)
            else:
                line = self.choice(T.LOG_LINES[k])
            self.fill(line + "\n", lang, "log", doc)
        return doc

    def doc_dictated(self, lang, kinds):
        doc = Doc()
        dictated_types = list(T.DICTATED_INTRO[lang])
        for _ in range(5):
            k = next(kinds)
            if k == "DECOY":
                doc.extend(self.fill(self.choice(T.DECOY_PROSE[lang]), lang, "dictated"))
            else:
                if k not in dictated_types:
                    k = self.choice(dictated_types)
                pool = T.DICTATED_INTRO[lang][k] + [t for t in T.PROSE[lang][k]]
                doc.extend(self.fill(self.choice(pool), lang, "dictated"))
            doc.add("\n" if self.rng.random() < 0.4 else " ")
        return doc

    def document(self, lang, style, kinds):
        if style in ("prose", "paste"):
            return self.doc_prose(lang, style, kinds)
        return getattr(self, f"doc_{style}")(lang, kinds)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--out", required=True)
    ap.add_argument("--templates", choices=["dev", "holdout"], default="dev",
                    help="holdout: the sentences and form labels of templates_holdout.py, which the "
                         "misses report never quotes")
    ap.add_argument("--templates-file", help="sentences and form labels from this Python file instead (same names "
                                             "as templates_holdout.py): a set kept away from rule authors")
    ap.add_argument("--docs-per-style", type=int, default=80,
                    help="documents per style and language (default 80: about 3,000 sentences a language)")
    args = ap.parse_args()

    if args.templates == "holdout" or args.templates_file:
        if args.templates_file:
            spec = importlib.util.spec_from_file_location("templates_other", args.templates_file)
            H = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(H)
        else:
            import templates_holdout as H
        T.PROSE, T.DECOY_PROSE, T.FORM_LABELS = H.PROSE, H.DECOY_PROSE, H.FORM_LABELS
    gen = Generator(args.seed)
    os.makedirs(args.out, exist_ok=True)
    separator = "\n\n---\n\n"
    corpus = bytearray()
    docs, labels = [], []
    doc_id = 0
    for lang in LANGS:
        kinds = gen.sentence_source(lang)
        for style in STYLES:
            for _ in range(args.docs_per_style):
                doc = gen.document(lang, style, kinds)
                text = doc.text().rstrip() + "\n"
                # label spans in characters → bytes
                char_to_byte, b = [], 0
                for ch in text:
                    char_to_byte.append(b)
                    b += len(ch.encode("utf-8"))
                char_to_byte.append(b)
                spans = {}
                for idx, lab in enumerate(doc.labs[:len(text)]):
                    if lab != -1:
                        s, e = spans.get(lab, (idx, idx))
                        spans[lab] = (min(s, idx), max(e, idx + 1))
                base = len(corpus)
                corpus += text.encode("utf-8")
                docs.append({"doc": doc_id, "lang": lang, "style": style, "start": base, "end": len(corpus)})
                for lab, (s, e) in sorted(spans.items(), key=lambda kv: kv[1]):
                    meta = gen.labels[lab]
                    value = text[s:e]
                    assert all(doc.labs[k] == lab for k in range(s, e)), (value, meta)
                    labels.append({"doc": doc_id, **meta, "start": base + char_to_byte[s],
                                   "end": base + char_to_byte[e], "value": value})
                corpus += separator.encode("utf-8")
                doc_id += 1
    with open(os.path.join(args.out, "corpus.txt"), "wb") as f:
        f.write(corpus)
    with open(os.path.join(args.out, "labels.jsonl"), "w", encoding="utf-8") as f:
        for l in labels:
            assert corpus[l["start"]:l["end"]].decode("utf-8") == l["value"]
            f.write(json.dumps(l, ensure_ascii=False) + "\n")
    with open(os.path.join(args.out, "docs.jsonl"), "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    planted = sum(1 for l in labels if not l["decoy"])
    meta = {"seed": args.seed, "templates": os.path.basename(args.templates_file) if args.templates_file else args.templates, "faker": faker.VERSION, "documents": len(docs), "bytes": len(corpus),
            "planted": planted, "decoys": len(labels) - planted}
    with open(os.path.join(args.out, "meta.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=1)
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
