"""Every limit Selector enforces, defined once.

The forms (`selector.web.forms`), the services, the table readers and the template loader
import these, so a field refused by the form is refused for the same reason by the service
behind it, and a message quotes the number that is really applied. The database column
sizes (`selector.store.models`) are at least as large.
"""

from __future__ import annotations

import re
from decimal import Decimal

# Texts a person writes, in characters.
MAX_TEXT = 2000  # a comment, a reason, a review note, a conflict statement
MAX_NAME = 200  # a tender, an organisation, a vendor, a person's full name
MAX_VALUE = 64  # a typed value on a score sheet or a consensus (`full`, `3.5`, 优)
MAX_FLAG_ID = 255  # a decision-check flag's id, as a form posts it back

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

# How many problems one message lists before it says "… and N more".
MAX_PROBLEMS = 50
# How many flags one review note may cover.
MAX_FLAGS_PER_NOTE = 500
