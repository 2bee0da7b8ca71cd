"""Setting up a tender: create it on a template, its settings, vendors, bids, exchange rates
and the committee (who scores which groups). Everything here is the chair's, and most of it
only while the tender is a draft (see `selector.services.lifecycle` for the state machine).
"""

from __future__ import annotations

from decimal import Decimal
from typing import IO

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from selector.files.readers import InputError, read_bids_table, read_table
from selector.files.workbook import BIDS, exported_sheet
from selector.scoring import values
from selector.scoring.limits import (
    CURRENCY_RE,
    MAX_NAME,
    MAX_PERCENT,
    MAX_RATE,
    MIN_PERCENT,
    MIN_RATE,
    PERCENT_PLACES,
    RATE_PLACES,
    UPLOAD_TABLE,
    decimal_places,
)
from selector.scoring.model import METHODS, Template, Text
from selector.scoring.numbers import plain
from selector.services import (
    Forbidden,
    NotFound,
    ServiceError,
    audit,
    documents,
    refuse_control_characters,
    written,
)
from selector.services.access import NO_VENDOR, prices_opened
from selector.services.lifecycle import SETUP_LOCKED, setup_unlocked
from selector.services.templates import template_from_snapshot, template_json, template_of
from selector.services.uow import tender_change
from selector.store.audit import changes, tender_values
from selector.store.blobs import BlobStore
from selector.store.db import write_transaction
from selector.store.models import (
    UNFINALISED,
    Assignment,
    Bid,
    ConflictDeclaration,
    ExchangeRate,
    ScoreSheet,
    Tender,
    TenderCriterion,
    TenderGroup,
    TenderState,
    User,
    Vendor,
)

#: Bids and rates may change in every state but finalised (`UNFINALISED`; sealed until
#: the envelope is opened; after it, only with a reason and a confirmation:
#: `_opened_price_change`); the refusal otherwise:
FINALISED = Text(
    zh="该项目已定稿:如需修改,请先(填写理由后)重新开放。",
    en="This tender is finalised: reopen it (with a reason) before changing it.",
)


def _name(value: str, field_name: str, label: Text) -> str:
    return written(
        value,
        field=field_name,
        what=label,
        missing=Text(zh=f"{label.zh}为必填项。", en=f"{label.en} is required."),
        limit=MAX_NAME,
        multiline=False,
    )


def _organisation(value: str) -> str:
    label = Text(zh="组织名称", en="The organisation")
    return refuse_control_characters((value or "").strip(), field="organisation", label=label)[
        :MAX_NAME
    ]


def _currency(code: str, field_name: str = "currency") -> str:
    code = (code or "").strip().upper()
    if not CURRENCY_RE.match(code):
        raise ServiceError(
            Text(
                zh="请使用三个字母的币种代码,例如 CNY、USD 或 EUR。",
                en="Use a three-letter currency code such as CNY, USD or EUR.",
            ),
            field=field_name,
        )
    return code


def _fraction(value: Decimal, field_name: str) -> Decimal:
    """A percentage threshold as the fraction stored (1 % to 100 %, 2 decimal places)."""
    percent = value * 100 if value.is_finite() else value
    if (
        not value.is_finite()
        or not MIN_PERCENT <= percent <= MAX_PERCENT
        or decimal_places(percent) > PERCENT_PLACES
    ):
        raise ServiceError(
            Text(
                zh=f"请输入 {plain(MIN_PERCENT)} 到 {plain(MAX_PERCENT)} 之间的百分比,"
                f"最多 {PERCENT_PLACES} 位小数。",
                en=f"Enter a percentage from {plain(MIN_PERCENT)} to {plain(MAX_PERCENT)}, "
                f"with at most {PERCENT_PLACES} decimal places.",
            ),
            field=field_name,
        )
    return value


def _method(method: str) -> str:
    if method not in METHODS:
        raise ServiceError(
            Text(zh="请选择平均值、截尾平均值或中位数。", en="Choose mean, trimmed or median."),
            field="method",
        )
    return method


def _build_structure(tender: Tender, template: Template, session: Session | None = None) -> None:
    """(Re)create the tender's group and criterion rows from its template."""
    if session is not None and tender.id is not None:
        # Criteria first: they refer to their groups.
        session.execute(delete(TenderCriterion).where(TenderCriterion.tender_id == tender.id))
        session.execute(delete(TenderGroup).where(TenderGroup.tender_id == tender.id))
        session.expire(tender, ["criteria", "groups"])
    position = 0
    for g_index, group in enumerate(template.groups):
        row = TenderGroup(
            key=group.id,
            position=g_index,
            weight=group.weight,
            title_zh=group.title.zh[:500],
            title_en=group.title.en[:500],
            scored_by_evaluators=any(c.is_scored_by_evaluators for c in group.criteria),
        )
        tender.groups.append(row)
        for criterion in group.criteria:
            tender.criteria.append(
                TenderCriterion(
                    key=criterion.id,
                    kind=criterion.kind,
                    max_points=criterion.max,
                    position=position,
                    group=row,
                )
            )
            position += 1


def create_tender(
    session: Session,
    *,
    chair: User,
    name: str,
    organisation: str,
    template_yaml: str,
    template_source: str,
    base_currency: str | None,
    method: str,
    divergence_threshold: Decimal,
    low_bid_threshold: Decimal,
) -> Tender:
    """Create a draft tender on a snapshot of a template. Raises ServiceError naming the field."""
    if chair.role != "chair":
        raise Forbidden(
            Text(zh="只有评审主任可以创建项目。", en="Only a chair may create tenders.")
        )
    name = _name(name, "name", Text(zh="项目名称", en="The tender name"))
    organisation = _organisation(organisation)
    template = template_from_snapshot(template_yaml, template_source)
    currency = _currency(base_currency or template.currency, "base_currency")
    with write_transaction(session):
        tender = Tender(
            name=name,
            organisation=organisation,
            template_key=template.id,
            template_source=template_source[:255],
            template_yaml=template_yaml,
            template_json=template_json(template),
            state=TenderState.DRAFT,
            base_currency=currency,
            method=_method(method),
            divergence_threshold=_fraction(divergence_threshold, "divergence_percent"),
            low_bid_threshold=_fraction(low_bid_threshold, "low_bid_percent"),
            chair_id=chair.id,
        )
        _build_structure(tender, template)
        session.add(tender)
        session.flush()
        audit(
            session,
            "tender.create",
            actor=chair,
            tender=tender,
            name=name,
            template=template.id,
            source=template_source,
            changes=changes({}, tender_values(session, tender.id)),
        )
    return tender


def update_settings(
    session: Session,
    tender_id: int,
    *,
    actor: User,
    name: str,
    organisation: str,
    base_currency: str,
    method: str,
    divergence_threshold: Decimal,
    low_bid_threshold: Decimal,
) -> Tender:
    """Change a tender's name and scoring settings: while it is a draft, or while scoring
    is open again after a reopening with a reason (`lifecycle.setup_unlocked`)."""
    name = _name(name, "name", Text(zh="项目名称", en="The tender name"))
    currency = _currency(base_currency, "base_currency")
    method = _method(method)
    divergence = _fraction(divergence_threshold, "divergence_percent")
    low_bid = _fraction(low_bid_threshold, "low_bid_percent")
    with tender_change(session, tender_id, actor, states=UNFINALISED, refusal=FINALISED) as change:
        tender = change.tender
        _require_unlocked(session, tender)
        if currency != tender.base_currency and tender.state != TenderState.DRAFT:
            raise ServiceError(
                Text(
                    zh="只有在草稿阶段才能修改基准货币。",
                    en="The base currency can only change while the tender is a draft.",
                ),
                field="base_currency",
            )
        before = {
            "name": tender.name,
            "base_currency": tender.base_currency,
            "method": tender.method,
            "divergence": str(tender.divergence_threshold),
            "low_bid": str(tender.low_bid_threshold),
        }
        tender.name = name
        tender.organisation = _organisation(organisation)
        tender.base_currency = currency
        tender.method = method
        tender.divergence_threshold = divergence
        tender.low_bid_threshold = low_bid
        session.execute(
            delete(ExchangeRate).where(
                ExchangeRate.tender_id == tender.id, ExchangeRate.currency == currency
            )
        )
        change.audit(
            "tender.settings",
            before=before,
            after={
                "name": name,
                "base_currency": currency,
                "method": method,
                "divergence": str(divergence),
                "low_bid": str(low_bid),
            },
        )
    return tender


def replace_template(
    session: Session, tender_id: int, *, actor: User, template_yaml: str, template_source: str
) -> Tender:
    """Put a tender on another template (draft only; bids and assignments are cleared)."""
    template = template_from_snapshot(template_yaml, template_source)
    with tender_change(
        session,
        tender_id,
        actor,
        states=[TenderState.DRAFT],
        refusal=Text(
            zh="只有在草稿阶段才能替换模板。",
            en="The template can only be replaced while the tender is a draft.",
        ),
    ) as change:
        tender = change.tender
        for vendor in tender.vendors:
            vendor.bids.clear()
        tender.assignments.clear()
        session.flush()
        tender.template_key = template.id
        tender.template_source = template_source[:255]
        tender.template_yaml = template_yaml
        tender.template_json = template_json(template)
        _build_structure(tender, template, session)
        change.audit("tender.template", template=template.id, source=template_source)
    return tender


def add_vendor(session: Session, tender_id: int, *, actor: User, name: str) -> Vendor:
    """Add a bidding vendor (draft only: the field is fixed once scoring opens)."""
    name = _name(name, "name", Text(zh="投标人名称", en="The vendor name"))
    with tender_change(
        session,
        tender_id,
        actor,
        states=[TenderState.DRAFT],
        refusal=Text(
            zh="只有在草稿阶段才能添加投标人。",
            en="Vendors can only be added while the tender is a draft.",
        ),
    ) as change:
        tender = change.tender
        vendor = _new_vendor(tender, name)
        session.flush()
        change.audit("vendor.add", vendor=name)
    return vendor


def _new_vendor(tender: Tender, name: str) -> Vendor:
    if any(v.name.casefold() == name.casefold() for v in tender.vendors):
        raise ServiceError(
            Text(
                zh=f"本项目中已有名为“{name}”的投标人。",
                en=f"There is already a vendor called '{name}' in this tender.",
            ),
            field="name",
        )
    vendor = Vendor(name=name, position=len(tender.vendors))
    tender.vendors.append(vendor)
    return vendor


def remove_vendor(
    session: Session, tender_id: int, vendor_id: int, *, actor: User, store: BlobStore
) -> str:
    """Remove a vendor with its bids and its documents (draft only): each document is
    audited as deleted, and its file removed unless another document has the same bytes."""
    with tender_change(
        session,
        tender_id,
        actor,
        states=[TenderState.DRAFT],
        refusal=Text(
            zh="只有在草稿阶段才能删除投标人。",
            en="Vendors can only be removed while the tender is a draft.",
        ),
    ) as change:
        tender = change.tender
        vendor = vendor_of(tender, vendor_id)
        filed = [document for document in tender.documents if document.vendor_id == vendor.id]
        for document in filed:
            tender.documents.remove(document)
            change.audit(
                "document.delete",
                vendor=vendor.name,
                file=document.name,
                envelope=document.envelope,
                sha256=document.sha256,
            )
        tender.vendors.remove(vendor)
        change.audit("vendor.remove", vendor=vendor.name)
    documents.discard_unused(session, store, [document.sha256 for document in filed])
    return vendor.name


def vendor_of(tender: Tender, vendor_id: int) -> Vendor:
    for vendor in tender.vendors:
        if vendor.id == vendor_id:
            return vendor
    raise NotFound(NO_VENDOR, field="vendor")


def criterion_of(tender: Tender, key: str, *, field_name: str = "criterion") -> TenderCriterion:
    for criterion in tender.criteria:
        if criterion.key == key:
            return criterion
    raise ServiceError(
        Text(zh=f"“{key}”不是本项目的评分项。", en=f"'{key}' is not a criterion of this tender."),
        field=field_name,
    )


def _require_unlocked(session: Session, tender: Tender) -> None:
    """Refuse a change of settings or committee once scoring has opened (unless reopened)."""
    if not setup_unlocked(session, tender):
        raise ServiceError(SETUP_LOCKED)


def _opened_price_change(tender: Tender, reason: str | None, confirmed: bool) -> str:
    """The written reason for changing a bid or rate of an opened envelope ("" while it is
    sealed): after opening, a change needs a reason and a confirmation."""
    if not prices_opened(tender):
        return ""
    reason = written(
        reason,
        field="reason",
        what=Text(zh="理由", en="The reason"),
        missing=Text(
            zh="报价信封已开启,报价已锁定:请写明修改理由。理由会与结果一同显示并写入报告。",
            en="The price envelope is open and the bids are locked: write why this changes. "
            "The reason is shown with the results and in the report.",
        ),
    )
    if not confirmed:
        raise ServiceError(
            Text(
                zh="请勾选确认:修改已开启的报价会改变结果,并记入记录。",
                en="Tick the confirmation: changing an opened bid changes the result and is "
                "kept in the record.",
            ),
            field="confirm",
        )
    return reason


def _amount(amount: Decimal) -> Decimal:
    problem = values.amount_problem(amount)
    if problem is not None:
        raise ServiceError(problem, field="amount")
    return amount


def set_bid(
    session: Session,
    tender_id: int,
    *,
    actor: User,
    vendor_id: int,
    component: str,
    amount: Decimal,
    currency: str | None,
    reason: str | None = None,
    confirmed: bool = False,
) -> Bid:
    """Record (or correct) a vendor's amount for one price criterion.

    Before the price envelope is opened the amount is sealed (entered, seen by no one);
    after it, a change needs a written `reason` and `confirmed` (audited as ``bid.change``,
    with the amount before and after, and shown with the results and in the report).
    """
    amount = _amount(amount)
    with tender_change(session, tender_id, actor, states=UNFINALISED, refusal=FINALISED) as change:
        tender = change.tender
        reason = _opened_price_change(tender, reason, confirmed)
        vendor = vendor_of(tender, vendor_id)
        criterion = criterion_of(tender, component, field_name="component")
        if not criterion.is_price:
            raise ServiceError(
                Text(
                    zh=f"“{component}”不是成本组成项。",
                    en=f"'{component}' is not a cost component.",
                ),
                field="component",
            )
        code = _currency(currency or tender.base_currency)
        if code != tender.base_currency and code not in {r.currency for r in tender.rates}:
            raise ServiceError(
                Text(
                    zh=f"没有 {code} 的汇率:请先添加汇率。",
                    en=f"There is no exchange rate for {code}: add the rate first.",
                ),
                field="currency",
            )
        bid = next((b for b in vendor.bids if b.criterion_id == criterion.id), None)
        before = None if bid is None else f"{bid.amount} {bid.currency}"
        if bid is None:
            bid = Bid(criterion=criterion, amount=amount, currency=code)
            vendor.bids.append(bid)
        else:
            bid.amount, bid.currency = amount, code
        detail = {"reason": reason} if reason else {}
        change.audit(
            "bid.change" if reason else "bid.set",
            vendor=vendor.name,
            component=component,
            amount=str(amount),
            currency=code,
            before=before,
            **detail,
        )
    return bid


def remove_bid(session: Session, tender_id: int, bid_id: int, *, actor: User) -> None:
    """Delete one bid amount."""
    with tender_change(
        session,
        tender_id,
        actor,
        states=[TenderState.DRAFT],
        refusal=Text(
            zh="只有在草稿阶段才能删除报价;请改为更正报价。",
            en="A bid can only be removed while the tender is a draft; correct it instead.",
        ),
    ) as change:
        tender = change.tender
        bid = session.get(Bid, bid_id)
        if bid is None or bid.vendor.tender_id != tender.id:
            raise NotFound(
                Text(zh="本项目中没有该报价。", en="There is no such bid in this tender.")
            )
        change.audit(
            "bid.remove",
            vendor=bid.vendor.name,
            component=bid.criterion.key,
            amount=str(bid.amount),
            currency=bid.currency,
        )
        bid.vendor.bids.remove(bid)


def upload_bids(
    session: Session, tender_id: int, *, actor: User, stream: IO[bytes], filename: str
) -> int:
    """Read a bids table (`vendor,component,amount[,currency]`, CSV or Excel) into the tender.
    A workbook that `selector export` wrote is read from its Bids sheet (报价 in Chinese).

    All or nothing: any bad row and nothing is saved; ServiceError lists every problem as
    `file:line: column: value: message`. Unknown vendors are added while the tender is a
    draft. Returns the number of bids read.
    """
    def refused(error: InputError) -> ServiceError:
        return ServiceError(
            Text(
                zh="未保存任何内容:文件有问题。请修正以下各行后重新上传:",
                en="Nothing was saved: the file has problems. Fix these rows and upload it again:",
            ),
            field="bids_file",
            problems=error.texts,
        )

    # Read within the upload's limits before the transaction, which holds the tender's lock.
    try:
        table = exported_sheet(stream, BIDS, filename, UPLOAD_TABLE) or read_table(
            stream, filename, limits=UPLOAD_TABLE
        )
    except InputError as error:
        raise refused(error) from None
    with tender_change(session, tender_id, actor, states=UNFINALISED, refusal=FINALISED) as change:
        tender = change.tender
        if prices_opened(tender):
            raise ServiceError(
                Text(
                    zh="报价信封已开启,报价已锁定:请逐条修改报价并写明理由,不能再上传报价表。",
                    en="The price envelope is open and the bids are locked: correct a bid one "
                    "at a time, with a reason, instead of uploading a table.",
                ),
            )
        template = template_of(tender)
        rates = {r.currency: r.rate for r in tender.rates}
        try:
            bids = read_bids_table(
                table, template, base=tender.base_currency, rates=rates, source_name=filename
            )
        except InputError as error:
            raise refused(error) from None
        if not bids:
            raise ServiceError(
                Text(zh="文件中没有报价。", en="The file has no bids in it."), field="bids_file"
            )
        vendors = {v.name.casefold(): v for v in tender.vendors}
        unknown = sorted({b.vendor for b in bids if b.vendor.casefold() not in vendors})
        if unknown and tender.state != TenderState.DRAFT:
            names = ", ".join(unknown)
            raise ServiceError(
                Text(
                    zh=f"未保存任何内容:以下投标人不在本项目中,而投标人只能在草稿阶段添加:{names}",
                    en=(
                        "Nothing was saved: these vendors are not in the tender, and vendors can "
                        f"only be added while it is a draft: {names}"
                    ),
                ),
                field="bids_file",
            )
        for name in unknown:
            refuse_control_characters(
                name, field="bids_file", label=Text(zh="投标人名称", en="A vendor name")
            )
            if len(name) > MAX_NAME:
                raise ServiceError(
                    Text(
                        zh=f"未保存任何内容:有投标人名称超过 {MAX_NAME} 个字符。",
                        en=(
                            f"Nothing was saved: a vendor name is longer than {MAX_NAME} "
                            "characters."
                        ),
                    ),
                    field="bids_file",
                )
            vendors[name.casefold()] = _new_vendor(tender, name)
        session.flush()
        criteria = {c.key: c for c in tender.criteria}
        for item in bids:
            vendor = vendors[item.vendor.casefold()]
            criterion = criteria[item.component]
            existing = next((b for b in vendor.bids if b.criterion_id == criterion.id), None)
            if existing is None:
                vendor.bids.append(
                    Bid(criterion=criterion, amount=item.amount, currency=item.currency)
                )
            else:
                existing.amount, existing.currency = item.amount, item.currency
        change.audit("bids.upload", file=filename[:255], bids=len(bids), new_vendors=unknown)
    return len(bids)


def set_rate(
    session: Session,
    tender_id: int,
    *,
    actor: User,
    currency: str,
    rate: Decimal,
    reason: str | None = None,
    confirmed: bool = False,
) -> None:
    """Set the exchange rate of a currency: 1 unit = `rate` units of the base currency.

    Sealed with the bids; after the envelope is opened, a change needs a written `reason`
    and `confirmed` (audited as ``rate.change``)."""
    code = _currency(currency)
    if (
        not rate.is_finite()
        or not MIN_RATE <= rate <= MAX_RATE
        or decimal_places(rate) > RATE_PLACES
    ):
        raise ServiceError(
            Text(
                zh=f"请输入 {plain(MIN_RATE)} 到 {plain(MAX_RATE)} 之间的汇率,"
                f"最多 {RATE_PLACES} 位小数。",
                en=f"Enter a rate from {plain(MIN_RATE)} to {plain(MAX_RATE)}, with at most "
                f"{RATE_PLACES} decimal places.",
            ),
            field="rate",
        )
    if rate > MAX_RATE:
        raise ServiceError(
            Text(
                zh=f"汇率过大:最多为 {plain(MAX_RATE)}。",
                en=f"The rate is too large: at most {plain(MAX_RATE)}.",
            ),
            field="rate",
        )
    with tender_change(session, tender_id, actor, states=UNFINALISED, refusal=FINALISED) as change:
        tender = change.tender
        reason = _opened_price_change(tender, reason, confirmed)
        if code == tender.base_currency:
            raise ServiceError(
                Text(
                    zh=f"{code} 是基准货币,其汇率始终为 1。",
                    en=f"{code} is the base currency: its rate is always 1.",
                ),
                field="currency",
            )
        row = next((r for r in tender.rates if r.currency == code), None)
        before = None if row is None else str(row.rate)
        if row is None:
            tender.rates.append(ExchangeRate(currency=code, rate=rate))
        else:
            row.rate = rate
        detail = {"reason": reason} if reason else {}
        change.audit(
            "rate.change" if reason else "rate.set",
            currency=code,
            rate=str(rate),
            before=before,
            **detail,
        )


def remove_rate(session: Session, tender_id: int, currency: str, *, actor: User) -> None:
    """Remove an exchange rate that no bid uses."""
    with tender_change(session, tender_id, actor, states=UNFINALISED, refusal=FINALISED) as change:
        tender = change.tender
        row = next((r for r in tender.rates if r.currency == currency), None)
        if row is None:
            raise NotFound(Text(zh="该币种没有汇率。", en="There is no rate for that currency."))
        if prices_opened(tender):
            raise ServiceError(
                Text(
                    zh="报价信封已开启,汇率已锁定:请更正汇率(写明理由),而不是删除它。",
                    en="The price envelope is open and the rates are locked: correct the rate "
                    "(with a reason) instead of removing it.",
                )
            )
        if any(b.currency == currency for v in tender.vendors for b in v.bids):
            raise ServiceError(
                Text(
                    zh=f"仍有报价以 {currency} 计价:请先修改这些报价,再删除该汇率。",
                    en=f"Bids are given in {currency}: change them before removing its rate.",
                )
            )
        tender.rates.remove(row)
        change.audit("rate.remove", currency=currency)


def assign_evaluator(
    session: Session,
    tender_id: int,
    *,
    actor: User,
    user_id: int,
    group_keys: list[str],
    can_see_prices: bool,
) -> Assignment:
    """Put an evaluator on the committee (or change which groups they score).

    No groups means every group that evaluators score. Allowed while the tender is a draft,
    or while scoring is open again after a reopening (`lifecycle.setup_unlocked`).
    """
    with tender_change(
        session,
        tender_id,
        actor,
        states=[TenderState.DRAFT, TenderState.OPEN],
        refusal=Text(
            zh="只能在评分关闭之前指派评委。",
            en="Evaluators can only be assigned before scoring is closed.",
        ),
    ) as change:
        tender = change.tender
        _require_unlocked(session, tender)
        evaluator = session.get(User, user_id)
        if evaluator is None or evaluator.role != "evaluator" or not evaluator.active:
            raise ServiceError(
                Text(zh="请选择一名在用的评委。", en="Choose an active evaluator."),
                field="evaluator",
            )
        groups = {g.key: g for g in tender.groups if g.scored_by_evaluators}
        unknown = [k for k in group_keys if k not in groups]
        if unknown:
            raise ServiceError(
                Text(
                    zh="请选择本项目中由评委评分的分组。",
                    en="Choose groups of this tender that evaluators score.",
                ),
                field="groups",
            )
        assignment = next((a for a in tender.assignments if a.user_id == user_id), None)
        if assignment is None:
            assignment = Assignment(user=evaluator)
            tender.assignments.append(assignment)
        assignment.can_see_prices = bool(can_see_prices)
        assignment.groups = [groups[k] for k in group_keys]
        change.audit(
            "assignment.set",
            evaluator=evaluator.username,
            groups=group_keys or "all",
            can_see_prices=bool(can_see_prices),
        )
    return assignment


def remove_assignment(session: Session, tender_id: int, assignment_id: int, *, actor: User) -> None:
    """Take an evaluator off the committee: in draft, or while open if they saved no sheet."""
    with tender_change(session, tender_id, actor) as change:
        tender = change.tender
        assignment = next((a for a in tender.assignments if a.id == assignment_id), None)
        if assignment is None:
            raise NotFound(
                Text(
                    zh="本项目中没有该评委指派。", en="There is no such assignment in this tender."
                )
            )
        change.require_state(
            [TenderState.DRAFT, TenderState.OPEN],
            Text(
                zh="只能在评分关闭之前移除评委。",
                en="Evaluators can only be removed before scoring is closed.",
            ),
        )
        _require_unlocked(session, tender)
        has_sheets = session.scalar(
            select(ScoreSheet.id)
            .where(ScoreSheet.tender_id == tender.id, ScoreSheet.evaluator_id == assignment.user_id)
            .limit(1)
        )
        if has_sheets:
            raise ServiceError(
                Text(
                    zh=f"{assignment.user.display_name} 已保存评分表,不能移出评审委员会。",
                    en=(
                        f"{assignment.user.display_name} has already saved score sheets and cannot "
                        "be removed."
                    ),
                )
            )
        session.execute(
            delete(ConflictDeclaration).where(
                ConflictDeclaration.tender_id == tender.id,
                ConflictDeclaration.user_id == assignment.user_id,
            )
        )
        change.audit("assignment.remove", evaluator=assignment.user.username)
        tender.assignments.remove(assignment)
