"""Bid documents: what each vendor submitted, beside the score.

The chair uploads each vendor's files (PDF, Office files, images: the type read from the
content by `selector.files.sniff`, the size limited by the setting `DOCUMENT_MAX_BYTES`),
marks each as technical or price, and may link a document and a page or section to a
criterion; the score sheet shows those links and an evaluator's comment may cite a document
and page (kept on the `Entry`). The bytes are kept outside the database under their
SHA-256 (`selector.store.blobs.BlobStore`); the row keeps the hash, the type, the size, who
uploaded it and when. Uploading, linking, unlinking and deleting are audit events carrying
the SHA-256, each in the transaction of its change.

Who reads a document (`readable`): the tender's chair; an evaluator on its committee who
has declared their conflicts, for the vendors they score (not those they declared a
conflict with); observers once the tender is final. A price document follows the sealed
bid: it is readable only by whom `access.may_see_prices` lets see prices now, and is
otherwise as if it did not exist (NotFound), except that the chair's list names it as
sealed. Administrators see names and states only, never documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from selector.files import sniff
from selector.scoring import words
from selector.scoring.limits import FORBIDDEN_IN_LINE, MAX_DOCUMENT_BYTES, MAX_PAGE_REF
from selector.scoring.model import Template, Text
from selector.scoring.numbers import figure
from selector.services import NotFound, ServiceError, audit, written
from selector.services.access import (
    assignment_of,
    chaired_tender,
    may_see,
    may_see_prices,
    prices_opened,
    visible_tender,
)
from selector.services.templates import template_of
from selector.services.uow import tender_change
from selector.store.blobs import BlobStore
from selector.store.db import write_transaction
from selector.store.models import (
    UNFINALISED,
    BidDocument,
    ConflictDeclaration,
    DocumentLink,
    Entry,
    Envelope,
    ScoreSheet,
    Tender,
    TenderCriterion,
    TenderState,
    User,
    Vendor,
)

#: Documents may be added, linked and deleted in every state but finalised
#: (`UNFINALISED`); the refusal otherwise:
FINALISED = Text(
    zh="该项目已定稿:如需修改文件,请先(填写理由后)重新开放。",
    en="This tender is finalised: reopen it (with a reason) before changing its documents.",
)
NO_SUCH_DOCUMENT = Text(
    zh="没有该文件,或您无权查看。", en="There is no such document, or it is not yours to see."
)


# --- what the pages show -------------------------------------------------------------------


@dataclass(frozen=True)
class LinkView:
    """A document named as the evidence for a criterion, at a page or section."""

    link_id: int
    criterion: str  # the criterion's key
    title: Text
    page: str


@dataclass(frozen=True)
class DocumentView:
    """One document as a page shows it. `sealed`: a price document the viewer may not open
    yet (the chair's list names it; nothing else of it is shown but the hash and time)."""

    id: int
    tender_id: int
    vendor_id: int
    vendor: str
    envelope: str
    envelope_name: Text
    name: str
    kind: str
    kind_name: Text
    size: int
    sha256: str
    uploaded_at: datetime
    uploaded_by: str  # display name ("" when the account is gone)
    links: tuple[LinkView, ...]
    cited: int  # how many evaluators' comments cite it
    sealed: bool = False


@dataclass(frozen=True)
class Evidence:
    """A document shown beside a criterion on a score sheet (`page` "" for the whole)."""

    document_id: int
    name: str
    kind: str
    page: str


@dataclass(frozen=True)
class SheetEvidence:
    """What a score sheet shows of one vendor's documents: the links per criterion key, and
    the documents a comment may cite (id, name), in upload order."""

    by_criterion: Mapping[str, tuple[Evidence, ...]]
    citable: tuple[tuple[int, str], ...]
    references: Mapping[str, tuple[int, str]]  # criterion key -> (document id, page)


def _view(
    document: BidDocument, cited: int, template: Template, sealed: bool = False
) -> DocumentView:
    kind = sniff.TYPES.get(document.kind)
    return DocumentView(
        id=document.id,
        tender_id=document.tender_id,
        vendor_id=document.vendor_id,
        vendor=document.vendor.name,
        envelope=document.envelope,
        envelope_name=words.name("envelope", document.envelope),
        name="" if sealed else document.name,
        kind=document.kind,
        kind_name=kind.label if kind else Text(document.kind, document.kind),
        size=document.size,
        sha256=document.sha256,
        uploaded_at=document.uploaded_at,
        uploaded_by=document.uploaded_by.display_name if document.uploaded_by else "",
        links=()
        if sealed
        else tuple(
            LinkView(link.id, link.criterion.key, _title(template, link.criterion.key), link.page)
            for link in sorted(document.links, key=lambda li: li.criterion.position)
        ),
        cited=cited,
        sealed=sealed,
    )


def _title(template: Template, key: str) -> Text:
    criterion = template.criterion(key)
    return criterion.title if criterion is not None else Text(key, key)


def size_text(size: int) -> Text:
    """A file size as people read it: 830 KB, 1.5 MB."""
    if size < 1024 * 1024:
        shown = f"{max(1, round(size / 1024))} KB"
    else:
        shown = f"{figure(Decimal(size) / (1024 * 1024), places=1)} MB"
    return Text(shown, shown)


def _citations(session: Session, tender_id: int) -> dict[int, int]:
    rows = session.execute(
        select(Entry.document_id, func.count())
        .join(BidDocument, Entry.document_id == BidDocument.id)
        .where(BidDocument.tender_id == tender_id)
        .group_by(Entry.document_id)
    )
    return {document_id: count for document_id, count in rows}


def _conflicted(session: Session, tender: Tender, user: User) -> set[int] | None:
    """The vendor ids `user` declared a conflict with; None before they declared."""
    declaration = session.scalar(
        select(ConflictDeclaration).where(
            ConflictDeclaration.tender_id == tender.id, ConflictDeclaration.user_id == user.id
        )
    )
    return None if declaration is None else {v.id for v in declaration.vendors}


class _Reader:
    """Who reads which documents of one tender (see the module docstring), decided once."""

    def __init__(self, session: Session, tender: Tender, user: User) -> None:
        self.tender = tender
        self.user = user
        self.prices = may_see_prices(session, tender, user)
        self.vendors: set[int] | None = None  # None: every vendor
        self.any = may_see(session, tender, user)
        if user.role == "chair":
            self.any = self.any and tender.chair_id == user.id
        elif user.role == "observer":
            self.any = self.any and tender.state == TenderState.FINALISED
        elif user.role == "evaluator":
            conflicted = _conflicted(session, tender, user)
            self.any = (
                self.any and conflicted is not None and assignment_of(session, tender.id, user)
                is not None
            )
            self.vendors = {v.id for v in tender.vendors} - (conflicted or set())
        else:
            self.any = False

    def may_read(self, document: BidDocument) -> bool:
        if not self.any:
            return False
        if self.vendors is not None and document.vendor_id not in self.vendors:
            return False
        return document.envelope != Envelope.PRICE or self.prices

    def may_know(self, document: BidDocument) -> bool:
        """The chair knows of every document of their tender, sealed or not."""
        return self.may_read(document) or (
            self.user.role == "chair" and self.tender.chair_id == self.user.id
        )


def tender_documents(session: Session, tender_id: int, user: User) -> list[DocumentView]:
    """The tender's documents `user` may know of, by vendor then upload order; the chair's
    list names sealed price documents as such (`sealed`). NotFound for a tender the user
    may not see."""
    tender = visible_tender(session, tender_id, user)
    reader = _Reader(session, tender, user)
    cited = _citations(session, tender.id)
    positions = {v.id: v.position for v in tender.vendors}
    documents = sorted(tender.documents, key=lambda d: (positions.get(d.vendor_id, 0), d.id))
    template = template_of(tender)
    return [
        _view(d, cited.get(d.id, 0), template, sealed=not reader.may_read(d))
        for d in documents
        if reader.may_know(d)
    ]


def readable(session: Session, tender_id: int, document_id: int, user: User) -> DocumentView:
    """One document `user` may open (its page and its file); NotFound otherwise, the same
    for a sealed price document as for one that does not exist."""
    tender = visible_tender(session, tender_id, user)
    document = session.get(BidDocument, document_id)
    if document is None or document.tender_id != tender.id:
        raise NotFound(NO_SUCH_DOCUMENT)
    if not _Reader(session, tender, user).may_read(document):
        raise NotFound(NO_SUCH_DOCUMENT)
    return _view(document, _citations(session, tender.id).get(document.id, 0), template_of(tender))


def chaired_document(
    session: Session, tender_id: int, document_id: int, user: User
) -> DocumentView:
    """A document of a tender `user` chairs, as the chair may know it (a sealed price
    document named only as such): what the delete confirmation shows. NotFound for any
    other document, Forbidden for anyone but the chair."""
    tender = chaired_tender(session, tender_id, user)
    document = session.get(BidDocument, document_id)
    if document is None or document.tender_id != tender.id:
        raise NotFound(NO_SUCH_DOCUMENT)
    sealed = not _Reader(session, tender, user).may_read(document)
    return _view(document, _citations(session, tender.id).get(document.id, 0),
                 template_of(tender), sealed=sealed)


def sheet_evidence(
    session: Session, tender: Tender, vendor_id: int, user: User, entries: list[Entry]
) -> SheetEvidence:
    """What the score sheet of `vendor_id` shows `user` of the vendor's documents: the
    links per criterion, the documents a comment may cite, and the sheet's own references
    (from `entries`, the sheet's rows) to documents the user may still read."""
    reader = _Reader(session, tender, user)
    # the vendor's documents with their links: two queries however many documents there are
    documents = session.scalars(
        select(BidDocument)
        .where(BidDocument.tender_id == tender.id, BidDocument.vendor_id == vendor_id)
        .order_by(BidDocument.id)
        .options(selectinload(BidDocument.links))
    ).all()
    own = [d for d in documents if reader.may_read(d)]
    by_criterion: dict[str, list[Evidence]] = {}
    for document in own:
        for link in document.links:
            by_criterion.setdefault(link.criterion.key, []).append(
                Evidence(document.id, document.name, document.kind, link.page)
            )
    readable_ids = {d.id for d in own}
    references = {
        e.criterion.key: (e.document_id, e.document_page)
        for e in entries
        if e.document_id is not None and e.document_id in readable_ids
    }
    return SheetEvidence(
        {key: tuple(items) for key, items in by_criterion.items()},
        tuple((d.id, d.name) for d in own),
        references,
    )


def cell_references(session: Session, tender_id: int) -> dict[tuple[str, str, str], Evidence]:
    """The references evaluators' comments make, for the chair's results: (vendor name,
    criterion key, evaluator username) -> the document and page cited (one query, as
    plain columns, however many entries cite a document)."""
    rows = session.execute(
        select(
            Vendor.name, TenderCriterion.key, User.username, BidDocument.id,
            BidDocument.name, BidDocument.kind, Entry.document_page,
        )
        .select_from(Entry)
        .join(BidDocument, Entry.document_id == BidDocument.id)
        .join(Vendor, Vendor.id == BidDocument.vendor_id)
        .join(TenderCriterion, TenderCriterion.id == Entry.criterion_id)
        .join(ScoreSheet, ScoreSheet.id == Entry.sheet_id)
        .join(User, User.id == ScoreSheet.evaluator_id)
        .where(BidDocument.tender_id == tender_id)
    )
    return {
        (vendor, criterion, username): Evidence(document_id, name, kind, page)
        for vendor, criterion, username, document_id, name, kind, page in rows
    }


def report_documents(session: Session, tender_id: int) -> list[dict[str, object]]:
    """The PDF's list of documents, per vendor in tender order: vendor, name, envelope,
    kind, size, sha256, uploaded_at (plain data for `selector.reports`); price documents
    only once the price envelope is opened."""
    tender = session.get(Tender, tender_id)
    if tender is None:
        return []
    opened = prices_opened(tender)
    positions = {v.id: v.position for v in tender.vendors}
    return [
        {
            "vendor": d.vendor.name,
            "name": d.name,
            "envelope": d.envelope,
            "kind": d.kind,
            "size": d.size,
            "sha256": d.sha256,
            "uploaded_at": _utc(d.uploaded_at),
        }
        for d in sorted(tender.documents, key=lambda d: (positions.get(d.vendor_id, 0), d.id))
        if opened or d.envelope != Envelope.PRICE
    ]


def record_download(session: Session, document: DocumentView, *, actor: User) -> None:
    """Record that `actor` took the document's file (the caller checked `readable`), in its
    own short transaction, as the record keeps every download (issue 11)."""
    with write_transaction(session):
        audit(
            session,
            "document.download",
            actor=session.get(User, actor.id),
            tender_id=document.tender_id,
            vendor=document.vendor,
            file=document.name,
            sha256=document.sha256,
        )


def _utc(moment: datetime) -> datetime:
    """A stored time in UTC (SQLite gives it back without its zone)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# --- changing them ------------------------------------------------------------------------


def _page(value: str | None, field: str) -> str:
    return written(
        value,
        field=field,
        what=Text(zh="页码或章节", en="The page or section"),
        limit=MAX_PAGE_REF,
        multiline=False,
    )


def _envelope(value: str) -> str:
    if value not in (Envelope.TECHNICAL, Envelope.PRICE):
        raise ServiceError(
            Text(
                zh="请选择文件类别:技术文件或报价文件。",
                en="Choose whether the document is technical or price.",
            ),
            field="envelope",
        )
    return value


def _vendor(tender: Tender, vendor_id: int | None) -> Vendor:
    for vendor in tender.vendors:
        if vendor.id == vendor_id:
            return vendor
    raise ServiceError(
        Text(zh="请选择本项目的一个投标人。", en="Choose one of this tender's vendors."),
        field="vendor",
    )


def _criterion(tender: Tender, key: str, field: str = "criterion") -> TenderCriterion:
    for criterion in tender.criteria:
        if criterion.key == key:
            return criterion
    raise ServiceError(
        Text(zh="请选择本项目的一个评分项。", en="Choose one of this tender's criteria."),
        field=field,
    )


def too_large(max_bytes: int) -> Text:
    """The refusal of a file over the limit, naming the limit."""
    limit = size_text(max_bytes)
    return Text(
        zh=f"文件过大:每个文件最多 {limit.zh}。请压缩或拆分后上传。",
        en=f"The file is too large: each file may be at most {limit.en}. Compress or split it.",
    )


def check_upload(data: bytes, filename: str, max_bytes: int = MAX_DOCUMENT_BYTES
                 ) -> tuple[sniff.DocumentType, str]:
    """The type and the stored name of an upload, or ServiceError on `file` naming why:
    too large, empty, not an accepted type by its content, a name that contradicts it."""
    if len(data) > max_bytes:
        raise ServiceError(too_large(max_bytes), field="file")
    kind = sniff.kind_of(data)
    if isinstance(kind, sniff.Problem):
        raise ServiceError(kind.sentence, field="file")
    name = sniff.safe_name(filename, kind)
    if isinstance(name, sniff.Problem):
        raise ServiceError(name.sentence, field="file")
    return kind, name


def upload_document(
    session: Session,
    tender_id: int,
    *,
    actor: User,
    store: BlobStore,
    data: bytes,
    filename: str,
    vendor_id: int | None,
    envelope: str,
    criterion: str = "",
    page: str = "",
    max_bytes: int = MAX_DOCUMENT_BYTES,
) -> BidDocument:
    """Keep a vendor's document: checked by content (`check_upload`), written to `store`
    under its SHA-256, recorded with its hash and time, optionally linked to `criterion`
    (a key) at `page`; audited as `document.upload`. ServiceError naming the field for bad
    input (nothing kept); the tender's chair only, in every state but finalised."""
    kind, name = check_upload(data, filename, max_bytes)
    envelope = _envelope(envelope)
    page = _page(page, "page")
    with tender_change(session, tender_id, actor, states=UNFINALISED, refusal=FINALISED) as change:
        tender = change.tender
        vendor = _vendor(tender, vendor_id)
        linked = _criterion(tender, criterion) if criterion else None
        if page and linked is None:
            raise ServiceError(
                Text(
                    zh="页码只在关联评分项时使用:请选择评分项,或清空页码。",
                    en="A page goes with a criterion: choose the criterion, or clear the page.",
                ),
                field="page",
            )
        sha256 = store.put(data)  # before the row: a row never names a missing file
        document = BidDocument(
            tender_id=tender.id,
            vendor_id=vendor.id,
            envelope=envelope,
            name=name,
            kind=kind.key,
            size=len(data),
            sha256=sha256,
            uploaded_by_id=actor.id,
        )
        if linked is not None:
            document.links.append(DocumentLink(criterion=linked, page=page))
        tender.documents.append(document)
        session.flush()
        change.audit(
            "document.upload",
            vendor=vendor.name,
            file=name,
            envelope=envelope,
            sha256=sha256,
            size=len(data),
            criterion=linked.key if linked is not None else None,
            page=page or None,
        )
    return document


def _document(session: Session, tender: Tender, document_id: int) -> BidDocument:
    document = session.get(BidDocument, document_id)
    if document is None or document.tender_id != tender.id:
        raise NotFound(NO_SUCH_DOCUMENT)
    return document


def link_document(
    session: Session, tender_id: int, document_id: int, *, actor: User, criterion: str,
    page: str = "",
) -> None:
    """Name the document as the evidence for `criterion` (a key) at `page` (again: the page
    changes); audited as `document.link`. The tender's chair, not once finalised."""
    page = _page(page, "page")
    with tender_change(session, tender_id, actor, states=UNFINALISED, refusal=FINALISED) as change:
        document = _document(session, change.tender, document_id)
        linked = _criterion(change.tender, criterion)
        existing = next((li for li in document.links if li.criterion_id == linked.id), None)
        if existing is None:
            document.links.append(DocumentLink(criterion=linked, page=page))
        else:
            existing.page = page
        change.audit(
            "document.link",
            vendor=document.vendor.name,
            file=document.name,
            sha256=document.sha256,
            criterion=linked.key,
            page=page or None,
        )


def unlink_document(
    session: Session, tender_id: int, document_id: int, link_id: int, *, actor: User
) -> None:
    """Take the document off a criterion; audited as `document.unlink`."""
    with tender_change(session, tender_id, actor, states=UNFINALISED, refusal=FINALISED) as change:
        document = _document(session, change.tender, document_id)
        link = next((li for li in document.links if li.id == link_id), None)
        if link is None:
            raise NotFound(NO_SUCH_DOCUMENT)
        key = link.criterion.key
        document.links.remove(link)
        change.audit(
            "document.unlink",
            vendor=document.vendor.name,
            file=document.name,
            sha256=document.sha256,
            criterion=key,
        )


def delete_document(
    session: Session, tender_id: int, document_id: int, *, actor: User, store: BlobStore
) -> str:
    """Delete a document (the chair confirmed it); audited as `document.delete` with its
    SHA-256. Refused once an evaluator's comment cites it, or the tender is finalised. Its
    file is removed when no other document has the same bytes. Returns its name."""
    with tender_change(session, tender_id, actor, states=UNFINALISED, refusal=FINALISED) as change:
        document = _document(session, change.tender, document_id)
        cited = session.scalar(
            select(func.count()).select_from(Entry).where(Entry.document_id == document.id)
        )
        if cited:
            raise ServiceError(
                Text(
                    zh="评委的评语引用了该文件,因此不能删除。",
                    en="An evaluator's comment cites this document, so it cannot be deleted.",
                )
            )
        name, sha256 = document.name, document.sha256
        change.tender.documents.remove(document)
        change.audit(
            "document.delete",
            vendor=document.vendor.name,
            file=name,
            envelope=document.envelope,
            sha256=sha256,
        )
    discard_unused(session, store, [sha256])
    return name


def discard_unused(session: Session, store: BlobStore, hashes: Iterable[str]) -> None:
    """Remove the files of `hashes` that no document refers to any more: call it after the
    transaction that deleted their documents has committed (a file outlives its row, never
    the other way round)."""
    wanted = set(hashes)
    if not wanted:
        return
    with write_transaction(session):
        used = set(
            session.scalars(select(BidDocument.sha256).where(BidDocument.sha256.in_(wanted)))
        )
    for sha256 in sorted(wanted - used):
        store.discard(sha256)


def check_references(
    session: Session,
    tender: Tender,
    vendor_id: int,
    user: User,
    references: Mapping[str, tuple[str, str]],
    comments: Mapping[str, str],
) -> tuple[dict[str, tuple[int | None, str]], dict[str, Text]]:
    """An evaluator's references (criterion key -> (document id as typed, page)) read for a
    save: each document one of this vendor's that the evaluator may read, a page only with a
    document, a reference only with a comment. Returns (criterion key -> (document id or
    None, page)) and the errors per criterion key."""
    reader = _Reader(session, tender, user)
    allowed = {
        d.id for d in tender.documents if d.vendor_id == vendor_id and reader.may_read(d)
    }
    read: dict[str, tuple[int | None, str]] = {}
    errors: dict[str, Text] = {}
    for key, (raw_id, raw_page) in references.items():
        raw_id, page = (raw_id or "").strip(), (raw_page or "").strip()
        if not raw_id:
            if page:
                errors[key] = Text(
                    zh="页码需配合所引用的文件:请选择文件,或清空页码。",
                    en="A page goes with a document: choose the document, or clear the page.",
                )
            else:
                read[key] = (None, "")
            continue
        document_id = int(raw_id) if raw_id.isdigit() and len(raw_id) < 10 else None
        if document_id is None or document_id not in allowed:
            errors[key] = Text(
                zh="所引用的文件不是该投标人的文件:请从列表中选择。",
                en="The document cited is not one of this vendor's: choose one from the list.",
            )
            continue
        if len(page) > MAX_PAGE_REF or FORBIDDEN_IN_LINE.search(page):
            errors[key] = Text(
                zh=f"页码或章节最多 {MAX_PAGE_REF} 个字符,且不能含控制字符。",
                en=f"The page or section may have at most {MAX_PAGE_REF} characters and no "
                "control characters.",
            )
            continue
        if not (comments.get(key) or "").strip():
            errors[key] = Text(
                zh="引用文件需配合评语:请写明依据,或清除引用。",
                en="A reference goes with a comment: write what it shows, or clear it.",
            )
            continue
        read[key] = (document_id, page)
    return read, errors
