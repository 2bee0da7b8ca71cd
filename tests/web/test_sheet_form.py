"""The score sheet's form class is built once per criteria and language
(`forms.score_sheet_form`), and a change of the criteria gets a class of its own."""

from __future__ import annotations

from dataclasses import replace

from werkzeug.datastructures import MultiDict

from selector.scoring.model import Text
from selector.services.templates import template_of
from selector.store.models import Tender
from selector.web.forms import score_sheet_form


def _criteria(db, tender_id):
    template = template_of(db.get(Tender, tender_id))
    return [c for g in template.groups for c in g.criteria if c.is_scored_by_evaluators]


def test_the_form_class_is_reused_for_the_same_criteria_and_language(make_tender, db):
    criteria = _criteria(db, make_tender(state="open", submitted=False).id)
    first = score_sheet_form(criteria, "en", formdata=None)
    again = score_sheet_form(list(criteria), "en", formdata=None)
    assert type(first) is type(again)
    assert type(score_sheet_form(criteria, "zh", formdata=None)) is not type(first)


def test_changed_criteria_get_a_form_of_their_own(make_tender, db):
    criteria = _criteria(db, make_tender(state="open", submitted=False).id)
    before = score_sheet_form(criteria, "en", formdata=None)
    retitled = [replace(criteria[0], title=Text(zh="新", en="Renamed")), *criteria[1:]]
    after = score_sheet_form(retitled, "en", formdata=None)
    assert type(after) is not type(before)
    name = f"value-{criteria[0].id}"
    assert after[name].label.text == "Renamed"
    assert before[name].label.text == criteria[0].title.en
    fewer = score_sheet_form(criteria[1:], "en", formdata=None)
    assert name not in fewer._fields


def test_forms_of_one_class_keep_their_own_values(make_tender, db):
    criteria = _criteria(db, make_tender(state="open", submitted=False).id)
    name = f"comment-{criteria[0].id}"
    one = score_sheet_form(criteria, "en", formdata=MultiDict({name: "mine", "version": "1"}))
    other = score_sheet_form(criteria, "en", formdata=MultiDict({"version": "2"}))
    assert one[name].data == "mine"
    assert not other[name].data
    assert (one.version.data, other.version.data) == (1, 2)


def test_wtforms_own_messages_follow_the_page_language(app):
    """WTForms' built-in messages come from its catalog in the page's language (read once
    per process by `forms.Form`, not once per form)."""
    from wtforms import IntegerField

    from selector.web.forms import Form

    class Number(Form):
        class Meta:
            csrf = False

        count = IntegerField()

    messages = {}
    for accept in ("zh-CN", "en"):
        with app.test_request_context(
            method="POST", data={"count": "many"}, headers={"Accept-Language": accept}
        ):
            form = Number()
            assert not form.validate()
            messages[accept] = form.count.errors[0]
    assert messages["en"] == "Not a valid integer value."
    assert messages["zh-CN"] != messages["en"] and "整数" in messages["zh-CN"]
