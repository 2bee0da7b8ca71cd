"""Flask-WTF forms, one per screen. Labels are lazy so they follow the page's language.

Forms check the shape of what was typed (present, short enough, a number); the rules that
need the database (a taken username, a state that forbids the action) live in services.
The score sheet form is generated from the tender's criteria by `score_sheet_form`;
`apply_error` shows a service error on the field it names (`flash_error` as messages).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from babel import support
from flask import flash
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from markupsafe import Markup
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.i18n import messages_path
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from selector.scoring import rules, values
from selector.scoring.limits import (
    AMOUNT_PLACES,
    CURRENCY_PATTERN,
    MAX_AMOUNT,
    MAX_FLAG_ID,
    MAX_NAME,
    MAX_NUMBER_DIGITS,
    MAX_PAGE_REF,
    MAX_PASSWORD,
    MAX_PERCENT,
    MAX_PROBLEMS,
    MAX_RATE,
    MAX_TEXT,
    MAX_USERNAME,
    MIN_PASSWORD,
    MIN_PERCENT,
    PERCENT_PLACES,
    RATE_PLACES,
    decimal_places,
    digit_count,
    forbidden_character,
)
from selector.scoring.model import Criterion
from selector.scoring.numbers import plain
from selector.scoring.values import NUMBER_RE
from selector.services import Conflict, Forbidden, NotFound, ServiceError, StaleEdit
from selector.web import i18n
from selector.web.i18n import current_lang

try:  # WTForms 3.3 names options SelectChoice and deprecates (value, label) tuples
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _option(value: str, label: str) -> Any:
    return SelectChoice(value, label) if SelectChoice is not None else (value, label)


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (for groups, vendors)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def no_control_characters(form: Any, field: Field) -> None:
    """Refuse a control character (NUL, vertical tab, escape…) in what was sent for `field`.

    Tab and line breaks are allowed in a multi-line text (a `TextAreaField`) only; the
    characters are those of `selector.scoring.limits.forbidden_character`.
    """
    multiline = isinstance(field, TextAreaField)
    for sent in field.raw_data or []:
        if isinstance(sent, str):
            char = forbidden_character(sent, multiline=multiline)
            if char is not None:
                raise ValidationError(
                    _l(
                        "%(field)s: remove the control character %(char)s (it cannot be stored "
                        "or printed).",
                        field=field.label.text,
                        char=char,
                    )
                )


def sent_once(form: Any, field: Field) -> None:
    """Refuse a one-value field sent twice (`name=A&name=B`): which one was meant is unknown."""
    if len(field.raw_data or []) > 1:
        raise ValidationError(_l("%(field)s was sent more than once.", field=field.label.text))


@lru_cache(maxsize=16)
def _wtforms_catalog(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _WTFormsTranslations:
    """WTForms' own messages in the page's language, each catalog read once per process
    (Flask-WTF's reads the catalog file again for every form of every request)."""

    def gettext(self, string: str) -> str:
        return str(_wtforms_catalog(str(get_locale())).ugettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(_wtforms_catalog(str(get_locale())).ungettext(singular, plural, n))


_TRANSLATIONS = _WTFormsTranslations()


class Form(FlaskForm):
    """The base of every form: no field takes a control character (`no_control_characters`),
    and a one-value field sent twice is refused (`sent_once`).

    Passwords are exempt from the character check (they are only hashed) and files are
    checked by their readers.
    """

    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> Any:
            return _TRANSLATIONS

    def validate(self, extra_validators: dict[str, list[Any]] | None = None) -> bool:
        extra = {name: list(checks) for name, checks in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            checks = extra.setdefault(name, [])
            if not isinstance(field, SelectMultipleField):
                checks.append(sent_once)
            if not isinstance(field, PasswordField | FileField) and name != "csrf_token":
                checks.append(no_control_characters)
        return bool(super().validate(extra_validators=extra))


def parse_decimal(raw: str) -> Decimal | None:
    """A finite Decimal from what a person typed (`1,250.50`, full-width ３.５), else None.

    Only ASCII digits, one point and an exponent (`values.NUMBER_RE`) after NFKC: Decimal
    alone would also take `1_000` and other scripts' digits.
    """
    text = unicodedata.normalize("NFKC", str(raw)).strip().replace(",", "")
    if not NUMBER_RE.match(text):
        return None
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


class DecimalText:
    """A number typed as text: finite, within [minimum, maximum] (exclusive minimum if asked),
    with at most `places` decimal places (what the database keeps). Every refusal also says
    what is allowed."""

    def __init__(
        self,
        minimum: Decimal | None = None,
        maximum: Decimal | None = None,
        *,
        exclusive_minimum: bool = False,
        places: int | None = None,
    ) -> None:
        self.minimum, self.maximum, self.exclusive_minimum = minimum, maximum, exclusive_minimum
        self.places = places

    def allowed(self) -> Any:
        """What this field takes, as a sentence: its range and decimal places."""
        low = self.minimum
        if low is not None and self.exclusive_minimum and self.places is not None:
            low = low + Decimal(1).scaleb(-self.places)  # the smallest number above it
        low_text = "—" if low is None else plain(low)
        high_text = "—" if self.maximum is None else plain(self.maximum)
        if self.places is None:
            return _l("Allowed: %(min)s to %(max)s.", min=low_text, max=high_text)
        return _l(
            "Allowed: %(min)s to %(max)s, with at most %(places)d decimal places.",
            min=low_text,
            max=high_text,
            places=self.places,
        )

    def refuse(self, first: Any) -> ValidationError:
        return ValidationError(f"{first} {self.allowed()}")

    def __call__(self, form: Any, field: Field) -> None:
        if field.data in (None, ""):
            return
        number = parse_decimal(field.data)
        if number is None or digit_count(number) > MAX_NUMBER_DIGITS:
            raise self.refuse(_l("Enter a number, for example 125000.50."))
        if self.minimum is not None:
            if self.exclusive_minimum and number <= self.minimum:
                raise self.refuse(_l("Enter a number greater than %(min)s.", min=self.minimum))
            if number < self.minimum:
                raise self.refuse(_l("Enter a number of at least %(min)s.", min=self.minimum))
        if self.maximum is not None and number > self.maximum:
            raise self.refuse(_l("Enter a number of at most %(max)s.", max=plain(self.maximum)))
        if self.places is not None and decimal_places(number) > self.places:
            raise self.refuse(_l("Use at most %(places)d decimal places.", places=self.places))


CURRENCY = [
    Regexp(
        CURRENCY_PATTERN, message=_l("Use a three-letter currency code such as CNY, USD or EUR.")
    ),
]


class LoginForm(Form):
    username = StringField(
        _l("Username"), validators=[DataRequired(), Length(max=MAX_USERNAME)], filters=[_strip]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD)])
    submit = SubmitField(_l("Log in"))


class SignOffForm(Form):
    """A member's (or the chair's) sign-off: approve or dissent, confirmed with the password."""

    decision = RadioField(
        _l("Your sign-off"), validators=[DataRequired(_l("Choose to approve or to dissent."))]
    )
    reason = TextAreaField(
        _l("Reasons for a dissent"), validators=[Optional(), Length(max=MAX_TEXT)],
        filters=[_strip],
    )
    password = PasswordField(
        _l("Your password"), validators=[DataRequired(), Length(max=MAX_PASSWORD)]
    )
    submit = SubmitField(_l("Sign"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.decision.choices = [
            _option("approve", _l("I approve the result")),
            _option("dissent", _l("I dissent, for the reasons written below")),
        ]


class AbsentForm(Form):
    """The chair records that a member did not sign, with a note."""

    reason = TextAreaField(
        _l("Why the member did not sign"),
        validators=[DataRequired(), Length(max=MAX_TEXT)],
        filters=[_strip],
    )
    submit = SubmitField(_l("Record as not signed"))


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(form: Any, field: Any) -> None:
    text = (field.data or "").strip()
    if not text:
        return
    try:
        if not _DATE.match(text):
            raise ValueError(text)
        date.fromisoformat(text)
    except ValueError:
        raise ValidationError(_l("Write the date as YYYY-MM-DD, for example 2026-12-01.")) from None


def _listed(form: Any, field: Any) -> None:
    if field.data and field.data not in {str(value) for value, _label in field.choices}:
        raise ValidationError(_l("Choose one from the list."))


class LogFilterForm(Form):
    """The audit log's filters (a GET form: no CSRF token, nothing is changed)."""

    class Meta:
        csrf = False

    person = SelectField(_l("Person"), choices=[], validate_choice=False, validators=[_listed])
    kind = SelectField(_l("Kind"), choices=[], validate_choice=False, validators=[_listed])
    since = StringField(_l("From (date)"), validators=[Optional(), _iso_date], filters=[_strip])
    until = StringField(_l("To (date)"), validators=[Optional(), _iso_date], filters=[_strip])
    page = StringField(
        _l("Page"),
        validators=[Optional(), Regexp(r"^\d{1,6}$", message=_l("Write a page number."))],
        filters=[_strip],
    )

    def validate_until(self, field: Any) -> None:
        since = self.since.data
        if since and field.data and not self.since.errors and field.data < since:
            raise ValidationError(_l("The end date is before the start date."))


class ActionForm(Form):
    """A button that posts (logout, delete, language): only the CSRF token travels."""


#: The languages a person's messages are written in (names in their own language).
LANGUAGE_CHOICES = [_option("zh", "中文"), _option("en", "English")]


class UserCreateForm(Form):
    username = StringField(
        _l("Username"), validators=[DataRequired(), Length(max=MAX_USERNAME)], filters=[_strip]
    )
    display_name = StringField(
        _l("Full name"), validators=[Optional(), Length(max=MAX_NAME)], filters=[_strip]
    )
    role = SelectField(_l("Role"), choices=[])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=MAX_PASSWORD)],
    )
    email = StringField(
        _l("E-mail (for reminders)"), validators=[Optional(), Length(max=254)], filters=[_strip]
    )
    language = SelectField(
        _l("Language of messages"), choices=LANGUAGE_CHOICES, default="zh"
    )
    submit = SubmitField(_l("Create user"))


class ContactForm(Form):
    """Where a user's reminders go and in which language."""

    email = StringField(
        _l("E-mail (for reminders)"), validators=[Optional(), Length(max=254)], filters=[_strip]
    )
    language = SelectField(
        _l("Language of messages"), choices=LANGUAGE_CHOICES, default="zh"
    )
    submit = SubmitField(_l("Save"))


class PasswordForm(Form):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=MAX_PASSWORD)],
    )
    submit = SubmitField(_l("Set password"))


class TenderForm(Form):
    """Create a tender: name, template (from criteria/ or an uploaded YAML) and settings."""

    name = StringField(
        _l("Tender name"), validators=[DataRequired(), Length(max=MAX_NAME)], filters=[_strip]
    )
    organisation = StringField(
        _l("Organisation"), validators=[Optional(), Length(max=MAX_NAME)], filters=[_strip]
    )
    template = SelectField(_l("Criteria template"), choices=[], validate_choice=False)
    template_file = FileField(
        _l("…or upload a template (YAML)"),
        validators=[FileAllowed(["yaml", "yml"], _l("Upload a .yaml or .yml file."))],
    )
    base_currency = StringField(
        _l("Base currency"), validators=[Optional(), *CURRENCY], filters=[_upper]
    )
    method = SelectField(_l("How evaluators' scores are combined"), choices=[])
    divergence_percent = StringField(
        _l("Divergence threshold (percent of a criterion's maximum)"),
        default="40",
        validators=[DataRequired(), DecimalText(MIN_PERCENT, MAX_PERCENT, places=PERCENT_PLACES)],
    )
    low_bid_percent = StringField(
        _l("Abnormally low bid threshold (percent of the median total bid)"),
        default="60",
        validators=[DataRequired(), DecimalText(MIN_PERCENT, MAX_PERCENT, places=PERCENT_PLACES)],
    )
    submit = SubmitField(_l("Create tender"))


class TenderSettingsForm(Form):
    name = StringField(
        _l("Tender name"), validators=[DataRequired(), Length(max=MAX_NAME)], filters=[_strip]
    )
    organisation = StringField(
        _l("Organisation"), validators=[Optional(), Length(max=MAX_NAME)], filters=[_strip]
    )
    base_currency = StringField(
        _l("Base currency"), validators=[DataRequired(), *CURRENCY], filters=[_upper]
    )
    method = SelectField(_l("How evaluators' scores are combined"), choices=[])
    divergence_percent = StringField(
        _l("Divergence threshold (percent of a criterion's maximum)"),
        validators=[DataRequired(), DecimalText(MIN_PERCENT, MAX_PERCENT, places=PERCENT_PLACES)],
    )
    low_bid_percent = StringField(
        _l("Abnormally low bid threshold (percent of the median total bid)"),
        validators=[DataRequired(), DecimalText(MIN_PERCENT, MAX_PERCENT, places=PERCENT_PLACES)],
    )
    submit = SubmitField(_l("Save settings"))


class TemplateUploadForm(Form):
    template_file = FileField(
        _l("Template (YAML)"),
        validators=[
            FileRequired(_l("Choose a .yaml file to upload.")),
            FileAllowed(["yaml", "yml"], _l("Upload a .yaml or .yml file.")),
        ],
    )
    submit = SubmitField(_l("Replace template"))


class VendorForm(Form):
    name = StringField(
        _l("Vendor name"), validators=[DataRequired(), Length(max=MAX_NAME)], filters=[_strip]
    )
    submit = SubmitField(_l("Add vendor"))


class BidForm(Form):
    vendor = SelectField(_l("Vendor"), choices=[], coerce=int)
    component = SelectField(_l("Cost component"), choices=[])
    amount = StringField(
        _l("Amount"),
        validators=[
            DataRequired(),
            DecimalText(Decimal(0), MAX_AMOUNT, exclusive_minimum=True, places=AMOUNT_PLACES),
        ],
        filters=[_strip],
    )
    currency = StringField(_l("Currency"), validators=[Optional(), *CURRENCY], filters=[_upper])
    # After the price envelope is opened: why the bid changes, and the confirmation.
    reason = TextAreaField(
        _l("Reason for the change"), validators=[Optional(), Length(max=MAX_TEXT)], filters=[_strip]
    )
    confirm = BooleanField(_l("I confirm this change to an opened bid; it is kept in the record"))
    submit = SubmitField(_l("Save bid"))


class BidsUploadForm(Form):
    bids_file = FileField(
        _l("Bids table (CSV or Excel)"),
        validators=[
            FileRequired(_l("Choose a .csv or .xlsx file to upload.")),
            FileAllowed(["csv", "xlsx"], _l("Upload a .csv or .xlsx file.")),
        ],
    )
    submit = SubmitField(_l("Upload bids"))


class DocumentUploadForm(Form):
    """A vendor's document: the file (its type is read from its content by the service),
    whose it is, which envelope, and optionally the criterion and page it is evidence for."""

    vendor = SelectField(_l("Vendor"), coerce=int, validate_choice=False)
    envelope = RadioField(
        _l("Envelope"),
        choices=[
            ("technical", _l("Technical")),
            ("price", _l("Price (sealed: hidden from evaluators who may not see prices)")),
        ],
        default="technical",
        validate_choice=False,
    )
    criterion = SelectField(_l("Evidence for the criterion (optional)"), validate_choice=False)
    page = StringField(
        _l("Page or section (optional)"),
        validators=[Optional(), Length(max=MAX_PAGE_REF)],
        filters=[_strip],
    )
    document_file = FileField(
        _l("File (PDF, Word, Excel, PowerPoint, PNG or JPEG)"),
        validators=[FileRequired(_l("Choose the file to upload."))],
    )
    submit = SubmitField(_l("Upload document"))


class DocumentLinkForm(Form):
    """Name a document as the evidence for a criterion, at a page or section."""

    criterion = SelectField(_l("Criterion"), validate_choice=False)
    page = StringField(
        _l("Page or section (optional)"),
        validators=[Optional(), Length(max=MAX_PAGE_REF)],
        filters=[_strip],
    )
    submit = SubmitField(_l("Link"))


class RateForm(Form):
    currency = StringField(_l("Currency"), validators=[DataRequired(), *CURRENCY], filters=[_upper])
    rate = StringField(
        _l("Rate (1 unit in the base currency)"),
        validators=[
            DataRequired(),
            DecimalText(Decimal(0), MAX_RATE, exclusive_minimum=True, places=RATE_PLACES),
        ],
        filters=[_strip],
    )
    reason = TextAreaField(
        _l("Reason for the change"), validators=[Optional(), Length(max=MAX_TEXT)], filters=[_strip]
    )
    confirm = BooleanField(_l("I confirm this change to an opened rate; it is kept in the record"))
    submit = SubmitField(_l("Save rate"))


class AssignmentForm(Form):
    evaluator = SelectField(_l("Evaluator"), choices=[], coerce=int)
    groups = MultiCheckboxField(_l("Groups to score (none ticked: all)"), choices=[])
    can_see_prices = BooleanField(_l("May see bid prices"))
    submit = SubmitField(_l("Assign"))


class TransitionForm(Form):
    reason = TextAreaField(
        _l("Reason"), validators=[Optional(), Length(max=MAX_TEXT)], filters=[_strip]
    )
    submit = SubmitField(_l("Confirm"))


class ConflictForm(Form):
    no_conflict = BooleanField(_l("I have no conflict of interest with any vendor of this tender"))
    vendors = MultiCheckboxField(
        _l("Vendors I have a conflict of interest with"), choices=[], coerce=int
    )
    statement = TextAreaField(
        _l("Statement (relationship, shares, former employment…)"),
        validators=[Optional(), Length(max=MAX_TEXT)],
        filters=[_strip],
    )
    submit = SubmitField(_l("Declare"))

    def validate_no_conflict(self, field: Field) -> None:
        if field.data and self.vendors.data:
            raise ValidationError(_l("Either tick 'no conflict' or choose vendors, not both."))
        if not field.data and not self.vendors.data:
            raise ValidationError(
                _l("Tick 'no conflict', or choose the vendors you have a conflict with.")
            )


def _iso_day(form: Any, field: Field) -> None:
    if field.data and _parse_day(field.data) is None:
        raise ValidationError(
            _l("Due date: write a day as YYYY-MM-DD, for example 2026-12-31.")
        )


def _parse_day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


class DueDateForm(Form):
    """The day scoring is due (an `<input type="date">`: YYYY-MM-DD), or clear it."""

    due_on = StringField(
        _l("Due date"), validators=[Optional(), Length(max=10), _iso_day], filters=[_strip]
    )
    submit = SubmitField(_l("Save due date"))
    clear = SubmitField(_l("Clear due date"))

    def validate_due_on(self, field: Field) -> None:
        if not field.data and not self.clear.data:
            raise ValidationError(_l("Due date: choose a day, or clear the due date."))

    def day(self) -> date | None:
        """The day typed, or None."""
        return _parse_day(self.due_on.data or "") if self.due_on.data else None


class ConsensusForm(Form):
    vendor = SelectField(_l("Vendor"), choices=[], coerce=int)
    criterion = SelectField(_l("Criterion"), choices=[])
    # Read, its length too, by the service with the chosen criterion (`values.read`).
    value = StringField(_l("Agreed value"), validators=[DataRequired()], filters=[_strip])
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(), Length(max=MAX_TEXT)], filters=[_strip]
    )
    submit = SubmitField(_l("Record consensus"))


class ModerationConsensusForm(Form):
    """A consensus value recorded on the moderation page: one cell (vendor, criterion), a
    value chosen from the criterion's own (a select, not free text), the reason, and the
    confirmation that replaces a value already recorded."""

    vendor = IntegerField(widget=HiddenInput(), validators=[DataRequired()])
    criterion = HiddenField(validators=[DataRequired(), Length(max=MAX_FLAG_ID)])
    value = SelectField(_l("Agreed value"), choices=[])
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(), Length(max=MAX_TEXT)], filters=[_strip]
    )
    replace = BooleanField(_l("Replace the recorded consensus value"))
    submit = SubmitField(_l("Record consensus"))


class FlagReviewForm(Form):
    flag_id = HiddenField(validators=[DataRequired(), Length(max=MAX_FLAG_ID)])
    note = TextAreaField(
        _l("Review note"), validators=[DataRequired(), Length(max=MAX_TEXT)], filters=[_strip]
    )
    submit = SubmitField(_l("Record review"))


# --- the score sheet --------------------------------------------------------------------


class TypedValue:
    """A score sheet value the criterion accepts, read and worded by `values.read`."""

    def __init__(self, criterion: Criterion) -> None:
        self.criterion = criterion

    def __call__(self, form: Any, field: Field) -> None:
        if field.data in (None, ""):
            return
        value = values.read(self.criterion, str(field.data))
        if isinstance(value, values.Problem):
            raise ValidationError(value.sentence.get(current_lang()))


def value_field_name(criterion_id: str) -> str:
    return f"value-{criterion_id}"


def comment_field_name(criterion_id: str) -> str:
    return f"comment-{criterion_id}"


class ScoreSheetBase(Form):
    version = IntegerField(validators=[InputRequired()])
    save = SubmitField(_l("Save draft"))
    submit_sheet = SubmitField(_l("Submit sheet"))


def _value_field(criterion: Criterion, lang: str, label: str) -> Field:
    """The value input of one criterion: radio buttons for choice kinds, text for scale."""
    if criterion.kind == "scale":
        return StringField(label, validators=[Optional(), TypedValue(criterion)], filters=[_strip])
    options = rules.choices(criterion)
    return RadioField(
        label,
        choices=[_option(c.key, c.label.get(lang)) for c in options],
        validate_choice=False,
        validators=[Optional(), TypedValue(criterion)],
    )


def _comment_field() -> Field:
    return TextAreaField(
        _l("Comment"), validators=[Optional(), Length(max=MAX_TEXT)], filters=[_strip]
    )


def score_sheet_form(criteria: list[Criterion], lang: str, **kwargs: Any) -> ScoreSheetBase:
    """A form with one value and one comment field per criterion the evaluator scores.

    Choice kinds (tiered, binary, grade, gate) become radio buttons whose labels carry the
    points; scale becomes a number input. Values may stay empty in a draft.
    """
    form: ScoreSheetBase = _score_sheet_class(tuple(criteria), lang)(**kwargs)
    return form


@lru_cache(maxsize=256)
def _score_sheet_class(criteria: tuple[Criterion, ...], lang: str) -> type[ScoreSheetBase]:
    """The form class of `score_sheet_form`, built once per criteria and language (a class
    of some 70 fields costs ~2 ms per request to build). Keyed on the criteria's values
    (frozen dataclasses: id, kind, points, titles, levels), so a template whose criteria
    differ in anything the form shows gets a class of its own; the class holds no request
    data (labels are lazy, the values are bound to each instance)."""
    attrs: dict[str, Any] = {}
    for criterion in criteria:
        attrs[value_field_name(criterion.id)] = _value_field(
            criterion, lang, criterion.title.get(lang)
        )
        attrs[comment_field_name(criterion.id)] = _comment_field()
    return type("ScoreSheetForm", (ScoreSheetBase,), attrs)


def version_field_name(vendor_id: int) -> str:
    return f"version-{vendor_id}"


class CriterionFormBase(Form):
    save = SubmitField(_l("Save drafts"))


def criterion_form(
    criterion: Criterion, vendors: list[tuple[int, str]], lang: str, **kwargs: Any
) -> CriterionFormBase:
    """The by-criterion form: one value, comment and version per vendor (id, name), named
    `value-<vendor id>`, `comment-<vendor id>`, `version-<vendor id>`; the same value
    fields and checks as the score sheet's."""
    attrs: dict[str, Any] = {}
    for vendor_id, name in vendors:
        attrs[value_field_name(str(vendor_id))] = _value_field(criterion, lang, name)
        attrs[comment_field_name(str(vendor_id))] = _comment_field()
        attrs[version_field_name(vendor_id)] = IntegerField(validators=[InputRequired()])
    form_class = type("CriterionForm", (CriterionFormBase,), attrs)
    form: CriterionFormBase = form_class(**kwargs)
    return form


def flash_error(error: ServiceError, link: Callable[[str], str] | None = None) -> None:
    """Flash a service error and each of its problem lines; with `link` (fragment -> URL),
    a problem the error anchors (`ServiceError.anchors`) links to where it is shown."""
    flash(i18n.text(error.message), "error")
    anchors = error.anchors if link is not None else []
    for index, problem in enumerate(error.problems[:MAX_PROBLEMS]):
        if link is not None and index < len(anchors):
            flash(Markup('<a href="{}">{}</a>').format(link(anchors[index]), i18n.text(problem)),
                  "problem")
        else:
            flash(i18n.text(problem), "problem")


def refusal_status(error: ServiceError) -> int:
    """The HTTP status of a refused request: 404, 403, 409 for a stale edit or a concurrent
    insert of the same row, else 422."""
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Forbidden):
        return 403
    if isinstance(error, StaleEdit | Conflict):
        return 409
    return 422


def flash_form_errors(form: Any) -> None:
    """Flash every field error of `form` as `Label: message` (for pages without the form)."""
    for name, errors in form.errors.items():
        field = getattr(form, name, None)
        label = field.label.text if field is not None and hasattr(field, "label") else name
        for message in errors:
            flash(f"{label}: {message}", "error")


def apply_error(
    form: Any, error: ServiceError, link: Callable[[str], str] | None = None
) -> None:
    """Show a service error on the form field it names, or as a flash message (`link`: as
    `flash_error`)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, i18n.text(error.message)]
        for problem in error.problems[:MAX_PROBLEMS]:
            flash(i18n.text(problem), "problem")
    else:
        flash_error(error, link)
