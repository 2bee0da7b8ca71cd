"""The domain's words in 简体中文 and English: one table that every surface reads.

The results page, the PDF, the spreadsheet export and `selector score` name rule kinds,
aggregation methods, flag kinds, tender and sheet states, roles, transitions, choice values
and audit events with these words and no others, so that a flag kind or a state reads the
same on the web and in the signed report. Layout words (a report's section titles, a page's
button texts) stay with their surface: `reports/labels.py` and the Flask-Babel catalogs.

`word(table, code, lang)` is the one lookup; an unknown code comes back as itself rather than
failing, so a record written by an older version still shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from selector.scoring.model import Text

# --- what a criterion is and how the panel is aggregated --------------------------------------

RULE_KIND_NAMES: Final[Mapping[str, Text]] = {
    "tiered": Text("满足 / 部分满足 / 不满足", "Full / partial / none"),
    "binary": Text("能提供 / 不能提供", "Can provide / cannot"),
    "scale": Text("区间打分", "Number on a scale"),
    "grade": Text("等级评定", "Grade"),
    "price_rank": Text("价格排序法", "Price rank"),
    "price_ratio": Text("低价优先法(最低价 / 报价)", "Price ratio (lowest / amount)"),
    "gate": Text("资格审查(通过 / 不通过)", "Pass / fail gate"),
}

METHOD_NAMES: Final[Mapping[str, Text]] = {
    "mean": Text("评委评分平均值", "Mean of the evaluators"),
    "trimmed": Text(
        "截尾平均值(5 名及以上评委评分时去掉一个最高分和一个最低分)",
        "Trimmed mean (drop highest and lowest when 5 or more scored)",
    ),
    "median": Text("评委评分中位数", "Median of the evaluators"),
}

# The options of the fixed choice kinds; a grade's levels carry their own labels.
CHOICE_NAMES: Final[Mapping[str, Text]] = {
    "full": Text("满足", "Meets the requirement"),
    "partial": Text("部分满足", "Partially meets"),
    "none": Text("不满足", "Does not meet"),
    "yes": Text("能提供", "Can provide"),
    "no": Text("不能提供", "Cannot provide"),
    "pass": Text("通过", "Pass"),
    "fail": Text("不通过", "Fail"),
}

# --- what the decision checks raise -----------------------------------------------------------

FLAG_KIND_NAMES: Final[Mapping[str, Text]] = {
    "divergence": Text("评分分歧", "Divergent score"),
    "outlier_evaluator": Text("评委评分异常", "Outlier evaluator"),
    "low_bid": Text("异常低价", "Abnormally low bid"),
    "fragile": Text("结果不稳定", "Fragile result"),
}

# --- people, tenders and sheets ---------------------------------------------------------------

ROLE_NAMES: Final[Mapping[str, Text]] = {
    "admin": Text("管理员", "Administrator"),
    "chair": Text("评审主任", "Chair"),
    "evaluator": Text("评委", "Evaluator"),
    "observer": Text("观察员", "Observer"),
}

TENDER_STATE_NAMES: Final[Mapping[str, Text]] = {
    "draft": Text("草稿", "Draft"),
    "open": Text("评分中", "Open for scoring"),
    "closed": Text("评分已关闭", "Scoring closed"),
    "finalised": Text("已定稿", "Finalised"),
}

SHEET_STATE_NAMES: Final[Mapping[str, Text]] = {
    "missing": Text("未开始", "Not started"),
    "draft": Text("草稿", "Draft"),
    "submitted": Text("已提交", "Submitted"),
    "conflict": Text("已声明利益冲突", "Conflict declared"),
}

TRANSITION_NAMES: Final[Mapping[str, Text]] = {
    "open": Text("开放评分", "Open scoring"),
    "close": Text("关闭评分", "Close scoring"),
    "prices": Text("开启报价信封", "Open the price envelope"),
    "finalise": Text("定稿", "Finalise"),
    "reopen": Text("重新开放评分", "Reopen scoring"),
}

# --- the sheets of the exported workbook (`reports/workbook.py`; read back by `files/workbook.py`)

EXPORT_SHEET_NAMES: Final[Mapping[str, Text]] = {
    "summary": Text("汇总", "Summary"),
    "groups": Text("分组得分", "Groups"),
    "points": Text("单项得分", "Points"),
    "weights": Text("权重", "Weights"),
    "entries": Text("评分录入", "Entries"),
    "bids": Text("报价", "Bids"),
    "consensus": Text("共识", "Consensus"),
    "rates": Text("汇率", "Rates"),
    "flags": Text("提示", "Flags"),
    "method": Text("计算方法", "Method"),
}

# --- the audit trail: one sentence per action the services record -----------------------------
#
# Placeholders name the event's detail keys (and `actor`); `services/history.py` fills them
# with display values (a criterion's title, a value in the criterion's own words, a state's
# name). A detail the sentence does not use is listed under it, named by DETAIL_NAMES.

AUDIT_SENTENCES: Final[Mapping[str, Text]] = {
    "user.create": Text(
        "{actor} 创建了用户 {user}({role})", "{actor} created the user {user} ({role})"
    ),
    "user.enable": Text("{actor} 启用了用户 {user}", "{actor} enabled the user {user}"),
    "user.disable": Text("{actor} 停用了用户 {user}", "{actor} disabled the user {user}"),
    "user.password": Text(
        "{actor} 为 {user} 设置了新密码", "{actor} set a new password for {user}"
    ),
    "user.contact": Text(
        "{actor} 设置了 {user} 的电子邮箱和语言", "{actor} set the e-mail and language of {user}"
    ),
    "login": Text("{actor} 登录", "{actor} logged in"),
    "login.failed": Text("以 {username} 登录失败", "A login as {username} failed"),
    "logout": Text("{actor} 退出了所有登录", "{actor} logged out everywhere"),
    "tender.create": Text(
        "{actor} 以评分模板 {template} 创建了项目 {name}",
        "{actor} created the tender {name} on the template {template}",
    ),
    "tender.settings": Text("{actor} 修改了项目设置", "{actor} changed the tender's settings"),
    "tender.template": Text(
        "{actor} 将评分模板换为 {template}", "{actor} put the tender on the template {template}"
    ),
    "tender.change": Text("{actor} 更改了项目的数据", "{actor} changed the tender's data"),
    "audit.baseline": Text(
        "审计链启用时项目的数据(作为基准)",
        "The tender's data when the audit chain began (the baseline)",
    ),
    "tender.delete": Text(
        "{actor} 删除了草稿项目 {name}", "{actor} deleted the draft tender {name}"
    ),
    "tender.open": Text(
        "{actor} 开放评分({from} → {to})", "{actor} opened scoring ({from} → {to})"
    ),
    "tender.close": Text(
        "{actor} 关闭评分({from} → {to}),已提交 {submitted} / {expected} 份评分表",
        "{actor} closed scoring ({from} → {to}) with {submitted} of {expected} sheets submitted",
    ),
    "tender.finalise": Text(
        "{actor} 定稿({from} → {to}),第一名 {winner}",
        "{actor} finalised the tender ({from} → {to}); the winner is {winner}",
    ),
    "tender.reopen": Text(
        "{actor} 重新开放评分({from} → {to})", "{actor} reopened scoring ({from} → {to})"
    ),
    "prices.open": Text(
        "{actor} 开启了报价信封({bids} 条报价;已提交 {submitted} / {expected} 份评分表)",
        "{actor} opened the price envelope ({bids} bids; {submitted} of {expected} sheets "
        "submitted)",
    ),
    "vendor.add": Text("{actor} 添加了投标人 {vendor}", "{actor} added the vendor {vendor}"),
    "vendor.remove": Text("{actor} 移除了投标人 {vendor}", "{actor} removed the vendor {vendor}"),
    "bid.set": Text(
        "{actor} 将 {vendor} · {component} 的报价设为 {amount} {currency}",
        "{actor} set the bid of {vendor} · {component} to {amount} {currency}",
    ),
    "bid.change": Text(
        "{actor} 在报价信封开启后将 {vendor} · {component} 的报价改为 {amount} {currency}",
        "{actor} changed the opened bid of {vendor} · {component} to {amount} {currency}",
    ),
    "bid.remove": Text(
        "{actor} 删除了 {vendor} · {component} 的报价 {amount} {currency}",
        "{actor} removed the bid of {vendor} · {component}, {amount} {currency}",
    ),
    "bids.upload": Text(
        "{actor} 从文件 {file} 导入了 {bids} 条报价", "{actor} uploaded {bids} bids from {file}"
    ),
    "rate.set": Text(
        "{actor} 将 {currency} 的汇率设为 {rate}", "{actor} set the rate of {currency} to {rate}"
    ),
    "rate.change": Text(
        "{actor} 在报价信封开启后将 {currency} 的汇率改为 {rate}",
        "{actor} changed the opened rate of {currency} to {rate}",
    ),
    "rate.remove": Text(
        "{actor} 删除了 {currency} 的汇率", "{actor} removed the rate of {currency}"
    ),
    "assignment.set": Text(
        "{actor} 指派 {evaluator} 评审:{groups};{can_see_prices}",
        "{actor} assigned {evaluator} to {groups}; {can_see_prices}",
    ),
    "assignment.remove": Text(
        "{actor} 取消了 {evaluator} 的评审指派", "{actor} removed {evaluator} from the committee"
    ),
    "conflict.declare": Text(
        "{actor} 声明了利益冲突:{conflicts}", "{actor} declared conflicts of interest: {conflicts}"
    ),
    "sheet.save": Text(
        "{actor} 保存了对 {vendor} 的评分表草稿(已填 {answered} 项)",
        "{actor} saved a draft sheet for {vendor} ({answered} answered)",
    ),
    "sheet.submit": Text(
        "{actor} 提交了对 {vendor} 的评分表(已填 {answered} 项)",
        "{actor} submitted the sheet for {vendor} ({answered} answered)",
    ),
    "sheet.return": Text(
        "{actor} 将 {evaluator} 对 {vendor} 的评分表退回修改",
        "{actor} returned the sheet of {evaluator} for {vendor}",
    ),
    "sheets.import": Text(
        "{actor} 导入了 {sheets} 份评分表,共 {entries} 项评分",
        "{actor} imported {sheets} sheets with {entries} entries",
    ),
    "consensus.set": Text(
        "{actor} 将 {vendor} · {criterion} 的共识值设为 {value}",
        "{actor} set the consensus of {vendor} · {criterion} to {value}",
    ),
    "consensus.remove": Text(
        "{actor} 撤回了 {vendor} · {criterion} 的共识值 {value}",
        "{actor} withdrew the consensus of {vendor} · {criterion}, {value}",
    ),
    "flag.review": Text("{actor} 复核了提示事项 {flag}", "{actor} reviewed the flag {flag}"),
    "document.upload": Text(
        "{actor} 上传了 {vendor} 的{envelope} {file}(SHA-256 {sha256})",
        "{actor} uploaded the {envelope} document {file} of {vendor} (SHA-256 {sha256})",
    ),
    "document.link": Text(
        "{actor} 将 {vendor} 的文件 {file} 关联到评分项 {criterion}",
        "{actor} linked {file} of {vendor} to the criterion {criterion}",
    ),
    "document.unlink": Text(
        "{actor} 取消了 {vendor} 的文件 {file} 与评分项 {criterion} 的关联",
        "{actor} unlinked {file} of {vendor} from the criterion {criterion}",
    ),
    "document.download": Text(
        "{actor} 下载了 {vendor} 的文件 {file}(SHA-256 {sha256})",
        "{actor} downloaded {file} of {vendor} (SHA-256 {sha256})",
    ),
    "document.delete": Text(
        "{actor} 删除了 {vendor} 的{envelope} {file}(SHA-256 {sha256})",
        "{actor} deleted the {envelope} document {file} of {vendor} (SHA-256 {sha256})",
    ),
    "access.denied": Text(
        "{actor} 被拒绝访问 {path}({status})", "{actor} was refused {path} ({status})"
    ),
    "report.download": Text(
        "{actor} 下载了{document}({lang})", "{actor} downloaded {document} ({lang})"
    ),
    "log.export": Text(
        "{actor} 导出了审计日志({format})", "{actor} exported the audit log ({format})"
    ),
    "signoff.approve": Text("{actor} 签署同意评审结果", "{actor} signed to approve the result"),
    "signoff.dissent": Text(
        "{actor} 签署不同意见:{reason}", "{actor} signed a dissent: {reason}"
    ),
    "signoff.absent": Text(
        "{actor} 记录 {member} 未签字(视为同意):{reason}",
        "{actor} recorded that {member} did not sign (deemed to agree): {reason}",
    ),
    "signoff.chair": Text(
        "{actor}(评审主任)最后签署,签字完成", "{actor} signed last as the chair: sign-off complete"
    ),
    "reauth.failed": Text(
        "{actor} 签署时输入的密码不正确", "{actor} gave a wrong password when signing"
    ),
    "tender.due": Text(
        "{actor} 将评分截止日期设为 {due}", "{actor} set the scoring due date to {due}"
    ),
    "reminder.send": Text(
        "{actor} 向 {recipients} 发送了评分提醒", "{actor} sent a scoring reminder to {recipients}"
    ),
    "reminder.auto": Text(
        "系统在截止日期 {due} 前自动提醒了 {recipients}",
        "An automatic reminder before the due date {due} went to {recipients}",
    ),
}

# A failed login whose username names no account (what was typed is not kept).
UNKNOWN_LOGIN: Final = Text("以不存在的用户名登录失败", "A login with an unknown username failed")

# A declaration that names no vendor.
NO_CONFLICT: Final = Text(
    "{actor} 声明与各投标人均无利益冲突", "{actor} declared no conflict of interest"
)
# What a sentence adds when the event kept the value it replaced.
WAS: Final = Text("(原为 {before})", " (was {before})")
# Who did it, when an event has no actor (a deleted user, the system).
NOBODY: Final = Text("(已删除的用户)", "(a deleted user)")
# Who did it, when the command line did (`selector report` / `export` on a stored tender):
# the operating-system user who ran it.
COMMAND_LINE: Final = Text("命令行用户 {os_user}", "{os_user} on the command line")
NONE: Final = Text("无", "none")
ALL_GROUPS: Final = Text("全部分组", "every group")
PRICES_SHOWN: Final = Text("可查看报价", "prices shown")
PRICES_HIDDEN: Final = Text("不可查看报价", "prices hidden")
# A bid amount or rate of a sealed price envelope, wherever a value would be shown.
SEALED: Final = Text("(密封)", "(sealed)")
BOOLEANS: Final[Mapping[bool, Text]] = {True: Text("是", "yes"), False: Text("否", "no")}

DETAIL_NAMES: Final[Mapping[str, Text]] = {
    "changes": Text("更改的数据", "changed values"),
    "actor": Text("操作人", "by"),
    "user": Text("用户", "user"),
    "username": Text("用户名", "username"),
    "role": Text("角色", "role"),
    "name": Text("名称", "name"),
    "organisation": Text("组织", "organisation"),
    "template": Text("评分模板", "template"),
    "source": Text("模板来源", "template source"),
    "tender_id": Text("项目编号", "tender number"),
    "base_currency": Text("本位币", "base currency"),
    "method": Text("汇总方法", "aggregation"),
    "divergence": Text("评分分歧阈值", "divergence threshold"),
    "low_bid": Text("异常低价阈值", "low-bid threshold"),
    "before": Text("原值", "before"),
    "after": Text("新值", "after"),
    "from": Text("原状态", "from"),
    "to": Text("新状态", "to"),
    "submitted": Text("已提交", "submitted"),
    "expected": Text("应提交", "expected"),
    "winner": Text("第一名", "winner"),
    "fingerprint": Text("评分输入指纹", "input fingerprint"),
    "reason": Text("理由", "reason"),
    "vendor": Text("投标人", "vendor"),
    "component": Text("费用项", "cost component"),
    "amount": Text("报价", "amount"),
    "currency": Text("币种", "currency"),
    "rate": Text("汇率", "rate"),
    "file": Text("文件", "file"),
    "bids": Text("报价数", "bids"),
    "new_vendors": Text("新投标人", "new vendors"),
    "evaluator": Text("评委", "evaluator"),
    "groups": Text("评审分组", "groups"),
    "can_see_prices": Text("可查看报价", "sees prices"),
    "conflicts": Text("利益冲突", "conflicts"),
    "statement": Text("声明", "statement"),
    "answered": Text("已填项数", "answered"),
    "sheets": Text("评分表数", "sheets"),
    "entries": Text("评分项数", "entries"),
    "criterion": Text("评分项", "criterion"),
    "due": Text("截止日期", "due date"),
    "was": Text("原截止日期", "due date before"),
    "recipients": Text("收件人", "recipients"),
    "language": Text("语言", "language"),
    "value": Text("共识值", "value"),
    "flag": Text("提示事项", "flag"),
    "note": Text("复核意见", "review note"),
    "envelope": Text("文件类别", "envelope"),
    "sha256": Text("SHA-256 哈希值", "SHA-256"),
    "size": Text("大小(字节)", "size (bytes)"),
    "page": Text("页码或章节", "page or section"),
    "status": Text("结果", "answer"),
    "path": Text("地址", "address"),
    "document": Text("文件", "document"),
    "lang": Text("语言", "language"),
    "sheet": Text("工作表", "sheet"),
    "format": Text("格式", "format"),
    "filters": Text("筛选条件", "filters"),
    "member": Text("评委", "member"),
    "os_user": Text("系统用户", "operating-system user"),
}

# What was downloaded (`report.download`) and why a request was refused (`access.denied`).
DOCUMENT_NAMES: Final[Mapping[str, Text]] = {
    "report": Text("领导决策报告", "the leadership report"),
    "appendix": Text("报告附录", "the report's appendix"),
    "letters": Text("全部投标人通知书", "every bidder's letter"),
    "letter": Text("一封投标人通知书", "a bidder's letter"),
    "workbook": Text("电子表格(xlsx)", "the workbook (xlsx)"),
    "csv": Text("CSV 工作表", "a CSV sheet"),
}
DENIAL_NAMES: Final[Mapping[str, Text]] = {
    "403": Text("无权操作", "not allowed"),
    "404": Text("无权查看", "not theirs to see"),
}
LANGUAGE_NAMES: Final[Mapping[str, Text]] = {
    "zh": Text("中文", "Chinese"),
    "en": Text("英文", "English"),
}

# The kinds of event the audit log filters by (`services/auditlog.py` says which actions).
AUDIT_KINDS: Final[Mapping[str, Text]] = {
    "scoring": Text("评分表与利益冲突声明", "Score sheets and declarations"),
    "bids": Text("报价与汇率", "Bids and rates"),
    "setup": Text("项目设置、投标人与评委", "Setup, vendors and committee"),
    "decisions": Text("共识值与提示复核", "Consensus and flag reviews"),
    "state": Text("项目状态", "Tender state"),
    "documents": Text("投标文件", "Bid documents"),
    "signoff": Text("签字", "Sign-off"),
    "downloads": Text("下载与导出", "Downloads and exports"),
    "access": Text("登录与拒绝访问", "Logins and refusals"),
    "users": Text("用户管理", "Users"),
}

# A sign-off as a change line names it (`signoff:<login>` in an event's changes).
SIGNOFF_NAMES: Final[Mapping[str, Text]] = {
    "approve": Text("同意", "approved"),
    "dissent": Text("不同意", "dissent"),
    "absent": Text("未签字(视为同意)", "did not sign (deemed to agree)"),
}

# The lines an event's changed values become in the log (`services/history.py`).
CHANGED: Final = Text("{what}:{before} → {after}", "{what}: {before} → {after}")
ENTRY_OF: Final = Text("{who} · {vendor} · {criterion}", "{who} · {vendor} · {criterion}")
BID_OF: Final = Text("{vendor} · {component} 的报价", "bid of {vendor} · {component}")
RATE_OF: Final = Text("{currency} 的汇率", "rate of {currency}")
CONSENSUS_OF: Final = Text(
    "{vendor} · {criterion} 的共识值", "consensus of {vendor} · {criterion}"
)
SIGNOFF_OF: Final = Text("{who} 的签字", "sign-off of {who}")
# A person where the login matters too (`selector audit verify`: what to look for in the
# database): the display name, then the login.
PERSON_AND_LOGIN: Final = Text("{name}({login})", "{name} ({login})")
REMOVED_VENDOR: Final = Text("(已移除的投标人)", "(a removed vendor)")
HIDDEN_ENTRIES: Final = Text(
    "更改了 {n} 项评分:评分关闭后方可查看其值",
    "{n} entries changed: their values are shown once scoring is closed",
)
MORE_CHANGES: Final = Text(
    "……另有 {n} 项更改(selector audit verify 可逐项列出)",
    "… and {n} more changes (selector audit verify lists each)",
)

# Which envelope of a bid a document belongs to, as a sentence names it.
ENVELOPE_NAMES: Final[Mapping[str, Text]] = {
    "technical": Text("技术文件", "technical"),
    "price": Text("报价文件", "price"),
}

VOCABULARY: Final[Mapping[str, Mapping[str, Text]]] = {
    "rule_kind": RULE_KIND_NAMES,
    "method": METHOD_NAMES,
    "choice": CHOICE_NAMES,
    "flag_kind": FLAG_KIND_NAMES,
    "role": ROLE_NAMES,
    "tender_state": TENDER_STATE_NAMES,
    "sheet_state": SHEET_STATE_NAMES,
    "transition": TRANSITION_NAMES,
    "export_sheet": EXPORT_SHEET_NAMES,
    "audit": AUDIT_SENTENCES,
    "envelope": ENVELOPE_NAMES,
    "detail": DETAIL_NAMES,
    "document": DOCUMENT_NAMES,
    "denial": DENIAL_NAMES,
    "language": LANGUAGE_NAMES,
    "audit_kind": AUDIT_KINDS,
    "signoff": SIGNOFF_NAMES,
}


def name(table: str, code: str) -> Text:
    """The words for `code` in the vocabulary `table` (e.g. "tender_state", "open"); an
    unknown code stands for itself in both languages."""
    found = VOCABULARY[table].get(code)
    return found if found is not None else Text(code, code)


def word(table: str, code: str, lang: str) -> str:
    """`name(table, code)` in `lang` ("zh" or "en")."""
    return name(table, code).get(lang)
