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
               ("faker-en", faker_text("en_US", args.seed, 80_000))]
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
