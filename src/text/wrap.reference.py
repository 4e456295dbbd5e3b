# Generates the expected outputs in wrap.test.ts from CPython's own textwrap (run with python3 3.11:
# `python3 src/text/wrap.reference.py`), so the TypeScript port is checked against the real thing.
# The test never runs this; paste its output into WRAP_CASES when cases change.
import json
import textwrap

NOTE = ("This fix was included in the kilo-1 development milestone and will be included in "
        "future 2014.2.2 (juno) and 2014.1.4 (icehouse) releases.")
LOREM = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
         "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud.")
URL = "https://review.opendev.org/c/openstack/nova/+/123456789/abcdefghijklmnopqrstuvwxyz/0123456789"

CASES = [
    (LOREM, {}),
    (NOTE, {"width": 70, "subsequent_indent": "  "}),
    ("The OpenStack VMT recommends revoking all credentials stored in files accessible by "
     "Glance as a precautionary measure.", {"width": 70, "subsequent_indent": "  "}),
    ("Look, goof-ball -- use the -b option!", {"width": 10}),
    ("Look, goof-ball -- use the -b option!", {"width": 10, "break_on_hyphens": False}),
    ("well--known and a---b and --option and x--", {"width": 8}),
    ("CVE-2014-1234 fixed on 2014-01-01 in nova-api and ab-cd x-1 a-b-c", {"width": 9}),
    ("super-cali-fragilistic-expialidocious", {"width": 12}),
    ("super-cali-fragilistic-expialidocious", {"width": 12, "break_on_hyphens": False}),
    ("---------- hyphens only ----------", {"width": 6}),
    ("See " + URL + " for details.", {"width": 40}),
    ("See " + URL + " for details.", {"width": 40, "break_long_words": False}),
    ("See " + URL + " for details.", {"width": 40, "subsequent_indent": "  "}),
    ("   leading  and   inner   spaces   and trailing   ", {"width": 12}),
    ("   leading  and   inner   spaces   and trailing   ", {"width": 12, "drop_whitespace": False}),
    ("tabs\tin\tthe\ttext\tand a\ttab", {"width": 20}),
    ("tabs\tin\tthe\ttext", {"width": 20, "tabsize": 4}),
    ("col\nreset\tafter newline\r\nand CRLF\vvertical\fform feed", {"width": 15}),
    ("tabs\tkept", {"width": 20, "expand_tabs": False}),
    ("lines\nkept", {"width": 20, "replace_whitespace": False}),
    ("", {}),
    ("     ", {}),
    ("one", {"width": 1}),
    ("naïve café — résumé ünïcödé-wörds über-straße", {"width": 14}),
    ("\u00fcn\u00efc\u00f6d\u00e9-w\u00f6rds \u00fcn\u00efc\u00f6d\u00e9-w\u00f6rds", {"width": 10}),
    ("x_y-z_w 1-2-3 a1-b2 \u00bd-\u00bd\u00bd", {"width": 5}),
    ("emoji \U0001F600\U0001F600\U0001F600\U0001F600 astral \U0001D49C\U0001D49C-\U0001D49C\U0001D49C end", {"width": 7}),
    ("non\u00a0breaking\u00a0space and \u00a0 alone", {"width": 10}),
    ("indent wider than the width itself", {"width": 5, "subsequent_indent": "      "}),
    ("first line gets its own indent here", {"width": 16, "initial_indent": "* ", "subsequent_indent": "  "}),
    ("x" * 25, {"width": 10, "initial_indent": "> ", "subsequent_indent": ">> "}),
    ("<script>alert('x')</script> O'Brien; DROP TABLE notes;--", {"width": 20}),
    ("end with hyphen- and -start and mid-dle", {"width": 11}),
    ("Hello there -- you goof-ball, use the -b option!", {"width": 15}),
]

# One TypeScript tuple per line: [text, Python keyword arguments, textwrap.fill output].
for text, opts in CASES:
    row = [text, opts, textwrap.fill(text, **opts)]
    print("  " + json.dumps(row, ensure_ascii=True) + ",")
