#!/usr/bin/env python3
"""Score Microsoft Presidio on the documents generate.py wrote, with the tables score.py prints.

    /work/venv-eval/bin/pip install -r benches/faker/requirements.txt
    /work/venv-eval/bin/python benches/faker/presidio.py DIR

spaCy's statistical models are not on PyPI, so Presidio runs with a blank English pipeline,
as benches/presidio/compare.py does: its pattern recognizers (e-mail, phone through the
phonenumbers library, card, IBAN, IP, US SSN/passport/bank number, dates…) work; its name and
address recognizers (spaCy NER) do not. All of its default recognizers for "en" run, on the
Russian documents too (Presidio ships none for Russian). Offsets are converted to UTF-8 bytes
and scored exactly as hushdesk's findings are.
"""
import argparse
import json
import os
import sys
import tempfile
import time

import spacy
import tldextract

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scoring  # noqa: E402

# Presidio's e-mail recognizer asks tldextract for the public suffix list, which it would
# download; use the snapshot tldextract ships instead (this machine has no such network).
tldextract.extract = tldextract.TLDExtract(suffix_list_urls=())

from presidio_analyzer import AnalyzerEngine  # noqa: E402
from presidio_analyzer.nlp_engine import NlpEngineProvider  # noqa: E402


def analyzer():
    model_dir = tempfile.mkdtemp()
    spacy.blank("en").to_disk(model_dir)
    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model_dir}]})
    return AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--misses", help="where to write the misses (default DIR/misses-presidio.tsv)")
    ap.add_argument("dir")
    args = ap.parse_args()

    corpus, labels = scoring.load(args.dir)
    findings, elapsed = run(args.dir, corpus)
    result = scoring.score(corpus, labels, findings)
    print(scoring.tables(result, title(corpus, elapsed)))
    misses = args.misses or os.path.join(args.dir, "misses-presidio.tsv")
    scoring.write_misses(result, corpus, misses)
    print(f"misses, masked decoys and unlabelled findings: {misses}")


def title(corpus, elapsed):
    return (f"Presidio {presidio_version()} (blank spaCy pipeline, default recognizers) on "
            f"{len(corpus) / 1e6:.2f} MB, {elapsed:.1f} s")


def run(directory, corpus):
    """Presidio's findings on every document, as (start_byte, end_byte, entity) in corpus.txt."""
    with open(os.path.join(directory, "docs.jsonl"), encoding="utf-8") as f:
        docs = [json.loads(line) for line in f]
    engine = analyzer()
    findings = []
    started = time.perf_counter()
    for d in docs:
        text = corpus[d["start"]:d["end"]].decode("utf-8")
        byte_of_char, b = [], d["start"]
        for ch in text:
            byte_of_char.append(b)
            b += len(ch.encode("utf-8"))
        byte_of_char.append(b)
        for r in engine.analyze(text=text, language="en"):
            findings.append((byte_of_char[r.start], byte_of_char[r.end], r.entity_type))
    return findings, time.perf_counter() - started


def presidio_version():
    from importlib.metadata import version
    return version("presidio-analyzer")


if __name__ == "__main__":
    main()
