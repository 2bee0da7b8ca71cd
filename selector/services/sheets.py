"""The evaluator's workflow: declare conflicts, fill one score sheet per vendor, submit.

Blind scoring: everything here reads and writes the calling evaluator's own rows only.
A sheet carries a version; a save must name the version it started from, so that two
tabs or two devices cannot silently overwrite each other (optimistic locking).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property, partial
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from selector.scoring import rules
from selector.scoring import values as typed
from selector.scoring.limits import MAX_PROBLEMS, MAX_TEXT, forbidden_character
from selector.scoring.model import Criterion, Group, Template, Text
from selector.scoring.model import Entry as ScoreEntryLike
from selector.services import (
    Conflict,
    Forbidden,
    NotFound,
    ServiceError,
    StaleEdit,
    loading,
    too_long,
    written,
)
from selector.services.access import (
    NO_TENDER,
    NO_VENDOR,
    evaluated_tender,
    evaluator_assignment,
    may_see_prices,
)
from selector.services.documents import SheetEvidence, check_references, sheet_evidence
from selector.services.templates import template_from_snapshot, template_of
from selector.services.uow import TenderChange, Unprepared, prepared_change, tender_change
from selector.services.views import TenderHeading, tender_heading
from selector.store.audit import SheetScope, entry_key, entry_value
from selector.store.models import (
    Assignment,
    ConflictDeclaration,
    Entry,
    ScoreSheet,
    SheetState,
    Tender,
    TenderCriterion,
    TenderGroup,
    TenderState,
    User,
    Vendor,
    assignment_group,
    conflict_vendor,
    utcnow,
)

SUBMITTED_REFUSAL = Text(
    zh="此评分表已提交,不能再修改。",
    en="This sheet is submitted and can no longer be changed.",
)
CLOSED_REFUSAL = Text(
    zh="评分未开放:此评分表不能再修改。",
    en="Scoring is not open: this sheet can no longer be changed.",
)
DECLARE_FIRST = Text(
    zh="查看评分表之前,请先声明利益冲突。",
    en="Declare your conflicts of interest before you see any sheet.",
)
CONFLICTED = Text(
    zh="您已声明与该投标人存在利益冲突,因此不对其评分。",
    en="You declared a conflict of interest with this vendor, so you do not score it.",
)


class SheetInvalid(ServiceError):
    """Some fields of a sheet are wrong; `fields` maps criterion id -> message."""

    def __init__(self, fields: dict[str, Text]) -> None:
        super().__init__(
            Text(
                zh="未保存任何内容:请更正下面标出的评分项。",
                en="Nothing was saved: please correct the criteria marked below.",
            )
        )
        self.fields = fields


@dataclass
class SheetGroup:
    """A group as the evaluator scores it: only the criteria assigned to them."""

    group: Group
    criteria: list[Criterion]

    @property
    def scored_max(self) -> Decimal:
        return sum((c.max for c in self.criteria), Decimal(0))


@dataclass
class OwnTotal:
    """The evaluator's own running total on one vendor: weighted points over their groups."""

    points: Decimal
    maximum: Decimal
    answered: int
    expected: int


@dataclass(frozen=True)
class SheetContext:
    """Everything a sheet page shows; the evaluator's own data only."""

    tender: TenderHeading
    vendor_id: int
    vendor: str
    state: str  # missing | draft | submitted
    version: int  # the sheet's version (0 before the first save)
    submitted_at: datetime | None
    groups: list[SheetGroup]
    values: dict[str, str]
    comments: dict[str, str]
    total: OwnTotal
    editable: bool
    bids: list[tuple[Criterion, Decimal, str]] | None = None

    @property
    def criteria(self) -> list[Criterion]:
        return [c for g in self.groups for c in g.criteria]
    # the vendor's documents beside each criterion, and the sheet's own references to them
    evidence: SheetEvidence | None = None


@dataclass(frozen=True)
class VendorLine:
    """A vendor on the evaluator's page: their sheet's state and their own running total."""

    vendor_id: int
    vendor: str
    state: str  # missing | draft | submitted | conflict
    total: OwnTotal | None = None


@dataclass(frozen=True)
class Workspace:
    """An evaluator's page for one tender: declaration, then their vendors and sheet states."""

    tender: TenderHeading
    vendors: tuple[tuple[int, str], ...]  # every vendor (id, name), for the declaration
    declared: bool
    conflicts: tuple[str, ...]  # vendor names declared
    declared_at: datetime | None
    lines: tuple[VendorLine, ...] = ()
    criteria: tuple[tuple[str, Text], ...] = ()  # what they score (id, title), by criterion
    due_on: date | None = None  # the day scoring is due (the chair's)

    @property
    def submitted(self) -> int:
        return sum(1 for line in self.lines if line.state == SheetState.SUBMITTED)

    @property
    def expected(self) -> int:
        return sum(1 for line in self.lines if line.state != "conflict")


@dataclass
class SaveOutcome:
    """What a save did. `sheet` is the stored sheet, read when it is asked for (a page that
    answers a save with a redirect does not need it)."""

    load: Callable[[], ScoreSheet] = field(repr=False)
    submitted: bool
    already_submitted: bool = False

    @cached_property
    def sheet(self) -> ScoreSheet:
        return self.load()


def scored_groups(tender: Tender, assignment: Assignment) -> list[SheetGroup]:
    """The groups and criteria this evaluator scores (all evaluator-scored ones by default)."""
    return _groups_scored(template_of(tender), {g.key for g in assignment.groups})


def _groups_scored(template: Template, chosen: set[str] | frozenset[str]) -> list[SheetGroup]:
    """`scored_groups` of a template and the keys of the evaluator's groups (∅: all)."""
    groups = []
    for group in template.groups:
        if chosen and group.id not in chosen:
            continue
        criteria = [c for c in group.criteria if c.is_scored_by_evaluators]
        if criteria:
            groups.append(SheetGroup(group, criteria))
    return groups


def own_total(groups: list[SheetGroup], values: dict[str, str]) -> OwnTotal:
    """weight × (sum of own points) / (group max), over the evaluator's groups."""
    points = Decimal(0)
    maximum = Decimal(0)
    answered = expected = 0
    for sheet_group in groups:
        group_max = sheet_group.group.max_points
        earned = Decimal(0)
        for criterion in sheet_group.criteria:
            expected += 1
            raw = values.get(criterion.id, "")
            if raw == "":
                continue
            answered += 1
            value = typed.read(criterion, raw)
            if not isinstance(value, typed.Problem):
                earned += rules.points_for(criterion, value) or Decimal(0)
        if group_max > 0:
            points += sheet_group.group.weight * earned / group_max
            maximum += sheet_group.group.weight * sheet_group.scored_max / group_max
    return OwnTotal(points, maximum, answered, expected)


def _declaration(session: Session, tender_id: int, user: User) -> ConflictDeclaration | None:
    return session.scalar(
        select(ConflictDeclaration).where(
            ConflictDeclaration.tender_id == tender_id, ConflictDeclaration.user_id == user.id
        )
    )


_DECLARED_CONFLICTS = (
    select(ConflictDeclaration.id, conflict_vendor.c.vendor_id)
    .outerjoin(conflict_vendor, conflict_vendor.c.declaration_id == ConflictDeclaration.id)
    .where(
        ConflictDeclaration.tender_id == bindparam("tender_id"),
        ConflictDeclaration.user_id == bindparam("user_id"),
    )
)


def _declared_conflicts(session: Session, tender_id: int, user: User) -> frozenset[int]:
    """The ids of the vendors the user declared a conflict with on the tender (one query);
    Forbidden before they have declared, for no sheet is shown before the declaration."""
    rows = session.execute(_DECLARED_CONFLICTS, {"tender_id": tender_id, "user_id": user.id}).all()
    if not rows:
        raise Forbidden(DECLARE_FIRST)
    return frozenset(vendor for _, vendor in rows if vendor is not None)


def _own_sheets(session: Session, tender: Tender, user: User) -> dict[int, ScoreSheet]:
    loading.criteria_in_session(tender)  # what the entries point at: one query
    tender_id = tender.id
    return {s.vendor_id: s for s in loading.sheets_with_entries(session, tender_id, user.id)}


def workspace(session: Session, tender_id: int, user: User) -> Workspace:
    """The evaluator's overview of a tender. NotFound unless they are on its committee."""
    assignment = evaluator_assignment(session, tender_id, user)
    tender = assignment.tender
    declaration = _declaration(session, tender_id, user)
    lines = []
    criteria: tuple[tuple[str, Text], ...] = ()
    if declaration is not None:
        conflicted = {v.id for v in declaration.vendors}
        sheets = _own_sheets(session, tender, user)
        groups = scored_groups(tender, assignment)
        criteria = tuple((c.id, c.title) for g in groups for c in g.criteria)
        for vendor in tender.vendors:
            if vendor.id in conflicted:
                lines.append(VendorLine(vendor.id, vendor.name, "conflict"))
                continue
            sheet = sheets.get(vendor.id)
            values = {e.criterion.key: e.value for e in sheet.entries} if sheet else {}
            lines.append(
                VendorLine(
                    vendor.id,
                    vendor.name,
                    sheet.state if sheet else "missing",
                    own_total(groups, values),
                )
            )
    return Workspace(
        tender=tender_heading(tender),
        vendors=tuple((v.id, v.name) for v in tender.vendors),
        declared=declaration is not None,
        conflicts=tuple(v.name for v in declaration.vendors) if declaration else (),
        declared_at=declaration.declared_at if declaration else None,
        lines=tuple(lines),
        criteria=criteria,
        due_on=tender.due_on,
    )


def declare_conflicts(
    session: Session,
    tender_id: int,
    *,
    evaluator: User,
    vendor_ids: list[int],
    statement: str,
) -> ConflictDeclaration:
    """Record the evaluator's conflict-of-interest declaration (once, before any sheet).

    An empty `vendor_ids` declares no conflict. A vendor listed is removed from their sheets.
    """
    statement = written(statement, field="statement", what=Text(zh="声明", en="The statement"))
    with tender_change(
        session,
        tender_id,
        evaluator,
        access=evaluated_tender,
        states=[TenderState.OPEN],
        refusal=Text(
            zh="利益声明须在评分开放期间提交。", en="Declarations are made while scoring is open."
        ),
    ) as change:
        tender = change.tender
        if _declaration(session, tender_id, evaluator) is not None:
            raise ServiceError(
                Text(
                    zh="您已就本项目提交过利益声明。如需修改,请联系评审主任。",
                    en=(
                        "You have already declared your interests for this tender. To change the "
                        "declaration, ask the chair."
                    ),
                )
            )
        vendors = {v.id: v for v in tender.vendors}
        if any(v not in vendors for v in vendor_ids):
            raise ServiceError(
                Text(zh="请选择本项目的投标人。", en="Choose vendors of this tender."),
                field="vendors",
            )
        if vendor_ids and not statement:
            raise ServiceError(
                Text(
                    zh="请在声明中说明利益冲突的情况(亲属关系、持股、曾经任职等)。",
                    en=(
                        "Describe the conflict in the statement (relationship, shares, former "
                        "employment…)."
                    ),
                ),
                field="statement",
            )
        declaration = ConflictDeclaration(
            tender=tender,
            user_id=evaluator.id,
            statement=statement,
            vendors=[vendors[v] for v in dict.fromkeys(vendor_ids)],
        )
        session.add(declaration)
        change.audit(
            "conflict.declare",
            conflicts=[vendors[v].name for v in vendor_ids],
            statement=statement,
        )
    return declaration


def _sheet_access(
    session: Session,
    tender: Tender,
    vendor_id: int,
    user: User,
    assignment: Assignment | None = None,
) -> tuple[Assignment, Vendor]:
    """The evaluator's assignment and the vendor of a sheet they may score (they declared
    their interests and have no conflict with it); NotFound or Forbidden otherwise.
    `assignment`: the user's assignment on `tender` where the caller has already checked it."""
    if assignment is None:
        assignment = evaluator_assignment(session, tender.id, user)
    vendor = loading.tender_vendor(session, tender.id, vendor_id)
    if vendor is None:
        raise NotFound(NO_VENDOR)
    if vendor_id in _declared_conflicts(session, tender.id, user):
        raise Forbidden(CONFLICTED)
    return assignment, vendor


def sheet_context(session: Session, tender_id: int, vendor_id: int, user: User) -> SheetContext:
    """The evaluator's own sheet for one vendor (created on first save)."""
    checked = evaluator_assignment(session, tender_id, user)  # access, checked once
    tender = checked.tender
    assignment, vendor = _sheet_access(session, tender, vendor_id, user, checked)
    loading.assigned_groups(session, assignment)
    loading.criteria_in_session(tender)  # what entries and bids point at: one query
    sheet = session.scalar(
        select(ScoreSheet).where(
            ScoreSheet.evaluator_id == user.id, ScoreSheet.vendor_id == vendor.id
        )
    )
    values = {e.criterion.key: e.value for e in sheet.entries} if sheet else {}
    comments = {e.criterion.key: e.comment for e in sheet.entries} if sheet else {}
    groups = scored_groups(tender, assignment)
    editable = tender.state == TenderState.OPEN and (
        sheet is None or sheet.state == SheetState.DRAFT
    )
    bids = None
    if may_see_prices(session, tender, user):
        template = template_of(tender)
        bids = []
        for bid in sorted(vendor.bids, key=lambda b: b.criterion.position):
            criterion = template.criterion(bid.criterion.key)
            if criterion is not None:
                bids.append((criterion, bid.amount, bid.currency))
    return SheetContext(
        tender_heading(tender),
        vendor.id,
        vendor.name,
        sheet.state if sheet else "missing",
        sheet.version if sheet else 0,
        sheet.submitted_at if sheet else None,
        groups,
        values,
        comments,
        own_total(groups, values),
        editable,
        bids,
        sheet_evidence(session, tender, vendor.id, user, list(sheet.entries) if sheet else []),
    )


@dataclass(frozen=True)
class SheetCriteria:
    """The criteria of an evaluator's sheet for one vendor (`sheet_criteria`), with what
    their checks read: `save_sheet` in the same request is given them (`checked`) and does
    not read them again."""

    tender_id: int
    vendor_id: int
    evaluator_id: int
    groups: list[SheetGroup]  # the groups the evaluator scores, with their criteria
    state: str  # the tender's
    assignment: tuple[int, frozenset[int]]  # the evaluator's assignment: id and group ids
    vendor: str  # the vendor's name

    @property
    def criteria(self) -> list[Criterion]:
        return [c for g in self.groups for c in g.criteria]


# What the checks of a sheet read, in one statement (built once): the tender, the user's
# assignment and its groups (one row per group), the vendor if it is the tender's, the
# user's declaration and its conflict with that vendor (at most one of each per row).
_SHEET_FACTS = (
    select(
        Tender.state, Tender.template_yaml, Tender.template_source, Assignment.id,
        TenderGroup.id, TenderGroup.key, Vendor.id, Vendor.name, ConflictDeclaration.id,
        conflict_vendor.c.vendor_id,
    )
    .select_from(Tender)
    .outerjoin(
        Assignment,
        (Assignment.tender_id == Tender.id) & (Assignment.user_id == bindparam("user_id")),
    )
    .outerjoin(assignment_group, assignment_group.c.assignment_id == Assignment.id)
    .outerjoin(TenderGroup, TenderGroup.id == assignment_group.c.group_id)
    .outerjoin(Vendor, (Vendor.id == bindparam("vendor_id")) & (Vendor.tender_id == Tender.id))
    .outerjoin(
        ConflictDeclaration,
        (ConflictDeclaration.tender_id == Tender.id)
        & (ConflictDeclaration.user_id == bindparam("user_id")),
    )
    .outerjoin(
        conflict_vendor,
        (conflict_vendor.c.declaration_id == ConflictDeclaration.id)
        & (conflict_vendor.c.vendor_id == bindparam("vendor_id")),
    )
    .where(Tender.id == bindparam("tender_id"))
)


def sheet_criteria(
    session: Session, tender_id: int, vendor_id: int, user: User
) -> SheetCriteria:
    """The criteria of the evaluator's sheet for one vendor, to read a posted sheet with:
    the checks of `sheet_context` (NotFound, Forbidden, the same refusals in the same
    order), none of the page's contents, in one statement (`_SHEET_FACTS`)."""
    if user.role != "evaluator":
        evaluator_assignment(session, tender_id, user)  # refuses, as for the page
    rows = session.connection().execute(
        _SHEET_FACTS, {"tender_id": tender_id, "user_id": user.id, "vendor_id": vendor_id}
    ).all()
    if not rows:
        raise NotFound(NO_TENDER)
    state, yaml_text, source, assignment_id, _, _, vendor, vendor_name, declared, conflict = rows[0]
    if assignment_id is None or state == TenderState.DRAFT:
        raise NotFound(NO_TENDER)
    if vendor is None:
        raise NotFound(NO_VENDOR)
    if declared is None:
        raise Forbidden(DECLARE_FIRST)
    if conflict is not None:
        raise Forbidden(CONFLICTED)
    groups = {row[4]: row[5] for row in rows if row[4] is not None}  # id -> key
    return SheetCriteria(
        tender_id,
        vendor_id,
        user.id,
        _groups_scored(template_from_snapshot(yaml_text, source), frozenset(groups.values())),
        str(state),
        (assignment_id, frozenset(groups)),
        vendor_name,
    )


def _check_values(
    groups: list[SheetGroup], values: dict[str, str], comments: dict[str, str], submit: bool
) -> tuple[dict[str, str], dict[str, Text]]:
    """Normalised values and field errors (criterion id -> message)."""
    errors: dict[str, Text] = {}
    normalised: dict[str, str] = {}
    for sheet_group in groups:
        for criterion in sheet_group.criteria:
            raw = (values.get(criterion.id) or "").strip()
            comment = (comments.get(criterion.id) or "").strip()
            char = forbidden_character(comment, multiline=True) or forbidden_character(raw)
            if char is not None:
                errors[criterion.id] = Text(
                    zh=f"含有控制字符 {char},无法保存或打印:请删除它。",
                    en=f"This holds the control character {char}, which cannot be stored or "
                    "printed: remove it.",
                )
                continue
            if len(comment) > MAX_TEXT:
                errors[criterion.id] = too_long(Text(zh="说明", en="The comment"), MAX_TEXT)
                continue
            if raw == "":
                normalised[criterion.id] = ""
                if submit:
                    errors[criterion.id] = Text(
                        zh="提交前请先选择评分。", en="Choose a value before submitting."
                    )
                continue
            value = typed.read(criterion, raw)
            if isinstance(value, typed.Problem):
                errors[criterion.id] = value.sentence
                continue
            normalised[criterion.id] = typed.as_text(value)
            if submit and not comment and rules.comment_required(criterion, value):
                errors[criterion.id] = Text(
                    zh="选择此项须填写说明:请写明缺少或不足之处。",
                    en="A comment is required for this value: say what is missing or weak.",
                )
    return normalised, errors


def save_sheet(
    session: Session,
    tender_id: int,
    vendor_id: int,
    *,
    evaluator: User,
    version: int,
    values: dict[str, str],
    comments: dict[str, str],
    submit: bool,
    references: Mapping[str, tuple[str, str]] | None = None,
    checked: SheetCriteria | None = None,
) -> SaveOutcome:
    """Save the evaluator's sheet as a draft, or submit it (then it is read-only).

    `references` (criterion key -> (document id as typed, page)) are the documents the
    comments cite (`documents.check_references`); criteria left out keep theirs.
    `checked`: the sheet's `sheet_criteria`, read earlier in the same transaction (its
    rows are used, not read again; what the save depends on is checked again under the
    write lock all the same).

    `version` is the sheet version the form was loaded with (0 for a new sheet). Raises
    StaleEdit when someone saved in between, SheetInvalid with a message per criterion for
    bad values (a draft may leave values empty; submitting needs every value and a comment
    on partial, none, no, fail and grades below the top). Submitting a sheet that is already
    submitted changes nothing and reports `already_submitted`.
    """
    try:
        return _save_sheet(
            session,
            tender_id,
            vendor_id,
            evaluator=evaluator,
            version=version,
            values=values,
            comments=comments,
            submit=submit,
            references=references,
            checked=checked,
        )
    except (StaleDataError, IntegrityError, Conflict):
        # Another request saved this sheet between our read and our write.
        session.rollback()
        sheet = session.scalar(
            select(ScoreSheet).where(
                ScoreSheet.evaluator_id == evaluator.id, ScoreSheet.vendor_id == vendor_id
            )
        )
        if submit and sheet is not None and sheet.state == SheetState.SUBMITTED:
            return SaveOutcome(lambda: sheet, submitted=True, already_submitted=True)
        raise StaleEdit(_stale_message()) from None


def _stale_message() -> Text:
    return Text(
        zh=(
            "在您打开此评分表之后,它已被修改(可能是在另一个标签页或另一台设备上)。"
            "您的修改没有保存。下面显示的是当前版本:请核对后重新输入您的修改。"
        ),
        en=(
            "Someone else changed this sheet since you opened it (perhaps in another tab or on "
            "another device). Your changes were NOT saved. The current version is shown below: "
            "check it and enter your changes again."
        ),
    )


def _save_sheet(
    session: Session,
    tender_id: int,
    vendor_id: int,
    *,
    evaluator: User,
    version: int,
    values: dict[str, str],
    comments: dict[str, str],
    submit: bool,
    references: Mapping[str, tuple[str, str]] | None = None,
    checked: SheetCriteria | None = None,
) -> SaveOutcome:
    prepared = _prepare_save(
        session,
        tender_id,
        vendor_id,
        evaluator=evaluator,
        version=version,
        values=values,
        comments=comments,
        submit=submit,
        references=references,
        checked=checked,
    )
    if prepared is not None and _write_prepared(session, prepared):
        return SaveOutcome(partial(_stored_sheet, session, prepared.sheet_id), submitted=submit)
    access = _AssignmentAccess()
    with tender_change(
        session,
        tender_id,
        evaluator,
        access=access,
        scope=SheetScope(evaluator.id, vendor_id),  # the save writes this sheet only
    ) as change:
        return _store_sheet(
            change,
            access.assignment,
            vendor_id,
            version=version,
            values=values,
            comments=comments,
            submit=submit,
            references=references,
        )


def _stored_sheet(session: Session, sheet_id: int) -> ScoreSheet:
    sheet = session.get(ScoreSheet, sheet_id)
    assert sheet is not None  # a sheet is deleted only with its vendor or tender
    return sheet


class _AssignmentAccess:
    """The access rule of a save (`evaluated_tender`) that keeps the evaluator's assignment
    it checked, for the checks after it."""

    assignment: Assignment

    def __call__(self, session: Session, tender_id: int, user: User) -> Tender:
        self.assignment = evaluator_assignment(session, tender_id, user)
        return self.assignment.tender


def _store_sheet(
    change: TenderChange,
    assignment: Assignment,
    vendor_id: int,
    *,
    version: int,
    values: dict[str, str],
    comments: dict[str, str],
    submit: bool,
    references: Mapping[str, tuple[str, str]] | None = None,
) -> SaveOutcome:
    """The one save of a sheet, inside an open unit of work (`save_sheet`, `save_criterion`)
    whose access rule found the evaluator's `assignment`.

    Checks, in order: access and conflicts, a submitted sheet, scoring open, the version,
    the values; nothing is changed before every check has passed.
    """
    session, tender, evaluator = change.session, change.tender, change.actor
    assignment, vendor = _sheet_access(session, tender, vendor_id, evaluator, assignment)
    sheet = session.scalar(
        select(ScoreSheet).where(
            ScoreSheet.evaluator_id == evaluator.id, ScoreSheet.vendor_id == vendor.id
        )
    )
    if sheet is not None and sheet.state == SheetState.SUBMITTED:
        if submit:
            return SaveOutcome(lambda: sheet, submitted=True, already_submitted=True)
        raise ServiceError(SUBMITTED_REFUSAL)
    if tender.state != TenderState.OPEN:
        raise ServiceError(CLOSED_REFUSAL)
    current = sheet.version if sheet else 0
    if version != current:
        raise StaleEdit(_stale_message())
    groups = scored_groups(tender, assignment)
    normalised, errors = _check_values(groups, values, comments, submit)
    cited: dict[str, tuple[int | None, str]] = {}
    sent = {k: v for k, v in (references or {}).items() if k in normalised}
    if sent:  # none sent (the sheet offered no documents): nothing to check
        cited, reference_errors = check_references(
            session, tender, vendor.id, evaluator, sent, comments
        )
        errors = {**reference_errors, **errors}
    if errors:
        raise SheetInvalid(errors)
    now = utcnow()
    created = sheet is None
    if sheet is None:
        sheet = ScoreSheet(
            tender_id=tender.id,
            evaluator_id=evaluator.id,
            vendor_id=vendor.id,
            state=SheetState.DRAFT,
            updated_at=now,
            entries=[],
        )
        session.add(sheet)
    rows = {c.key: c for c in tender.criteria}
    entries = {e.criterion.key: e for e in sheet.entries}
    for key, held in _entry_rows(normalised, comments).items():
        entry = entries.get(key)
        if held is None:
            if entry is not None:
                sheet.entries.remove(entry)
            continue
        if entry is None:
            entry = Entry(criterion=rows[key], value=held[0], comment=held[1])
            sheet.entries.append(entry)
        else:
            entry.value, entry.comment = held
        if key in cited:
            entry.document_id, entry.document_page = cited[key]
    if not created:
        sheet.updated_at = now  # always touch the row, so its version moves on
    if submit:
        sheet.state = SheetState.SUBMITTED
        sheet.submitted_at = now
    session.flush()
    change.audit(
        "sheet.submit" if submit else "sheet.save",
        vendor=vendor.name,
        answered=_answered(normalised),
    )
    return SaveOutcome(lambda: sheet, submitted=submit)


def _entry_rows(
    normalised: dict[str, str], comments: dict[str, str]
) -> dict[str, tuple[str, str] | None]:
    """What each checked criterion's entry holds after a save: (value, comment), or None
    where both are empty (no entry; one stored is deleted)."""
    rows: dict[str, tuple[str, str] | None] = {}
    for key, value in normalised.items():
        comment = (comments.get(key) or "").strip()
        rows[key] = None if value == "" and comment == "" else (value, comment)
    return rows


def _answered(normalised: dict[str, str]) -> int:
    """The number of values a saved sheet holds (its audit event's ``answered``)."""
    return sum(1 for v in normalised.values() if v)


@dataclass(frozen=True)
class _PreparedSave:
    """A save of a stored draft read and checked before the write lock (`_prepare_save`):
    the rows to write, what must still hold under the lock, and the audit record's values
    of the sheet before and after (`tender_values` with the save's scope)."""

    tender_id: int
    evaluator_id: int
    vendor_id: int
    assignment: tuple[int, frozenset[int]]  # the assignment's id and group ids
    sheet_id: int
    version: int
    submit: bool
    inserts: list[dict[str, Any]]
    updates: list[dict[str, Any]]
    deletes: list[int]
    before: dict[str, Any]
    after: dict[str, Any]
    vendor: str  # the vendor's name, and the values answered: the audit event's detail
    answered: int


_SHEETS, _ENTRIES = ScoreSheet.__table__, Entry.__table__
_CRITERIA = TenderCriterion.__table__

# The statements of a prepared save, built once: building one costs more than running it.
_SHEET_ENTRIES = select(
    _SHEETS.c.id, _SHEETS.c.version, _SHEETS.c.state,
    _ENTRIES.c.id, _CRITERIA.c.key, _ENTRIES.c.value, _ENTRIES.c.comment,
).select_from(
    _SHEETS.outerjoin(_ENTRIES, _ENTRIES.c.sheet_id == _SHEETS.c.id).outerjoin(
        _CRITERIA, _CRITERIA.c.id == _ENTRIES.c.criterion_id
    )
).where(
    _SHEETS.c.evaluator_id == bindparam("evaluator_id"),
    _SHEETS.c.vendor_id == bindparam("vendor_id"),
)
_CRITERION_IDS = select(_CRITERIA.c.key, _CRITERIA.c.id).where(
    _CRITERIA.c.tender_id == bindparam("tender_id")
)
_GROUPS = assignment_group.c
# The sheet moved on from the version the save read, where the evaluator's assignment is
# still the one it read (the same id, on this tender, with the same groups): the check of
# the assignment under the lock, in the statement that writes (any change to it waits for
# the tender's row, which the save holds).
_MOVE_SHEET = (
    update(_SHEETS)
    .where(
        _SHEETS.c.id == bindparam("sheet_id"),
        _SHEETS.c.version == bindparam("at_version"),
        select(Assignment.id)
        .where(
            Assignment.id == bindparam("assignment_id"),
            Assignment.tender_id == bindparam("assigned_tender"),
            Assignment.user_id == bindparam("assigned_user"),
        )
        .exists(),
        select(func.count())
        .select_from(assignment_group)
        .where(_GROUPS.assignment_id == bindparam("assignment_id"))
        .scalar_subquery()
        == bindparam("group_count"),
        ~select(_GROUPS.group_id)
        .where(
            _GROUPS.assignment_id == bindparam("assignment_id"),
            _GROUPS.group_id.not_in(bindparam("group_ids", expanding=True)),
        )
        .exists(),
    )
    .values(version=bindparam("new_version"), updated_at=bindparam("now"))
)
_SUBMIT_SHEET = _MOVE_SHEET.values(state=SheetState.SUBMITTED, submitted_at=bindparam("now"))
_UPDATE_ENTRY = (
    update(_ENTRIES)
    .where(_ENTRIES.c.id == bindparam("entry_id"))
    .values(value=bindparam("new_value"), comment=bindparam("new_comment"))
)
_DELETE_ENTRIES = delete(_ENTRIES).where(_ENTRIES.c.id.in_(bindparam("ids", expanding=True)))
_INSERT_ENTRY = insert(_ENTRIES)


def _prepare_save(
    session: Session,
    tender_id: int,
    vendor_id: int,
    *,
    evaluator: User,
    version: int,
    values: dict[str, str],
    comments: dict[str, str],
    submit: bool,
    references: Mapping[str, tuple[str, str]] | None,
    checked: SheetCriteria | None,
) -> _PreparedSave | None:
    """`_store_sheet`'s checks and rows, read in the request's read transaction (the
    access checks' rows from `checked` where it is this sheet's); None where the full save
    must answer: any refusal (it gives the answer under the lock), a sheet not stored yet
    or not the draft of `version`, and documents cited (their check reads rows that the
    lock must hold)."""
    facts = checked
    if facts is None or (facts.tender_id, facts.vendor_id, facts.evaluator_id) != (
        tender_id, vendor_id, evaluator.id
    ):
        try:
            facts = sheet_criteria(session, tender_id, vendor_id, evaluator)
        except ServiceError:
            return None
    if facts.state != TenderState.OPEN:
        return None
    rows = session.connection().execute(  # the sheet and its entries, in one statement
        _SHEET_ENTRIES, {"evaluator_id": evaluator.id, "vendor_id": vendor_id}
    ).all()
    if not rows:
        return None
    sheet_id, stored_version, state = rows[0][:3]
    if state != SheetState.DRAFT or stored_version != version:
        return None
    normalised, errors = _check_values(facts.groups, values, comments, submit)
    if errors or any(key in normalised for key in references or {}):
        return None
    stored = {
        key: (entry_id, value, comment)
        for _, _, _, entry_id, key, value, comment in rows
        if entry_id is not None
    }
    username = evaluator.username

    def name(key: str) -> str:
        return entry_key(username, vendor_id, key)

    before: dict[str, Any] = {"state": facts.state}
    before.update({name(k): entry_value(v, c) for k, (_, v, c) in stored.items()})
    after = dict(before)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    deletes: list[int] = []
    for key, held in _entry_rows(normalised, comments).items():
        entry = stored.get(key)
        if held is None:
            if entry is not None:
                deletes.append(entry[0])
                del after[name(key)]
            continue
        after[name(key)] = entry_value(*held)
        if entry is None:
            inserts.append({
                "sheet_id": sheet_id, "key": key, "value": held[0], "comment": held[1],
                "document_id": None, "document_page": "",
            })
        elif (entry[1], entry[2]) != held:  # as the ORM's flush: changed rows only
            updates.append({"entry_id": entry[0], "new_value": held[0], "new_comment": held[1]})
    if inserts:  # new entries: the ids of their criteria
        ids = dict(session.connection().execute(_CRITERION_IDS, {"tender_id": tender_id}).all())
        for row in inserts:
            row["criterion_id"] = ids[row.pop("key")]
    return _PreparedSave(
        tender_id=tender_id,
        evaluator_id=evaluator.id,
        vendor_id=vendor_id,
        assignment=facts.assignment,
        sheet_id=sheet_id,
        version=stored_version,
        submit=submit,
        inserts=inserts,
        updates=updates,
        deletes=deletes,
        before=before,
        after=after,
        vendor=facts.vendor,
        answered=_answered(normalised),
    )


def _write_prepared(session: Session, save: _PreparedSave) -> bool:
    """Write a prepared save in its own unit (`prepared_change`); False, with nothing
    written, when what it was checked against has moved since (the full save answers).

    Under the lock: the tender still open, and — in the UPDATE that moves the sheet on
    (`_MOVE_SHEET`), which writes nothing otherwise — the sheet still at `version` (a
    sheet's entries and state change only with its version) and the evaluator's assignment
    and its groups unchanged (they decide which criteria are checked). The declaration
    needs no second look: it is made once and removed only with an assignment that has no
    sheet."""
    try:
        with prepared_change(
            session,
            save.tender_id,
            save.evaluator_id,
            states=[TenderState.OPEN],
            scope=SheetScope(save.evaluator_id, save.vendor_id),
            before=save.before,
        ) as change:
            connection = session.connection()  # plain statements: no ORM rows
            assignment_id, group_ids = save.assignment
            written = connection.execute(
                _SUBMIT_SHEET if save.submit else _MOVE_SHEET,
                {"sheet_id": save.sheet_id, "at_version": save.version,
                 "new_version": save.version + 1, "now": utcnow(),
                 "assignment_id": assignment_id, "assigned_tender": save.tender_id,
                 "assigned_user": save.evaluator_id, "group_count": len(group_ids),
                 "group_ids": sorted(group_ids)},
            )
            if written.rowcount != 1:
                raise Unprepared
            if save.deletes:
                connection.execute(_DELETE_ENTRIES, {"ids": save.deletes})
            if save.updates:
                connection.execute(_UPDATE_ENTRY, save.updates)
            if save.inserts:
                connection.execute(_INSERT_ENTRY, save.inserts)
            change.after = save.after
            change.audit(
                "sheet.submit" if save.submit else "sheet.save",
                vendor=save.vendor,
                answered=save.answered,
            )
    except Unprepared:
        return False
    return True


@dataclass(frozen=True)
class CriterionRow:
    """One vendor on the by-criterion page: the evaluator's own value and comment there."""

    vendor_id: int
    vendor: str
    state: str  # missing | draft | submitted
    version: int
    value: str
    comment: str
    editable: bool


@dataclass(frozen=True)
class CriterionPage:
    """One criterion across the evaluator's vendors (those without a declared conflict)."""

    tender: TenderHeading
    group: Group
    criterion: Criterion
    rows: tuple[CriterionRow, ...]
    conflicts: tuple[str, ...]  # vendor names declared, not scored here
    criteria: tuple[tuple[str, Text], ...]  # every criterion the evaluator scores (id, title)

    @property
    def editable(self) -> bool:
        return any(row.editable for row in self.rows)

    def neighbours(self) -> tuple[str | None, str | None]:
        """The criterion ids before and after this one (None at either end)."""
        ids = [key for key, _ in self.criteria]
        at = ids.index(self.criterion.id)
        return (ids[at - 1] if at > 0 else None, ids[at + 1] if at + 1 < len(ids) else None)


@dataclass(frozen=True)
class CriterionInput:
    """What the by-criterion form sent for one vendor: the version it was loaded with."""

    version: int
    value: str
    comment: str


class CriterionInvalid(ServiceError):
    """Some vendors' values are wrong; `fields` maps vendor id -> message."""

    def __init__(self, fields: dict[int, Text]) -> None:
        super().__init__(
            Text(
                zh="未保存任何内容:请更正下面标出的投标人。",
                en="Nothing was saved: please correct the vendors marked below.",
            )
        )
        self.fields = fields


def _scored_criterion(
    groups: list[SheetGroup], criterion_id: str
) -> tuple[Group, Criterion]:
    for sheet_group in groups:
        for criterion in sheet_group.criteria:
            if criterion.id == criterion_id:
                return sheet_group.group, criterion
    raise NotFound(
        Text(zh="您不负责此评分项。", en="You do not score this criterion.")
    )


def criterion_page(
    session: Session, tender_id: int, criterion_id: str, user: User
) -> CriterionPage:
    """The evaluator's own values of one criterion for each vendor they score.

    NotFound unless the evaluator scores `criterion_id`; Forbidden before the declaration.
    """
    assignment = evaluator_assignment(session, tender_id, user)
    tender = assignment.tender
    conflicted = _declared_conflicts(session, tender_id, user)
    groups = scored_groups(tender, assignment)
    group, criterion = _scored_criterion(groups, criterion_id)
    sheets = _own_sheets(session, tender, user)
    rows = []
    for vendor in tender.vendors:
        if vendor.id in conflicted:
            continue
        sheet = sheets.get(vendor.id)
        entry = next(
            (e for e in sheet.entries if e.criterion.key == criterion.id), None
        ) if sheet else None
        rows.append(
            CriterionRow(
                vendor.id,
                vendor.name,
                sheet.state if sheet else "missing",
                sheet.version if sheet else 0,
                entry.value if entry else "",
                entry.comment if entry else "",
                tender.state == TenderState.OPEN
                and (sheet is None or sheet.state == SheetState.DRAFT),
            )
        )
    return CriterionPage(
        tender=tender_heading(tender),
        group=group,
        criterion=criterion,
        rows=tuple(rows),
        conflicts=tuple(v.name for v in tender.vendors if v.id in conflicted),
        criteria=tuple((c.id, c.title) for g in groups for c in g.criteria),
    )


def save_criterion(
    session: Session,
    tender_id: int,
    criterion_id: str,
    *,
    evaluator: User,
    inputs: dict[int, CriterionInput],
) -> int:
    """Save one criterion's value and comment on several of the evaluator's draft sheets.

    `inputs` maps vendor id -> what was sent. Each sheet whose value or comment changed is
    saved by the very save of the per-vendor sheet (`save_sheet` as a draft, with the
    sheet's other entries as stored), so both pages store the same rows and audit events.
    All or nothing: StaleEdit when any of those sheets was saved since the page was loaded,
    CriterionInvalid (a message per vendor) for bad values or a submitted sheet, Forbidden
    for a vendor the evaluator declared a conflict with. Returns the number of sheets saved.
    """
    try:
        return _save_criterion(
            session, tender_id, criterion_id, evaluator=evaluator, inputs=inputs
        )
    except (StaleDataError, IntegrityError, Conflict):
        # Another request saved one of these sheets between our read and our write.
        session.rollback()
        raise StaleEdit(_stale_criterion_message()) from None


def _stale_criterion_message() -> Text:
    return Text(
        zh=(
            "在您打开此页之后,其中一份评分表已被修改(可能是在另一个标签页或另一台设备上)。"
            "您的修改没有保存。下面显示的是当前版本:请核对后重新输入您的修改。"
        ),
        en=(
            "One of these sheets was changed since you opened this page (perhaps in another tab "
            "or on another device). Your changes were NOT saved. The current values are shown "
            "below: check them and enter your changes again."
        ),
    )


def _save_criterion(
    session: Session,
    tender_id: int,
    criterion_id: str,
    *,
    evaluator: User,
    inputs: dict[int, CriterionInput],
) -> int:
    access = _AssignmentAccess()
    with tender_change(
        session,
        tender_id,
        evaluator,
        access=access,
        scope=SheetScope(evaluator.id),  # the evaluator's own sheets, any vendor
    ) as change:
        tender, assignment = change.tender, access.assignment
        _, criterion = _scored_criterion(scored_groups(tender, assignment), criterion_id)
        if tender.state != TenderState.OPEN:
            raise ServiceError(CLOSED_REFUSAL)
        sheets = _own_sheets(session, tender, evaluator)
        errors: dict[int, Text] = {}
        stale = False
        saved = 0
        for vendor_id, given in inputs.items():
            sheet = sheets.get(vendor_id)
            values = {e.criterion.key: e.value for e in sheet.entries} if sheet else {}
            comments = {e.criterion.key: e.comment for e in sheet.entries} if sheet else {}
            sent = ((given.value or "").strip(), (given.comment or "").strip())
            if sent == (values.get(criterion.id, ""), comments.get(criterion.id, "")):
                continue  # unchanged: the sheet is left as it is, its version too
            values[criterion.id], comments[criterion.id] = given.value, given.comment
            try:
                _store_sheet(
                    change,
                    assignment,
                    vendor_id,
                    version=given.version,
                    values=values,
                    comments=comments,
                    submit=False,
                )
            except (NotFound, Forbidden):
                raise
            except StaleEdit:
                stale = True
            except SheetInvalid as error:
                errors[vendor_id] = error.fields.get(criterion.id) or error.message
            except ServiceError as error:  # a submitted sheet
                errors[vendor_id] = error.message
            else:
                saved += 1
        if stale:
            raise StaleEdit(_stale_criterion_message())
        if errors:
            raise CriterionInvalid(errors)
    return saved


def import_submitted_sheets(
    session: Session, tender_id: int, *, actor: User, entries: list[ScoreEntryLike]
) -> int:
    """Store sheets typed in from a scores table (e.g. paper sheets) as submitted.

    `entries` are scoring-model entries (evaluator = username), already read and checked by
    `selector.files.readers.read_scores_table`. All or nothing: every evaluator must be on the
    committee and have declared, every vendor known and not conflicted, every criterion in
    the evaluator's groups, and no sheet may exist yet. Returns the number of sheets stored.
    """
    with tender_change(
        session,
        tender_id,
        actor,
        states=[TenderState.OPEN],
        refusal=Text(
            zh="只有在评分开放期间才能导入评分表。",
            en="Sheets can only be imported while scoring is open.",
        ),
    ) as change:
        tender = change.tender
        assignments = {a.user.username: a for a in tender.assignments}
        declarations = {d.user_id: d for d in tender.declarations}
        vendors = {v.name: v for v in tender.vendors}
        criteria = {c.key: c for c in tender.criteria}
        existing = {
            (s.evaluator_id, s.vendor_id)
            for s in session.scalars(select(ScoreSheet).where(ScoreSheet.tender_id == tender.id))
        }
        problems: list[Text] = []
        grouped: dict[tuple[int, int], list[ScoreEntryLike]] = {}
        allowed: dict[int, set[str]] = {}
        for entry in entries:
            assignment = assignments.get(entry.evaluator)
            vendor = vendors.get(entry.vendor)
            if assignment is None:
                problems.append(
                    Text(
                        zh=f"{entry.evaluator}:不在本项目的评审委员会中",
                        en=f"{entry.evaluator}: not on this tender's committee",
                    )
                )
                continue
            if vendor is None:
                problems.append(
                    Text(
                        zh=f"{entry.vendor}:不是本项目的投标人",
                        en=f"{entry.vendor}: not a vendor of this tender",
                    )
                )
                continue
            declaration = declarations.get(assignment.user_id)
            if declaration is None:
                problems.append(
                    Text(
                        zh=f"{entry.evaluator}:尚未提交利益冲突声明",
                        en=f"{entry.evaluator}: has not declared conflicts of interest",
                    )
                )
                continue
            if any(v.id == vendor.id for v in declaration.vendors):
                problems.append(
                    Text(
                        zh=f"{entry.evaluator}:已声明与 {entry.vendor} 存在利益冲突",
                        en=f"{entry.evaluator}: declared a conflict with {entry.vendor}",
                    )
                )
                continue
            if assignment.user_id not in allowed:
                allowed[assignment.user_id] = {
                    c.id for g in scored_groups(tender, assignment) for c in g.criteria
                }
            if entry.criterion not in allowed[assignment.user_id]:
                problems.append(
                    Text(
                        zh=f"{entry.evaluator}:不负责评分项 {entry.criterion}",
                        en=f"{entry.evaluator}: does not score criterion {entry.criterion}",
                    )
                )
                continue
            key = (assignment.user_id, vendor.id)
            if key in existing:
                problems.append(
                    Text(
                        zh=f"{entry.evaluator}:已有 {entry.vendor} 的评分表",
                        en=f"{entry.evaluator}: already has a sheet for {entry.vendor}",
                    )
                )
                continue
            grouped.setdefault(key, []).append(entry)
        if problems:
            raise ServiceError(
                Text(zh="未导入任何内容:", en="Nothing was imported:"),
                problems=sorted(set(problems), key=lambda t: t.en)[:MAX_PROBLEMS],
            )
        now = utcnow()
        for (user_id, vendor_id), items in grouped.items():
            sheet = ScoreSheet(
                tender_id=tender.id,
                evaluator_id=user_id,
                vendor_id=vendor_id,
                state=SheetState.SUBMITTED,
                submitted_at=now,
                updated_at=now,
            )
            sheet.entries = [
                Entry(
                    criterion=criteria[e.criterion],
                    value=typed.as_text(e.value),
                    comment=(e.comment or "")[:MAX_TEXT],
                )
                for e in items
            ]
            session.add(sheet)
        change.audit("sheets.import", sheets=len(grouped), entries=len(entries))
    return len(grouped)
