#!/usr/bin/env python3
"""Score a hushdesk binary on the documents generate.py wrote.

    /work/venv-eval/bin/python benches/faker/score.py --bin target/debug/hushdesk [--rules DIR] DIR

Runs `hushdesk redact --json DIR/corpus.txt`, then prints markdown tables: recall per planted
type (a value counts as found when the findings together cover all of its bytes), by language
and by style, and decoy retention per decoy kind (a decoy is kept when no finding touches it).
The misses (type, spelling, style, a 120-character context with the value in ⟦ ⟧), the
decoys masked and the findings on no label go to --misses (default DIR/misses-NAME.tsv).
Only the standard library is needed here.
"""
import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scoring  # noqa: E402


def run_hushdesk(binary, rules, path):
    cmd = [binary, "redact", "--json"]
    if rules:
        cmd += ["--rules", rules]
    cmd.append(path)
    started = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True)
    elapsed = time.perf_counter() - started
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {out.returncode}: {out.stderr.decode(errors='replace').strip()}")
    findings = [(f["start"], f["end"], f["rule"]) for f in json.loads(out.stdout)["findings"]]
    return findings, elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True, help="hushdesk binary")
    ap.add_argument("--rules", help="rule directory (default: the binary's built-in rules)")
    ap.add_argument("--name", help="name of this run in titles and file names")
    ap.add_argument("--misses", help="where to write the misses (default DIR/misses-NAME.tsv)")
    ap.add_argument("--json", help="also write the summary counts as JSON here")
    ap.add_argument("--subs", action="store_true", help="also print recall per spelling (worst first)")
    ap.add_argument("dir")
    args = ap.parse_args()

    name = args.name or os.path.basename(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(args.bin))))) or "hushdesk"
    corpus, labels = scoring.load(args.dir)
    try:
        findings, elapsed = run_hushdesk(args.bin, args.rules, os.path.join(args.dir, "corpus.txt"))
    except RuntimeError as e:
        sys.exit(str(e))
    result = scoring.score(corpus, labels, findings)
    print(scoring.tables(result, f"hushdesk ({name}) on {len(corpus) / 1e6:.2f} MB, {elapsed:.2f} s wall "
                                 f"(process start included)"))
    if args.subs:
        print(scoring.sub_table(result))
        print()
    misses = args.misses or os.path.join(args.dir, f"misses-{name}.tsv")
    scoring.write_misses(result, corpus, misses)
    print(f"misses, masked decoys and unlabelled findings: {misses}")
    if args.json:
        summary = {"|".join(k): v for k, v in result["recall"].items()}
        summary.update({"decoy|" + "|".join(k): v for k, v in result["decoys"].items()})
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=0)


if __name__ == "__main__":
    main()
