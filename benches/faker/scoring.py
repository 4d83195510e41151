"""Scoring shared by score.py (hushdesk) and presidio.py: the same labels, the same tables.

A planted value counts as found when the findings, taken together, cover all of its bytes.
A decoy counts as kept when no finding touches any of its bytes. A finding that touches no
label at all is reported as "unlabelled" (a mask on ordinary ticket words).
"""
import bisect
import collections
import json


def load(directory):
    with open(f"{directory}/corpus.txt", "rb") as f:
        corpus = f.read()
    with open(f"{directory}/labels.jsonl", encoding="utf-8") as f:
        labels = [json.loads(line) for line in f]
    return corpus, labels


def merge(findings):
    """Union of [start, end) spans, sorted."""
    spans = sorted((s, e) for s, e, _ in findings)
    merged = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return merged


class Index:
    def __init__(self, findings):
        self.findings = sorted(findings)
        self.starts = [f[0] for f in self.findings]
        self.merged = merge(findings)
        self.merged_starts = [m[0] for m in self.merged]
        self.max_len = max((e - s for s, e, _ in findings), default=0)

    def covered(self, s, e):
        i = bisect.bisect_right(self.merged_starts, s) - 1
        return i >= 0 and self.merged[i][0] <= s and self.merged[i][1] >= e

    def touching(self, s, e):
        i = bisect.bisect_left(self.starts, s - self.max_len)
        out = []
        while i < len(self.findings) and self.findings[i][0] < e:
            fs, fe, rule = self.findings[i]
            if fe > s:
                out.append(self.findings[i])
            i += 1
        return out


class Context:
    """120-character one-line excerpts around byte spans."""

    def __init__(self, corpus):
        self.text = corpus.decode("utf-8")
        self.byte_of_char = []
        b = 0
        for ch in self.text:
            self.byte_of_char.append(b)
            b += len(ch.encode("utf-8"))
        self.byte_of_char.append(b)

    def char(self, byte):
        return bisect.bisect_left(self.byte_of_char, byte)

    def around(self, s, e, width=120):
        cs, ce = self.char(s), self.char(e)
        pad = max(10, (width - (ce - cs)) // 2)
        before = self.text[max(0, cs - pad):cs]
        after = self.text[ce:ce + pad]
        return (before + "⟦" + self.text[cs:ce] + "⟧" + after).replace("\n", "⏎")


def score(corpus, labels, findings):
    """findings: [(start_byte, end_byte, rule)]. Returns a dict of counts and lists."""
    index = Index(findings)
    recall = collections.defaultdict(lambda: [0, 0, 0])  # key -> [found, planted, partial]
    decoys = collections.defaultdict(lambda: [0, 0])     # key -> [kept, present]
    misses, decoy_hits = [], []
    masked_by = collections.defaultdict(collections.Counter)  # type -> rules whose findings cover it
    touched_findings = set()
    for l in labels:
        s, e = l["start"], l["end"]
        hits = index.touching(s, e)
        for h in hits:
            touched_findings.add(h)
        if l["decoy"]:
            kept = not hits
            for key in (("kind", l["type"]), ("kind_lang", l["type"], l["lang"]), ("style", l["style"]),
                        ("lang", l["lang"]), ("all",)):
                decoys[key][0] += kept
                decoys[key][1] += 1
            if not kept:
                decoy_hits.append((l, sorted({h[2] for h in hits})))
        else:
            found = index.covered(s, e)
            for key in (("type", l["type"]), ("type_lang", l["type"], l["lang"]),
                        ("type_style", l["type"], l["style"]), ("sub", l["type"], l["sub"].split("+")[0]),
                        ("style", l["style"]), ("lang", l["lang"]), ("lang_style", l["lang"], l["style"]),
                        ("all",)):
                recall[key][0] += found
                recall[key][1] += 1
                recall[key][2] += (not found and bool(hits))
            if not found:
                misses.append((l, sorted({h[2] for h in hits})))
            else:
                masked_by[l["type"]]["+".join(sorted({h[2] for h in hits}))] += 1
    unlabelled = [f for f in index.findings if f not in touched_findings]
    return {"recall": recall, "decoys": decoys, "misses": misses, "decoy_hits": decoy_hits,
            "unlabelled": unlabelled, "findings": len(findings), "masked_by": masked_by}


def pct(found, total):
    return f"{100 * found / total:.1f}%" if total else "–"


def tables(result, title):
    r, d = result["recall"], result["decoys"]
    styles = ["prose", "mail", "chat", "form", "table", "paste", "log", "dictated"]
    types = sorted({k[1] for k in r if k[0] == "type"})
    out = [f"### {title}", ""]
    a = r[("all",)]
    da = d[("all",)]
    out.append(f"Overall recall **{pct(a[0], a[1])}** ({a[0]} / {a[1]}), decoy retention "
               f"**{pct(da[0], da[1])}** ({da[0]} / {da[1]}), {len(result['unlabelled'])} findings on no label, "
               f"{result['findings']} findings in all.")
    out.append("")
    out.append("| type | recall | ru | en | partly masked | " + " | ".join(styles) + " |")
    out.append("|---|---|---|---|---|" + "---|" * len(styles))
    for t in types:
        f, n, p = r[("type", t)]
        row = [t, f"{pct(f, n)} ({f}/{n})", pct(*r[("type_lang", t, "ru")][:2]),
               pct(*r[("type_lang", t, "en")][:2]), str(p)]
        row += [pct(*r[("type_style", t, s)][:2]) if ("type_style", t, s) in r else "–" for s in styles]
        out.append("| " + " | ".join(row) + " |")
    row = ["**all**", f"**{pct(a[0], a[1])}**", pct(*r[("lang", "ru")][:2]), pct(*r[("lang", "en")][:2]), str(a[2])]
    row += [pct(*r[("style", s)][:2]) if ("style", s) in r else "–" for s in styles]
    out.append("| " + " | ".join(row) + " |")
    out.append("")
    out.append("| decoy | kept | ru | en |")
    out.append("|---|---|---|---|")
    for k in sorted({k[1] for k in d if k[0] == "kind"}):
        kept, n = d[("kind", k)]
        out.append(f"| {k} | {pct(kept, n)} ({kept}/{n}) | {pct(*d[('kind_lang', k, 'ru')])} | "
                   f"{pct(*d[('kind_lang', k, 'en')])} |")
    out.append(f"| **all** | **{pct(da[0], da[1])}** | {pct(*d[('lang', 'ru')])} | {pct(*d[('lang', 'en')])} |")
    out.append("")
    out.append("Decoy retention by style: " + ", ".join(
        f"{s} {pct(*d[('style', s)])}" for s in styles if ("style", s) in d))
    out.append("")
    return "\n".join(out)


def sub_table(result):
    """Recall per type and spelling (the generator's sub-kind), worst first."""
    r = result["recall"]
    rows = [(k[1], k[2], v) for k, v in r.items() if k[0] == "sub"]
    rows.sort(key=lambda x: (x[2][0] / x[2][1], x[0], x[1]))
    out = ["| type | spelling | recall |", "|---|---|---|"]
    for t, sub, (f, n, _) in rows:
        if f < n:
            out.append(f"| {t} | {sub} | {pct(f, n)} ({f}/{n}) |")
    return "\n".join(out)


def write_misses(result, corpus, path):
    ctx = Context(corpus)
    with open(path, "w", encoding="utf-8") as f:
        f.write("# Planted values not (entirely) masked: type\tspelling\tlang\tstyle\trules touching it\tcontext\n")
        for l, rules in sorted(result["misses"], key=lambda m: (m[0]["type"], m[0]["sub"], m[0]["start"])):
            f.write(f"MISS\t{l['type']}\t{l['sub']}\t{l['lang']}\t{l['style']}\t{','.join(rules) or '-'}\t"
                    f"{ctx.around(l['start'], l['end'])}\n")
        f.write("# Decoys masked: kind\tspelling\tlang\tstyle\trules\tcontext\n")
        for l, rules in sorted(result["decoy_hits"], key=lambda m: (m[0]["type"], m[0]["start"])):
            f.write(f"DECOY\t{l['type']}\t{l['sub']}\t{l['lang']}\t{l['style']}\t{','.join(rules)}\t"
                    f"{ctx.around(l['start'], l['end'])}\n")
        f.write("# Findings on no label: rule\tcontext\n")
        for s, e, rule in result["unlabelled"]:
            f.write(f"EXTRA\t{rule}\t{ctx.around(s, e)}\n")
