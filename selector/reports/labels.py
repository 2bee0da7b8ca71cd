"""The report's layout words in 简体中文 and English: section titles, headings, sentences.

The report is rendered outside any Flask request (the CLI has none), so its labels live in
this small table rather than in the Flask-Babel catalogs. Domain words (roles, states, flag
kinds, rule kinds, methods) come from `selector.scoring.words`, the table the web pages read
too; `labels(lang)` adds the few the layout names by key. Texts that come from a template
(group and criterion titles, rules, bands) are `Text` values and use `Text.get(lang)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Final

from selector.scoring.words import word

LABELS: Final[Mapping[str, Mapping[str, str]]] = {
    "zh": {
        # cover
        "report_title": "供应商评选报告",
        "organisation": "组织",
        "date": "日期",
        "status": "状态",
        "not_final": " — 尚未定稿",
        "watermark": "草稿",
        "template": "评分模板",
        "committee": "评审委员会",
        "fingerprint": "评分输入指纹(SHA-256)",
        "audit_head": "审计链头(selector audit verify 可核验)",
        "fingerprint_note": "用同一组输入运行 selector score --json 可复现此指纹。",
        "contents": "目录",
        # footer: 第 X 页 / 共 Y 页
        "page_before": "第",
        "page_middle": "页 / 共",
        "page_after": "页",
        # executive summary
        "summary": "评审结论摘要",
        "rank": "排名",
        "vendor": "供应商",
        "total": "总分",
        "band": "等级",
        "bid_total": "投标总价",
        "winner_margin": "{winner} 以 {margin} 分领先第二名 {runner_up}。",
        "winner_alone": "{winner} 是唯一进入排名的供应商。",
        "no_ranking": "没有进入排名的供应商。",
        "tie_margin": "{winner} 与 {runner_up} 总分相同,按投标总价较低者排前。",
        "disqualified": "被取消资格的供应商",
        "dq_reason": "未通过「{gate}」:{of} 位评委中 {fails} 位判定不通过",
        "dq_consensus": "未通过「{gate}」(经共识决定):{reason}",
        "chart_title": "各组得分构成",
        "weight": "权重",
        "points": "得分",
        "max_points": "满分",
        "group_score": "组得分",
        # stability
        "stability": "稳定性摘要",
        "margin": "领先幅度",
        "margin_text": "第一名领先第二名 {margin} 分。",
        "weights_breakeven": "权重临界点",
        "weight_change": "使第一名改变所需的权重变化",
        "new_winner": "新的第一名",
        "no_flip": "在 0–100% 范围内不会改变",
        "without_evaluator": "去掉一位评委后的第一名",
        "without_bidder": "去掉一家投标人后的第一名",
        "without_bidder_rest": "去掉其余 {count} 家投标人中的任何一家，第一名仍为 {winner}。",
        "winner": "第一名",
        "changed": "改变",
        "flags": "提示事项",
        "no_flags": "没有提示事项。",
        "review_note": "复核意见",
        "not_reviewed": "尚未复核",
        "divergence_many": (
            "评分分歧 {count} 项(尚未复核 {open} 项),均在附录「各评委评分」中以 ! 标在"
            "该评委的分数旁;各供应商的分歧数如下。"
        ),
        # detail
        "detail": "分组与评分项明细",
        "matrix": "得分矩阵",
        "criterion": "评分项",
        "rule": "规则",
        "inputs": "各评委评分",
        "aggregate": "汇总",
        "consensus": "共识值",
        "comments": "评委意见",
        "disqualified_short": "已取消资格",
        "legend_consensus": "* 共识值,取代汇总分。",
        "legend_inputs": "方括号内为评委编号;! 该分数与其他评委的平均分相差超过阈值(评分分歧)。",
        "legend_gate": "资格审查项:判定不通过的评委数 / 参与评审的评委数;○ 通过,× 不通过。",
        "consensus_values": "共识值及理由",
        "documents": "投标文件",
        "documents_intro": (
            "各投标人提交的文件,按上传时的内容以 SHA-256 标识;文件原样保存,可据此核对。"
        ),
        "document": "文件",
        "envelope": "类别",
        "uploaded": "上传时间(UTC)",
        "envelope_technical": "技术",
        "envelope_price": "报价",
        "value": "取值",
        "reason": "理由",
        # the appendix: the per-input evidence, rendered on request
        "appendix_title": "附录:逐项评分证据",
        "appendix_note": (
            "本附录列出每位评委对每个评分项的评分、汇总值与计入值,以及评委意见和共识值的理由;"
            "评审结论见主报告。"
        ),
        "appendix_pointer": "各评委的逐项评分(证据台账)见附录,可单独下载。",
        # price
        "price": "价格评审",
        "component": "费用项",
        "amount": "报价",
        "currency": "币种",
        "rate": "汇率",
        "base_amount": "折算金额",
        "rates_used": "所用汇率:1 单位外币折合 {base}",
        "no_rates": "所有报价均为 {base},无需换算。",
        "no_price": "本模板没有价格评分项。",
        "excluded": "不参与比价",
        "envelope_opened": "技术评分关闭后,评审主任于 {at} 开启报价信封;此前报价密封,无人可见。",
        "price_changes": "报价信封开启后的修改",
        "price_changes_intro": "报价信封开启后,报价已锁定;以下每项修改均由评审主任确认并写明理由。",
        "rate_of": "汇率",
        "change_when": "时间",
        "change_by": "修改人",
        "change_what": "修改项",
        "change_before": "原值",
        "change_after": "新值",
        "change_reason": "理由",
        # method
        "method": "评分方法附录",
        "rules_in_words": "评分规则",
        "aggregation": "评委分数汇总",
        "method_mean": "取参与评分评委的平均值。",
        "method_trimmed": (
            "5 位及以上评委评分时去掉一个最高分和一个最低分后取平均,否则取平均值。"
        ),
        "method_median": "取参与评分评委的中位数。",
        "consensus_rule": "评审主任记录的共识值(附理由)取代该格的汇总分。",
        "weights": "分组权重",
        "group": "分组",
        "group_formula": "组得分 = 权重 × 本组各项得分之和 ÷ 本组满分之和。",
        "rounding": "取整",
        "rounding_rule": (
            "各项得分全程不取整;总分为各组得分之和,最后一次性四舍五入到小数点后两位。"
        ),
        "tie_break": "同分处理",
        "tie_break_rule": (
            "按总分从高到低排名;总分相同时投标总价较低者在前;总分与投标总价都相同则并列"
            "(如 1、1、3),按供应商名称排列。被取消资格的供应商不排名,也不参与比价。"
        ),
        "bands_rule": "等级:取不高于总分的最高等级下限。",
        "worked": "逐家核算",
        "worked_note": "每组:权重 × 得分 ÷ 满分;各组相加,最后取整。",
        "worked_columns": "每组两栏:得分合计,及 权重 × 得分 ÷ 满分 = 组得分({groups})。"
        "最后两栏:各组得分之和,及四舍五入到 2 位小数的总分。",
        "rule_tiered": "满足得 {max} 分,部分满足得 {partial} 分,不满足 0 分。",
        "rule_binary": "能提供得 {max} 分,不能提供 0 分。",
        "rule_scale": "评委在 0–{max} 分之间打分,步长 {step}。",
        "rule_grade": "按等级计分:{levels}。",
        "rule_price_rank": (
            "按报价由低到高排序:最低者 {first} 分,最高者 {last} 分,中间者依次 {middle} 分;"
            "报价相同得分相同;仅一家时得 {first} 分。"
        ),
        "rule_price_ratio": (
            "低价优先法:得分 = {max} × 最低报价 ÷ 本家报价(最低报价只取未被取消资格的投标)。"
        ),
        "rule_gate": (
            "资格审查,不计分:超过半数参与评审的评委判定不通过即取消资格(共识值优先)。"
        ),
        # sign-off
        "signoff": "签字页",
        "name": "姓名",
        "role": "角色",
        "submitted_at": "提交时间",
        "conflict": "利益冲突声明",
        "no_conflict": "无利益冲突",
        "conflict_with": "{conflict_declared}:{vendors}(已回避)",
        "signature": "签字",
        "signature_date": "日期",
        "chair_line": "{chair}签字",
        "not_recorded": "未记录",
        "signoff_note": "本人确认上述评分为本人独立作出,并已如实申报利益冲突。",
        "signoff_app": "应用内签字",
        "signed_at": "签字时间",
        "signoff_approved": "同意",
        "signoff_dissent": "不同意见:{reason}",
        "signoff_absent": "未签字,视为同意(财政部令第87号第六十一条)。{by}记录:{reason}",
        "signoff_awaiting_one": "待签字",
        "signoff_complete": "签字完成:全体评委与评审主任均已签字。",
        "signoff_awaiting": "待签字:{names}",
        "signoff_not_open": "项目定稿后方可签字。",
        # generic
        "download_pdf": "PDF 报告",
        "download_appendix": "附录:逐项评分证据(PDF)",
        "download_xlsx": "电子表格(xlsx)",
        "cannot_score": "结果尚无法计算。",
        # the page shown while a report renders in the queue
        "rendering_title": "正在生成报告",
        "rendering_note": "报告正在后台生成,完成后将自动开始下载。",
        "rendering_hint": (
            "大型招标的报告可能需要几十秒;可以离开此页,稍后再次下载时将直接取得已生成的文件。"
        ),
        "rendering_retry": "再次下载",
        "rendering_back": "返回评审结果",
        "rendering_failed": "报告未能生成。",
        "kind_name_report": "PDF 报告",
        "kind_name_appendix": "附录:逐项评分证据",
        "kind_name_letters": "致投标人的通知函",
        "letters_after_final": "评审定稿后才能生成致投标人的通知函。",
        "download_letters": "致投标人的通知函(zip)",
        "letters_title": "致各投标人的评审结果通知函",
        "no_such_sheet": "没有这个工作表。",
        "none": "无",
        "yes": "是",
        "no": "否",
        "of": "共",
    },
    "en": {
        "report_title": "Vendor selection report",
        "organisation": "Organisation",
        "date": "Date",
        "status": "Status",
        "not_final": " — not finalised",
        "watermark": "DRAFT",
        "template": "Criteria template",
        "committee": "Evaluation committee",
        "fingerprint": "Scoring input fingerprint (SHA-256)",
        "audit_head": "Audit chain head (checked by selector audit verify)",
        "fingerprint_note": "selector score --json on the same inputs reproduces it.",
        "contents": "Contents",
        "page_before": "Page",
        "page_middle": "of",
        "page_after": "",
        "summary": "Executive summary",
        "rank": "Rank",
        "vendor": "Vendor",
        "total": "Total",
        "band": "Band",
        "bid_total": "Total bid",
        "winner_margin": "{winner} leads the runner-up, {runner_up}, by {margin} points.",
        "winner_alone": "{winner} is the only ranked vendor.",
        "no_ranking": "No vendor is ranked.",
        "tie_margin": "{winner} and {runner_up} have equal totals; the lower total bid ranks "
        "first.",
        "disqualified": "Disqualified vendors",
        "dq_reason": "failed “{gate}”: {fails} of {of} evaluators said fail",
        "dq_consensus": "failed “{gate}” by consensus: {reason}",
        "chart_title": "Totals by group",
        "weight": "Weight",
        "points": "Points",
        "max_points": "Max",
        "group_score": "Group score",
        "stability": "Stability summary",
        "margin": "Margin",
        "margin_text": "The winner leads the runner-up by {margin} points.",
        "weights_breakeven": "Weight break-even points",
        "weight_change": "Weight change that changes the winner",
        "new_winner": "New winner",
        "no_flip": "none within 0–100%",
        "without_evaluator": "Winner without one evaluator",
        "without_bidder": "Winner without one bidder",
        "without_bidder_rest": "Leaving out any one of the other {count} bidders, {winner} "
        "stays first.",
        "winner": "Winner",
        "changed": "changed",
        "flags": "Flags",
        "no_flags": "No flags.",
        "review_note": "Review note",
        "not_reviewed": "not reviewed",
        "divergence_many": (
            "{count} divergence flags ({open} not reviewed), each marked ! beside the "
            "evaluator's points in the appendix's “Evaluators' inputs”; per vendor:"
        ),
        "detail": "Group and criterion detail",
        "matrix": "Points matrix",
        "criterion": "Criterion",
        "rule": "Rule",
        "inputs": "Evaluators' inputs",
        "aggregate": "Aggregate",
        "consensus": "Consensus",
        "comments": "Evaluators' comments",
        "disqualified_short": "disqualified",
        "legend_consensus": "* consensus value, replaces the aggregate.",
        "legend_inputs": (
            "Numbers in brackets are evaluators; ! marks points that differ from the other "
            "evaluators' mean by more than the threshold (a divergence flag)."
        ),
        "legend_gate": "Gates: evaluators who said fail / evaluators who scored; ○ pass, × fail.",
        "consensus_values": "Consensus values and reasons",
        "documents": "Bid documents",
        "documents_intro": (
            "The files each vendor submitted, identified by the SHA-256 of their content as "
            "uploaded; the files are kept unchanged, so each can be checked against it."
        ),
        "document": "Document",
        "envelope": "Envelope",
        "uploaded": "Uploaded (UTC)",
        "envelope_technical": "technical",
        "envelope_price": "price",
        "value": "Value",
        "reason": "Reason",
        # the appendix: the per-input evidence, rendered on request
        "appendix_title": "Appendix: evidence ledger",
        "appendix_note": (
            "This appendix lists every evaluator's points on every criterion, the aggregate "
            "and the points that count, with the evaluators' comments and the consensus "
            "reasons; the decision is in the main report."
        ),
        "appendix_pointer": (
            "Each evaluator's input (the evidence ledger) is in an appendix, downloaded "
            "separately."
        ),
        "price": "Price evaluation",
        "component": "Cost component",
        "amount": "Amount",
        "currency": "Currency",
        "rate": "Rate",
        "base_amount": "In {base}",
        "rates_used": "Rates used: 1 unit of the currency = rate {base}",
        "no_rates": "Every bid is in {base}; nothing was converted.",
        "no_price": "This template has no price criteria.",
        "excluded": "not compared",
        "envelope_opened": (
            "The chair opened the price envelope on {at}, after technical scoring had closed; "
            "until then the bids were sealed and seen by no one."
        ),
        "price_changes": "Changes after the price envelope was opened",
        "price_changes_intro": (
            "Once the envelope was opened the bids were locked; each change below was confirmed "
            "by the chair with the reason given."
        ),
        "rate_of": "Rate of",
        "change_when": "When",
        "change_by": "By",
        "change_what": "What",
        "change_before": "Before",
        "change_after": "After",
        "change_reason": "Reason",
        "method": "Method appendix",
        "rules_in_words": "The rules",
        "aggregation": "Aggregating the evaluators",
        "method_mean": "The mean of the evaluators who scored the cell.",
        "method_trimmed": (
            "The mean after dropping one highest and one lowest score when 5 or more "
            "evaluators scored the cell; otherwise the mean."
        ),
        "method_median": "The median of the evaluators who scored the cell.",
        "consensus_rule": (
            "A consensus value recorded by the chair, with a reason, replaces the cell's "
            "aggregate."
        ),
        "weights": "Group weights",
        "group": "Group",
        "group_formula": (
            "Group score = weight × (sum of the group's points) ÷ (sum of the group's max)."
        ),
        "rounding": "Rounding",
        "rounding_rule": (
            "Points are never rounded along the way; the total, the sum of the group scores, "
            "is rounded half-up to 2 decimals once, at the end."
        ),
        "tie_break": "Ties",
        "tie_break_rule": (
            "Ranked by total, highest first; equal totals rank the lower total bid first; "
            "equal total and total bid share a rank (1, 1, 3), listed by vendor name. "
            "Disqualified vendors are not ranked and are left out of the price benchmarks."
        ),
        "bands_rule": "Band: the band with the highest minimum not above the total.",
        "worked": "Worked totals, one line per vendor",
        "worked_note": "Each group: weight × points ÷ max; the groups added, rounded at the end.",
        "worked_columns": "Two columns a group: the points earned, and weight × points ÷ max = "
        "the group score ({groups}). The last two: the sum of the group scores, and the total "
        "rounded to 2 decimals.",
        "rule_tiered": "Meets the requirement: {max} points; partially: {partial}; not: 0.",
        "rule_binary": "Can provide it: {max} points; cannot: 0.",
        "rule_scale": "Each evaluator gives 0–{max} points in steps of {step}.",
        "rule_grade": "Points by level: {levels}.",
        "rule_price_rank": (
            "Amounts ranked low to high: the lowest gets {first} points, the highest {last}, "
            "those between {middle}; equal amounts equal points; a single bidder {first}."
        ),
        "rule_price_ratio": (
            "Low price first: points = {max} × lowest amount ÷ this amount (the lowest of the "
            "vendors still in the race)."
        ),
        "rule_gate": (
            "Qualification, no points: a vendor failed by more than half of the evaluators who "
            "scored it is disqualified (a consensus value decides instead)."
        ),
        "signoff": "Sign-off",
        "name": "Name",
        "role": "Role",
        "submitted_at": "Submitted",
        "conflict": "Conflict-of-interest declaration",
        "no_conflict": "No conflict of interest",
        "conflict_with": "{conflict_declared} with (did not score): {vendors}",
        "signature": "Signature",
        "signature_date": "Date",
        "chair_line": "{chair}'s signature",
        "not_recorded": "not recorded",
        "signoff_note": (
            "I confirm that my scores are my own independent judgement and that I have "
            "declared any conflict of interest."
        ),
        "signoff_app": "Signed in the app",
        "signed_at": "Signed (UTC)",
        "signoff_approved": "Approved",
        "signoff_dissent": "Dissent: {reason}",
        "signoff_absent": (
            "Did not sign; deemed to agree (MoF Order 87 art. 61). Recorded by {by}: {reason}"
        ),
        "signoff_awaiting_one": "Awaiting sign-off",
        "signoff_complete": "Sign-off complete: every member and the chair have signed.",
        "signoff_awaiting": "Awaiting sign-off: {names}",
        "signoff_not_open": "Sign-off opens once the tender is finalised.",
        "download_pdf": "PDF report",
        "download_appendix": "Appendix: evidence ledger (PDF)",
        "download_xlsx": "Spreadsheet (xlsx)",
        "cannot_score": "The result cannot be computed yet.",
        # the page shown while a report renders in the queue
        "rendering_title": "Preparing the report",
        "rendering_note": "The report is being rendered; the download starts by itself when "
        "it is ready.",
        "rendering_hint": "A large tender's report may take some tens of seconds. You may leave "
        "this page: downloading again later gets the finished file at once.",
        "rendering_retry": "Download again",
        "rendering_back": "Back to the results",
        "rendering_failed": "The report could not be made.",
        "kind_name_report": "PDF report",
        "kind_name_appendix": "Appendix: evidence ledger",
        "kind_name_letters": "Letters to the bidders",
        "letters_after_final": "The letters to the bidders are made once the tender is final.",
        "download_letters": "Letters to the bidders (zip)",
        "letters_title": "Letters telling each bidder its result",
        "no_such_sheet": "There is no such sheet.",
        "none": "none",
        "yes": "yes",
        "no": "no",
        "of": "of",
    },
}


# Domain words the layout uses: as labels of their own, or inside a label as `{key}`.
_DOMAIN_WORDS: Final[Mapping[str, tuple[str, str]]] = {
    "chair": ("role", "chair"),
    "evaluator": ("role", "evaluator"),
    "conflict_declared": ("sheet_state", "conflict"),
}


@cache
def labels(lang: str) -> Mapping[str, str]:
    """The labels of the report in `lang` ("zh" or "en"), domain words included."""
    try:
        layout = LABELS[lang]
    except KeyError:
        raise ValueError(f"unknown report language '{lang}'; use zh or en") from None
    domain = {key: word(table, code, lang) for key, (table, code) in _DOMAIN_WORDS.items()}
    filled = {key: _fill(text, domain) for key, text in layout.items()}
    return {**filled, **domain}


def _fill(text: str, domain: Mapping[str, str]) -> str:
    for key, value in domain.items():
        text = text.replace("{" + key + "}", value)
    return text
