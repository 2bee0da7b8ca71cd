"""The password policy: long enough, not the username, not a password everyone tries first.

`password_problem` returns what is wrong with a password, in both languages, or None. The
common passwords are `common-passwords.txt` beside this file (10 characters or longer,
compared case-insensitively); shorter ones fail the length rule first.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from selector.scoring.limits import MAX_PASSWORD, MIN_PASSWORD
from selector.scoring.model import Text

MIN_DISTINCT = 4  # `aaaaaaaaaa` and `abababababab` are long but guessed at once

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    """The refused passwords, lower-case."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and line[0] != "#")


def password_problem(password: str, *, username: str = "", display_name: str = "") -> Text | None:
    """What makes `password` unacceptable for this user, or None when it is fine."""
    if len(password) < MIN_PASSWORD:
        return Text(
            zh=f"密码太短：请至少使用 {MIN_PASSWORD} 个字符。",
            en=f"The password is too short: use at least {MIN_PASSWORD} characters.",
        )
    if len(password) > MAX_PASSWORD:
        return Text(
            zh=f"密码太长：最多使用 {MAX_PASSWORD} 个字符。",
            en=f"The password is too long: use at most {MAX_PASSWORD} characters.",
        )
    folded = password.strip().lower()
    names = {n.strip().lower() for n in (username, display_name) if n and n.strip()}
    if any(folded == name or folded == name[::-1] for name in names) or any(
        len(name) >= 4 and name in folded and len(folded) - len(name) < 4 for name in names
    ):
        return Text(
            zh="密码不能是用户名或姓名（或仅在其前后加几个字符）：请另选一个密码。",
            en="The password may not be the username or the name (or it with a few characters "
            "added): choose another.",
        )
    if folded in common_passwords():
        return Text(
            zh="这是最常被猜到的密码之一：请另选一个，例如由几个不相关的词组成的短语。",
            en="This is one of the passwords tried first by anyone guessing: choose another, "
            "for example a phrase of a few unrelated words.",
        )
    if len(set(folded)) < MIN_DISTINCT:
        return Text(
            zh=f"密码的不同字符太少：请至少使用 {MIN_DISTINCT} 个不同的字符。",
            en=f"The password repeats too few characters: use at least {MIN_DISTINCT} "
            "different ones.",
        )
    return None
