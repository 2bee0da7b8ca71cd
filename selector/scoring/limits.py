"""Every limit Selector enforces, defined once.

The forms (`selector.web.forms`), the services, the table readers and the template loader
import these, so a field refused by the form is refused for the same reason by the service
behind it, and a message quotes the number that is really applied. The database column
sizes (`selector.store.models`) are at least as large.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

# Texts a person writes, in characters.
MAX_TEXT = 2000  # a comment, a reason, a review note, a conflict statement
MAX_NAME = 200  # a tender, an organisation, a vendor, a person's full name
MAX_VALUE = 64  # a typed value on a score sheet or a consensus (`full`, `3.5`, 优)
MAX_FLAG_ID = 255  # a decision-check flag's id, as a form posts it back

# Characters no typed text may hold: C0 and C1 control characters (NUL cannot be stored
# in PostgreSQL; the others break the xlsx export, CSV readers and terminals), the Unicode
# line and paragraph separators, the bidirectional overrides that make a name read as another
# (U+202A-U+202E, U+2066-U+2069), lone surrogates and the noncharacters U+FFFE/U+FFFF. A
# one-line field (a name) refuses tab and line breaks too; a multi-line one (a comment) keeps
# them.
_NEVER = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_NEVER += "\ud800-\udfff\ufffe\uffff"
FORBIDDEN_IN_TEXT = re.compile(f"[{_NEVER}]")
FORBIDDEN_IN_LINE = re.compile(f"[\t\n\r{_NEVER}]")
# Those of them in ASCII: a text of ASCII alone (most CSV files) is searched for each in
# turn, a memchr-fast scan apiece, five times faster than the pattern on a large file.
_ASCII_NEVER = tuple(chr(code) for code in range(128) if FORBIDDEN_IN_TEXT.match(chr(code)))


def search_forbidden(text: str) -> re.Match[str] | None:
    """`FORBIDDEN_IN_TEXT.search(text)`: the first character no typed text may hold."""
    if text.isascii() and not any(char in text for char in _ASCII_NEVER):
        return None
    return FORBIDDEN_IN_TEXT.search(text)


def forbidden_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character `text` may not hold, named like `U+000B`, or None."""
    found = (FORBIDDEN_IN_TEXT if multiline else FORBIDDEN_IN_LINE).search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


# Logins.
USERNAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]{1,63}$"  # 2 to 64 characters
USERNAME_RE = re.compile(USERNAME_PATTERN)
MAX_USERNAME = 64
MIN_PASSWORD = 10  # the rest of the policy: selector.services.passwords
MAX_PASSWORD = 256

# Money.
CURRENCY_PATTERN = r"^[A-Z]{3}$"  # an ISO 4217 code such as CNY
CURRENCY_RE = re.compile(CURRENCY_PATTERN)
MAX_AMOUNT = Decimal("1e15")  # a bid amount, at most
MAX_RATE = Decimal("1e9")  # an exchange rate (1 unit in the base currency), at most

# The percentages a chair sets (divergence and abnormally-low-bid thresholds).
MIN_PERCENT = Decimal(1)
MAX_PERCENT = Decimal(100)

# Templates: an id of a template, group or criterion; the size of a template file. A
# template is a few dozen kilobytes; 512 KiB leaves ample room and refuses anything that
# is not a template before YAML parses it.
ID_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
MAX_TEMPLATE_BYTES = 512 * 1024

# Uploads (a bids, scores or template file) and the web request as a whole.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024

# Bid documents (PDF, Office files, images): the default size limit of one file (the
# setting DOCUMENT_MAX_BYTES may change it), the length of a stored file name, and of a
# page or section a link or an evaluator's reference points to ("p. 12", "3.2.1").
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_DOCUMENT_NAME = 200
MAX_PAGE_REF = 40


@dataclass(frozen=True)
class TableLimits:
    """How large a table file (CSV or Excel) may be, checked as it is read — before any
    row is: the sheet's declared size first, then rows as they come — so that a file too
    large is refused in a moment with a message naming the limit, never parsed for minutes.

    `rows` data rows (the header not counted) and `columns` per sheet, `cells` in the
    sheet read, `cell_chars` characters in one cell; for an Excel file, `unpacked_bytes` for
    its contents once unzipped (a zip bomb: a small file that unpacks to gigabytes) and
    `strings`, the distinct texts of the whole workbook (openpyxl reads them all first, at
    some 100,000 a second); and `seconds` of reading at most (None: no time limit).
    """

    rows: int
    columns: int
    cells: int
    cell_chars: int
    unpacked_bytes: int
    strings: int
    seconds: float | None


# A table uploaded on the web: a bids table is a row per vendor and price component (250
# vendors of 20 components fill it), read in well under a second; an Excel file (at most
# MAX_UPLOAD_BYTES) unpacks to 16 times its size at most — 5 to 15 is usual for a sheet.
UPLOAD_TABLE = TableLimits(
    rows=5_000,
    columns=50,
    cells=100_000,
    cell_chars=4 * MAX_TEXT,  # a cell holds at most a comment or a reason
    unpacked_bytes=16 * MAX_UPLOAD_BYTES,
    strings=10_000,
    seconds=10.0,
)
# A table given to the command line (`selector score`): a large tender's scores are a
# million rows, as many as an Excel sheet can hold; no time limit (the person waits).
COMMAND_LINE_TABLE = TableLimits(
    rows=1_048_575,
    columns=50,
    cells=50 * 1_048_576,
    cell_chars=4 * MAX_TEXT,
    unpacked_bytes=2 * 1024**3,
    strings=10_000_000,
    seconds=None,
)

# How many problems one message lists before it says "… and N more".
MAX_PROBLEMS = 50
# How many flags one review note may cover.
MAX_FLAGS_PER_NOTE = 500

# Numbers as the database keeps them (selector.store.models): a bid amount to 4 decimal
# places, an exchange rate to 10, a percentage threshold (stored as a fraction to 4 places)
# to 2. A number with more places would be silently rounded, so it is refused instead.
AMOUNT_PLACES = 4
MIN_AMOUNT = Decimal("0.0001")
RATE_PLACES = 10
MIN_RATE = Decimal("1e-10")
PERCENT_PLACES = 2
# Digits a typed number may have at most, before and after the point together: more is not
# a number anyone types, and Decimal arithmetic on it is slow or overflows.
MAX_NUMBER_DIGITS = 30

# Templates: how deep YAML may nest (a template needs 8 levels: groups, criteria, levels,
# their labels), how many characters one number may have, and the numbers themselves —
# points, weights, steps and tiers to 4 decimal places, each at most 1,000,000, a scale's
# step at least 0.01.
MAX_TEMPLATE_DEPTH = 20
MAX_TEMPLATE_NUMBER_CHARS = 40
TEMPLATE_PLACES = 4
MAX_TEMPLATE_NUMBER = Decimal(1_000_000)
MIN_STEP = Decimal("0.01")


def _stripped(number: Decimal) -> tuple[int, int]:
    """(significant digits, exponent) of a finite `number`, trailing zeros dropped."""
    _sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int), "a finite number"
    if not any(digits):
        return 1, 0
    kept = len(digits)
    while kept > 1 and digits[kept - 1] == 0 and exponent < 0:
        kept, exponent = kept - 1, exponent + 1
    return kept, exponent


def decimal_places(number: Decimal) -> int:
    """How many digits a finite `number` has after the point (1.50 has 1, 1E+3 has 0)."""
    return max(0, -_stripped(number)[1])


def digit_count(number: Decimal) -> int:
    """How many digits a finite `number` is written with (`1e-999999999` has a billion)."""
    kept, exponent = _stripped(number)
    return max(kept + exponent, 1) + max(0, -exponent)
