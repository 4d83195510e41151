"""Score Microsoft Presidio on the same labelled document hushdesk's quality bench writes.

    cargo bench --bench quality -- --emit /tmp/mixed10mb.txt
    python3 -m venv /tmp/presidio && /tmp/presidio/bin/pip install presidio-analyzer presidio-anonymizer
    /tmp/presidio/bin/python benches/presidio/compare.py /tmp/mixed10mb.txt [MAX_BYTES]

spaCy's statistical models are not on PyPI, so Presidio runs here with a blank English
pipeline: its pattern recognizers (e-mail, phone, card, IBAN, IP, crypto, URL, US ids…) work,
its name recognizer (spaCy NER) does not. With a full model it finds names but is slower still.
"""
import collections
import sys
import tempfile
import time

import spacy
import tldextract

# Presidio's e-mail recognizer asks tldextract for the public suffix list, which it would
# download; use the snapshot tldextract ships instead (this machine has no such network).
tldextract.extract = tldextract.TLDExtract(suffix_list_urls=())

from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider

path = sys.argv[1]
limit = int(sys.argv[2]) if len(sys.argv) > 2 else None
text = open(path, encoding="utf-8").read()
labels = [line.rstrip("\n").split("\t") for line in open(path + ".labels.tsv", encoding="utf-8")]

# Byte offsets in the labels; Python strings index by code point.
encoded = text.encode("utf-8")
if limit:
    cut = encoded[:limit].decode("utf-8", errors="ignore")
    cut = cut[: cut.rfind("\n") + 1] or cut
    text = cut
    encoded = text.encode("utf-8")
byte_to_char = {}
position = 0
for i, ch in enumerate(text):
    byte_to_char[position] = i
    position += len(ch.encode("utf-8"))
byte_to_char[position] = len(text)

model_dir = tempfile.mkdtemp()
spacy.blank("en").to_disk(model_dir)
provider = NlpEngineProvider(nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model_dir}]})
analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])

# spaCy refuses documents over 1,000,000 characters: analyse line-aligned chunks.
chunks, start = [], 0
while start < len(text):
    end = min(len(text), start + 200_000)
    if end < len(text):
        end = text.rfind("\n", start, end) + 1 or end
    chunks.append((start, text[start:end]))
    start = end

findings = []
started = time.perf_counter()
for offset, chunk in chunks:
    for r in analyzer.analyze(text=chunk, language="en"):
        findings.append((offset + r.start, offset + r.end))
elapsed = time.perf_counter() - started
findings.sort()

def covered(s, e):
    return any(fs <= s and fe >= e for fs, fe in findings_near(s, e))

def touched(s, e):
    return any(fs < e and s < fe for fs, fe in findings_near(s, e))

import bisect
starts = [f[0] for f in findings]
def findings_near(s, e):
    i = bisect.bisect_left(starts, s - 4096)
    while i < len(findings) and findings[i][0] < e:
        yield findings[i]
        i += 1

recall = collections.defaultdict(lambda: [0, 0])
decoys = collections.defaultdict(lambda: [0, 0])
for family, kind, b_start, b_end in labels:
    b_start, b_end = int(b_start), int(b_end)
    if b_end > len(encoded):
        continue
    s, e = byte_to_char[b_start], byte_to_char[b_end]
    if family == "Decoy":
        decoys[kind][1] += 1
        decoys[kind][0] += touched(s, e)
    else:
        recall[family][1] += 1
        recall[family][0] += covered(s, e)

mb = len(encoded) / 1e6
print(f"presidio-analyzer on {mb:.2f} MB: {elapsed:.1f} s ({mb / elapsed:.2f} MB/s), {len(findings)} findings")
print("| family | found / planted | recall |\n|---|---|---|")
for family, (found, total) in sorted(recall.items()):
    print(f"| {family} | {found} / {total} | {100 * found / max(total, 1):.2f}% |")
print("| decoy | masked / present |\n|---|---|")
for kind, (masked, total) in sorted(decoys.items()):
    print(f"| {kind} | {masked} / {total} |")
