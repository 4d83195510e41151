#!/usr/bin/env python3
"""Rebuilds the name lists in this folder from their public sources (run by hand, not by the build).

Inputs (download with the ordinary clients, then point the paths below at them):
  names-0.3.0 (PyPI `names`, MIT): names/dist.male.first, dist.female.first, dist.all.last
      = US Census 1990 name lists, public domain.        pip download names==0.3.0 --no-deps
  sex-by-russian-name 1.0.3 (npm, MIT): dist/names.js   npm pack sex-by-russian-name@1.0.3
  Debian `wamerican` (/usr/share/dict/american-english) and `hunspell-ru`
      (/usr/share/hunspell/ru_RU.dic): only to mark names that are also everyday words.

    python3 make-lists.py NAMES_DIR SEX_BY_RUSSIAN_NAME_DIR
"""
import json
import re
import subprocess
import sys

NAMES, RUSSIAN = sys.argv[1], sys.argv[2]

english_words = {
    w.strip() for w in open("/usr/share/dict/american-english") if w[:1].islower()
}
russian_words = {
    line.split("/")[0].strip().replace("ё", "е")
    for line in open("/usr/share/hunspell/ru_RU.dic")
    if line[:1].islower()
}

# Also given names, but months, places, products and the like: they need a surname beside them.
EN_AMBIGUOUS = set("""april may june july august january march september october november december
monday tuesday wednesday thursday friday saturday sunday georgia virginia carolina florence paris
jordan austin dallas houston chelsea madison sydney lincoln washington china india israel kenya
sierra asia america africa alexandria savannah phoenix denver orlando tyler cleveland jackson
columbus lafayette raleigh eugene troy dakota montana nevada cuba ireland holland england berlin
ruby julia alexa dell mac mercedes porsche harley jaguar ford tesla siri cortana jade opal pearl
ivory cherokee easter christmas santa virgil homer ali kobe""".split())
# Everyday words in the census list that are first names mostly in forms, never in prose.
EN_DROP = set("""an in ha ma mi my nu pa so vi many see son soon man long young numbers manual else
lean loan era hang hue lore major miss golden noble royal king queen prince princess lady junior
star sun moon season winter summer spring autumn marry carry angle brain chin dung wan yon yuk
chance desire cherish conception genesis ai fe ja jc ji ka le li lu na ok su ta tu ty un wm yi
yu""".split())
# Names that the dictionaries know as words but that support text uses as names.
EN_NAMES_FIRST = set("""john maria peter martin harry mike nick tom tony victor roger max matt jimmy
josh mickey hector terry jay ken sally derrick colleen rhea phoebe sibyl beryl jasper clement
homer eugene barney bobby billy chad brad carol""".split())
RU_AMBIGUOUS = {"мира", "мая", "майя", "марта", "августа", "ада", "ян", "ия"}
RU_NAMES_FIRST = set("""иван максим осип паша юра макс тим том генри джонатан аллен марсель сем сэм
аня оля ира вика юля яна ася уля тема жан джо дэн ден дин рик крис кен кайл финн шон эдем
вероника николь ванесса изабелла мелисса амелия жасмин серафим булат виктория глория
зоя""".split())


def census(path):
    return [line.split()[0].lower() for line in open(path) if line.strip()]


first = []
for name in census(f"{NAMES}/names/dist.male.first") + census(f"{NAMES}/names/dist.female.first"):
    if name not in first and len(name) >= 2 and name not in EN_DROP:
        first.append(name)
with open("given-names-en.txt", "w") as out:
    out.write(
        "# Given names, US Census 1990 first-name lists (public domain), as shipped in the MIT-licensed\n"
        "# PyPI package `names` 0.3.0 (dist.male.first, dist.female.first). A leading `~` marks a name\n"
        "# that is also a common English word (Debian `wamerican`), so it needs a known surname beside it.\n"
        "# Months, weekdays, places and product names that are also given names are marked by hand.\n"
    )
    for name in sorted(first):
        ambiguous = (name in english_words or name in EN_AMBIGUOUS) and name not in EN_NAMES_FIRST
        out.write(("~" if ambiguous else "") + name + "\n")

with open("surnames-en.txt", "w") as out:
    out.write(
        "# The 10,000 most frequent US surnames, US Census 1990 (public domain), from the PyPI package\n"
        "# `names` 0.3.0 (dist.all.last, MIT). A leading `~` marks a surname that is\n"
        "# also a common English word (Debian `wamerican`).\n"
    )
    last = [n for n in census(f"{NAMES}/names/dist.all.last") if len(n) >= 2][:10000]
    for name in sorted(last):
        out.write(("~" if name in english_words else "") + name + "\n")

script = (
    "const n=require(process.argv[1]).names;"
    "console.log(JSON.stringify({f:[...n.female],m:[...n.male]}))"
)
lists = json.loads(
    subprocess.run(
        ["node", "-e", script, f"{RUSSIAN}/dist/names.js"], capture_output=True, text=True
    ).stdout
)
lines = []
for gender in ("m", "f"):
    for name in lists[gender]:
        if len(name) < 3 and name != "ян":
            continue
        ambiguous = (
            name.replace("ё", "е") in russian_words or name in RU_AMBIGUOUS or len(name) <= 3
        ) and name not in RU_NAMES_FIRST
        lines.append(f"{gender} {'~' if ambiguous else ''}{name}")
header = open("given-names-ru.txt").read().split("\n")
header = "\n".join(l for l in header if l.startswith("#"))
with open("given-names-ru.txt", "w") as out:
    out.write(header + "\n" + "\n".join(sorted(lines)) + "\n")
