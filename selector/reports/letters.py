"""Letters to the bidders: one page per vendor telling it its result, once the tender is final.

Procurement practice (and most public rules) asks that every bidder is told its own score
and ranking, and the successful bidder's name and score; a disqualified bidder is told why.
A letter holds: the vendor's total, its score in each group (with the group's weight), its
rank among the N ranked bids, the winner's name and total, and the disqualification reason
where there is one — in the letter's language, numbers as every other surface prints them
(`selector.scoring.numbers`).

All letters of a tender are laid out once (one WeasyPrint document, a page per vendor) and
written page by page; `letters_zip` packs them with a manifest (`letters.json`: vendor ->
file), from which `letter_from_zip` takes one vendor's letter.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from selector.reports.fonts import require_font
from selector.reports.html import environment
from selector.reports.labels import labels
from selector.reports.workbook import safe_slug
from selector.scoring.model import Result, Text
from selector.scoring.numbers import money, plain, points
from selector.scoring.serialize import fingerprint

MANIFEST = "letters.json"

WORDS: Mapping[str, Text] = {
    "kicker": Text(zh="评审结果通知书", en="Notice of the evaluation result"),
    "to": Text(zh="致：{vendor}", en="To: {vendor}"),
    "subject": Text(zh="关于“{tender}”评审结果的通知", en="Result of the tender “{tender}”"),
    "dear": Text(zh="{vendor}：", en="Dear {vendor},"),
    "thanks": Text(
        zh="感谢贵方参加“{tender}”的投标。评审委员会已于 {date} 完成评审并确认结果，"
        "现将贵方的评审结果通知如下。",
        en="Thank you for your bid in the tender “{tender}”. The evaluation committee "
        "finalised its evaluation on {date}; this letter tells you the result of your bid.",
    ),
    "winner": Text(
        zh="贵方总分为 {total} 分（满分 100 分），在 {n} 家有效投标人中排名第 1。"
        "评审委员会拟将合同授予贵方，采购部门将与贵方联系后续事宜。",
        en="Your bid scored {total} points out of 100 and ranked first of {n} qualified "
        "bids. The committee intends to award the contract to you; the contracting "
        "department will contact you about the next steps.",
    ),
    "ranked": Text(
        zh="贵方总分为 {total} 分（满分 100 分），在 {n} 家有效投标人中排名第 {rank}。"
        "中标候选人为 {winner}，总分 {winner_total} 分。",
        en="Your bid scored {total} points out of 100 and ranked {rank} of {n} qualified "
        "bids. The contract is to be awarded to {winner}, whose bid scored "
        "{winner_total} points.",
    ),
    "shared": Text(
        zh="贵方总分为 {total} 分（满分 100 分），与 {winner} 并列第 1（{n} 家有效投标人），"
        "按评分办法的并列规则，中标候选人为 {winner}（总分 {winner_total} 分）。",
        en="Your bid scored {total} points out of 100 and shares first place of {n} "
        "qualified bids with {winner}; by the method's tie rule the contract is to be "
        "awarded to {winner} ({winner_total} points).",
    ),
    "disqualified": Text(
        zh="贵方投标未参与排名：{reason}。中标候选人为 {winner}，总分 {winner_total} 分。",
        en="Your bid was not ranked: {reason}. The contract is to be awarded to {winner}, "
        "whose bid scored {winner_total} points.",
    ),
    "no_winner": Text(zh="本次评审没有有效的中标候选人。", en="No bid qualified for the award."),
    "scores": Text(zh="贵方各分组得分", en="Your scores by group"),
    "group": Text(zh="分组", en="Group"),
    "weight": Text(zh="权重", en="Weight"),
    "score": Text(zh="得分", en="Score"),
    "total": Text(zh="总分", en="Total"),
    "bid": Text(zh="贵方投标总价（{base}）：{amount}", en="Your total bid ({base}): {amount}"),
    "method": Text(
        zh="分组得分 = 权重 × 该组评分项得分之和 ÷ 该组满分；总分为各分组得分之和，"
        "四舍五入保留两位小数。",
        en="A group's score is its weight × the points of its criteria ÷ their maximum; "
        "the total is the sum of the group scores, rounded half-up to 2 decimals.",
    ),
    "contact": Text(
        zh="如需了解评审情况的说明，请与评审主任{chair}联系。",
        en="If you would like the evaluation explained, please contact the chair of the "
        "evaluation committee{chair}.",
    ),
    "closing": Text(zh="此致", en="Yours faithfully,"),
    "signed": Text(zh="评审委员会", en="The evaluation committee"),
    "draft": Text(zh="草稿 — 评审尚未定稿", en="DRAFT — the evaluation is not final"),
    "fingerprint": Text(zh="评分输入指纹", en="Scoring input fingerprint"),
}


@dataclass(frozen=True)
class Letter:
    """One vendor's letter, as display strings."""

    lang: str
    vendor: str
    title: str
    organisation: str
    date: str
    subject: str
    greeting: str
    opening: str
    outcome: str
    groups: tuple[tuple[str, str, str], ...]  # title, weight, score
    total: str
    bid: str
    method: str
    contact: str
    chair: str
    finalised: bool
    fingerprint: str


def letters(result: Result, lang: str, extras: Mapping[str, Any] | None = None
            ) -> list[Letter]:
    """One letter per vendor: the ranked ones in rank order, then the disqualified."""
    extras = dict(extras or {})
    template = result.template
    title = str(extras.get("title") or extras.get("tender_name") or template.title.get(lang))
    finalised = str(extras.get("state", "")) == "finalised" or bool(extras.get("finalised"))
    when = extras.get("finalised_at") or extras.get("date") or dt.date.today()
    date = when.date().isoformat() if isinstance(when, dt.datetime) else str(when)[:10]
    chair = extras.get("chair") or ""
    if isinstance(chair, Mapping):
        chair = str(chair.get("name") or chair.get("username") or "")
    groups = [g for g in template.groups if g.weight > 0 and g.max_points > 0]
    ranked = result.ranking
    winner = ranked[0] if ranked else None
    order = [r.vendor for r in ranked] + [d.vendor for d in result.disqualified]
    words = {key: text.get(lang) for key, text in WORDS.items()}
    dq_words = labels(lang)
    fingerprint = str(extras.get("fingerprint") or _fingerprint(result))
    out = []
    for vendor in order:
        standing = result.vendors[vendor]
        winner_values = {"winner": winner.vendor if winner else "",
                         "winner_total": points(winner.total) if winner and winner.total
                         is not None else ""}
        if standing.disqualification is not None:
            dq = standing.disqualification
            gate = template.criterion(dq.criterion)
            gate_title = gate.title.get(lang) if gate else dq.criterion
            reason = (dq_words["dq_consensus"].format(gate=gate_title, reason=dq.reason)
                      if dq.by_consensus else
                      dq_words["dq_reason"].format(gate=gate_title, fails=dq.fails, of=dq.of))
            outcome = words["disqualified"].format(reason=reason.rstrip("。."), **winner_values)
            if winner is None:
                outcome = outcome.split("。")[0] + "。" if lang == "zh" else (
                    outcome.split(". ")[0] + ". ")
                outcome += words["no_winner"]
        elif winner is not None and vendor == winner.vendor:
            outcome = words["winner"].format(total=points(standing.total), n=len(ranked))
        elif standing.rank == 1:
            outcome = words["shared"].format(total=points(standing.total), n=len(ranked),
                                             **winner_values)
        else:
            outcome = words["ranked"].format(total=points(standing.total), n=len(ranked),
                                             rank=standing.rank, **winner_values)
        out.append(Letter(
            lang=lang,
            vendor=vendor,
            title=title,
            organisation=str(extras.get("organisation") or ""),
            date=date,
            subject=words["subject"].format(tender=title),
            greeting=words["dear"].format(vendor=vendor),
            opening=words["thanks"].format(tender=title, date=date),
            outcome=outcome,
            # a disqualified bid is told why, not scores it was never ranked on
            groups=() if standing.disqualification is not None else tuple(
                (g.title.get(lang), plain(g.weight), points(standing.groups.get(g.id, 0.0)))
                for g in groups),
            total=points(standing.total) if standing.total is not None else "—",
            bid=words["bid"].format(base=result.input.base_currency,
                                    amount=money(standing.bid_total)),
            method=words["method"],
            contact=words["contact"].format(
                chair=(f"{chair}" if lang == "zh" else f", {chair}") if chair else ""),
            chair=chair,
            finalised=finalised,
            fingerprint=fingerprint,
        ))
    return out


def letters_html(items: Sequence[Letter], lang: str) -> str:
    """Every letter in one HTML document, a page each (templates/reports/letters.html)."""
    words = {key: text.get(lang) for key, text in WORDS.items()}
    return environment().get_template("reports/letters.html").render(
        letters=items, W=words, lang=lang)


def letter_pdfs(result: Result, lang: str, extras: Mapping[str, Any] | None = None
                ) -> list[tuple[str, bytes]]:
    """(vendor, one-page PDF) for every vendor, laid out in one pass.

    Raises MissingFont when no installed font can draw the letters."""
    items = letters(result, lang, extras)
    html = letters_html(items, lang)
    require_font(lang, html)
    from selector.reports.pdf import render_pages  # WeasyPrint: only once a font is there

    pages = render_pages(html)
    if len(pages) != len(items):  # a letter ran over a page: lay each out on its own
        from selector.reports.pdf import html_to_pdf  # WeasyPrint, as above

        return [(item.vendor, html_to_pdf(letters_html([item], lang))) for item in items]
    return [(item.vendor, page) for item, page in zip(items, pages, strict=True)]


def letters_zip(result: Result, lang: str, extras: Mapping[str, Any] | None = None) -> bytes:
    """A zip of every vendor's letter, with `letters.json` naming the file of each vendor."""
    buffer = io.BytesIO()
    manifest: dict[str, str] = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, (vendor, pdf) in enumerate(letter_pdfs(result, lang, extras), start=1):
            name = f"{number:02d}-{safe_slug(vendor)}-{lang}.pdf"
            manifest[vendor] = name
            archive.writestr(name, pdf)
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    return buffer.getvalue()


def letter_from_zip(data: bytes, vendor: str) -> tuple[str, bytes] | None:
    """(file name, PDF) of `vendor`'s letter in a `letters_zip`, or None."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read(MANIFEST))
        name = manifest.get(vendor)
        return None if name is None else (name, archive.read(name))


def _fingerprint(result: Result) -> str:
    return fingerprint(result.input)
