"""Destructive actions ask first, with JavaScript or without.

A destructive button's form carries a hidden ``confirmed`` field, empty; static/app.js sets it
to 1 once window.confirm is accepted. A POST without ``confirmed=1`` (JavaScript off, or a
form posted from elsewhere) changes nothing: the route answers with a confirmation page that
names what would go, whose Confirm button posts the same action again with ``confirmed=1``
and the CSRF token, and whose Cancel link goes back.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from wtforms import Field

CONFIRMED = "confirmed"


def unconfirmed(
    question: str, subject: str, cancel: str, upload: Field | None = None
) -> Any | None:
    """None when the POST carries confirmed=1, so the route acts; otherwise the
    confirmation page to return as it is. `question` asks (the button's data-confirm text),
    `subject` names what the action removes, `cancel` is the URL the Cancel link goes to.
    `upload`, a file field of the posted form, is asked for again on the page (a browser
    cannot post a file it was not given)."""
    if request.form.get(CONFIRMED) == "1":
        return None
    return render_template(
        "confirm.html", question=question, subject=subject, action=request.path, cancel=cancel,
        upload=upload,
    )
