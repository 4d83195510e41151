"""Checks of the evaluation itself: the same seed gives the same bytes, every label points at its
value, and the scoring counts what it claims (positive and negative controls).

    /work/venv-eval/bin/python -m unittest discover -s benches/faker -p 'test_*.py'
"""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import scoring  # noqa: E402


def generate(out, seed=5, templates="dev"):
    subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), "--seed", str(seed), "--templates", templates,
                    "--docs-per-style", "3", "--out", out], check=True, capture_output=True)
    return scoring.load(out)


class GeneratedCorpus(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.corpus, cls.labels = generate(os.path.join(cls.tmp.name, "a"))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_same_seed_same_bytes(self):
        corpus, labels = generate(os.path.join(self.tmp.name, "b"))
        self.assertEqual(corpus, self.corpus)
        self.assertEqual(labels, self.labels)

    def test_other_seed_other_bytes(self):
        corpus, _ = generate(os.path.join(self.tmp.name, "c"), seed=6)
        self.assertNotEqual(corpus, self.corpus)

    def test_labels_point_at_their_values(self):
        for l in self.labels:
            self.assertEqual(self.corpus[l["start"]:l["end"]].decode("utf-8"), l["value"])

    def test_every_style_language_and_type_is_present(self):
        styles = {l["style"] for l in self.labels}
        self.assertEqual(styles, {"prose", "mail", "chat", "form", "table", "paste", "log", "dictated"})
        self.assertEqual({l["lang"] for l in self.labels}, {"ru", "en"})
        self.assertTrue({l["type"] for l in self.labels if l["decoy"]} >= {"VERSION", "BIC", "CORR", "ORDER"})

    def test_a_value_wrapped_in_quoted_mail_keeps_the_quote_marker_inside(self):
        corpus, labels = generate(os.path.join(self.tmp.name, "d"), seed=7)
        wrapped = [l for l in labels if l["style"] == "mail" and "\n>" in l["value"]]
        self.assertTrue(wrapped)

    def test_holdout_sentences_differ(self):
        corpus, _ = generate(os.path.join(self.tmp.name, "e"), templates="holdout")
        self.assertNotEqual(corpus, self.corpus)


class Scoring(unittest.TestCase):
    def setUp(self):
        text = "card 4111 1111 1111 1111 order 123456 v 1.2.3.4".encode()
        self.corpus = text
        card = text.index(b"4111")
        order = text.index(b"123456")
        version = text.index(b"1.2.3.4")
        common = {"lang": "en", "style": "prose", "sub": "x", "doc": 0}
        self.labels = [
            {**common, "type": "CARD", "decoy": False, "start": card, "end": card + 19, "value": "4111 1111 1111 1111"},
            {**common, "type": "ORDER", "decoy": True, "start": order, "end": order + 6, "value": "123456"},
            {**common, "type": "VERSION", "decoy": True, "start": version, "end": version + 7, "value": "1.2.3.4"},
        ]
        self.card = (card, card + 19)
        self.version = (version, version + 7)

    def test_no_findings_finds_nothing_and_keeps_every_decoy(self):
        r = scoring.score(self.corpus, self.labels, [])
        self.assertEqual(r["recall"][("all",)][:2], [0, 1])
        self.assertEqual(r["decoys"][("all",)], [2, 2])

    def test_a_value_covered_by_two_adjacent_findings_is_found(self):
        s, e = self.card
        r = scoring.score(self.corpus, self.labels, [(s, s + 9, "a"), (s + 9, e, "b")])
        self.assertEqual(r["recall"][("all",)][:2], [1, 1])
        self.assertEqual(r["unlabelled"], [])

    def test_a_value_covered_but_for_one_byte_is_missed_and_partly_masked(self):
        s, e = self.card
        r = scoring.score(self.corpus, self.labels, [(s, e - 1, "a")])
        self.assertEqual(r["recall"][("all",)], [0, 1, 1])
        self.assertEqual(r["misses"][0][1], ["a"])

    def test_a_decoy_touched_by_one_byte_is_lost(self):
        s, e = self.version
        r = scoring.score(self.corpus, self.labels, [(e - 1, e + 3, "ipv4")])
        self.assertEqual(r["decoys"][("kind", "VERSION")], [0, 1])
        self.assertEqual(r["decoys"][("kind", "ORDER")], [1, 1])

    def test_a_finding_on_no_label_is_reported(self):
        r = scoring.score(self.corpus, self.labels, [(0, 4, "name")])
        self.assertEqual(r["unlabelled"], [(0, 4, "name")])

    def test_context_marks_the_value(self):
        s, e = self.card
        self.assertIn("⟦4111 1111 1111 1111⟧", scoring.Context(self.corpus).around(s, e))


if __name__ == "__main__":
    unittest.main()
