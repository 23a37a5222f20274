"""整改督办单：每个责任单位一份 Word（可转 PDF），公文版式，期号与同期通报相同（Issue 32 第 5 部分）。

数字只来自通报的 Brief（同一批查询、同一个数据指纹）：
- “逾期”= 该单位牵头、截至统计时刻逾期、整改记录顺序不存疑的问题，正等于通报逾期表（红黑榜 league_units）里该单位的那一行；
- “7天内到期”= 该单位牵头、整改期限在统计时刻后 7 天内的在办问题（与整改督办页同一查询）；
- “配合逾期”= 该单位是配合单位、别的单位牵头的逾期问题。
有逾期或 7 天内到期的问题（牵头或配合）的单位才发督办单；其余单位写进发送清单并写明为什么不发。

包外用法（页面、命令行、以后的定时发送）：`build(brief)` 得到 NoticeSet；`files()` 给出 {文件名: 字节}
（每个单位的 .docx、可选的 .pdf，和发送清单 .xlsx），`zip_bytes()` 打成一个 zip。
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pandas as pd
from docx import Document

from chuangwen import excel, formats, settings, supervision
from chuangwen.briefing import wordlayout
from chuangwen.briefing.document import REQUIRED, Line, TemplateError, chinese_count, parse_template, write
from chuangwen.briefing.figures import PERIODS, Brief, clock, stamp

DEFAULT_TEMPLATE = Path(__file__).with_name("duban.txt")
FIGURES = (
    "县名",
    "年份",
    "期数",
    "发文日期",
    "统计时刻",
    "统计区间",
    "通报名称",
    "单位",
    "逾期",
    "逾期30天以上",
    "逾期情况",
    "逾期销号要求",
    "亲自过问",
    "7天内到期",
    "配合逾期",
    "存疑未计",
    "清单说明",
    "办结时限",
    "数据指纹",
)
TABLES = ("逾期问题", "7天内到期问题", "配合的逾期问题")
WIDTHS_CM = {
    "逾期问题": (3.0, 3.0, 5.3, 2.7, 1.6),
    "7天内到期问题": (3.0, 3.0, 6.9, 2.7),
    "配合的逾期问题": (3.0, 2.4, 2.6, 4.3, 1.6, 1.7),
}
ALIGN = {"逾期问题": "cllcc", "7天内到期问题": "cllc", "配合的逾期问题": "ccllcc"}
DUE_DAYS = 7  # 办结时限：统计时刻后一周（一周一通报）
NOTICE_ROWS = 200  # 单上每张表最多列这么多条（逾期最久、最早到期的在前），全部清单随单另附 Excel
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


@dataclass(frozen=True)
class Notice:
    """一个单位的督办单：单位、文件名、Word 字节与单上的几个数。"""

    unit_code: str
    unit_name: str
    file_name: str
    docx: bytes
    overdue: int
    overdue_over_30: int
    due_soon: int
    coop_overdue: int
    full_list_name: str | None = None  # 单上的表没列全时，随单的全部清单 Excel 的文件名

    @property
    def rows(self) -> int:
        """单上列出的问题行数（审计的“行数”）。"""
        return self.overdue + self.due_soon + self.coop_overdue


@dataclass
class NoticeSet:
    """一期督办单：发出的各份，与发送清单（每个单位一行，不发的写明原因）。"""

    brief: Brief
    notices: list[Notice] = field(default_factory=list)
    roster: pd.DataFrame = field(default_factory=pd.DataFrame)
    lists: dict[str, dict[str, pd.DataFrame]] = field(default_factory=dict)

    @property
    def skipped(self) -> int:
        """发送清单里不发督办单的单位数。"""
        return len(self.roster) - len(self.notices)

    def for_unit(self, unit_code: str) -> Notice | None:
        return next((n for n in self.notices if n.unit_code == unit_code), None)

    @property
    def roster_name(self) -> str:
        return f"{_prefix(self.brief)}_督办单发送清单.xlsx"

    def roster_workbook(self) -> bytes:
        return excel.to_xlsx(
            {"发送清单": self.roster},
            note=f"{self.brief.title} 第{self.brief.issue_no}期的督办单；统计时刻 {formats.moment(self.brief.as_of)}；"
            f"数据指纹 {self.brief.short_digest}；由创文看板导出",
        )

    def files(self, *, pdf: bool = False) -> dict[str, bytes]:
        """{文件名: 字节}：每个单位的 .docx（pdf 时另加同名 .pdf，LibreOffice 一次转完）与发送清单 .xlsx。"""
        out = {n.file_name: n.docx for n in self.notices}
        for n in self.notices:
            if n.full_list_name:
                out[n.full_list_name] = self.full_list(n)
        if pdf and self.notices:
            out.update(wordlayout.to_pdf_many({n.file_name: n.docx for n in self.notices}))
        out[self.roster_name] = self.roster_workbook()
        return out

    def zip_bytes(self, *, pdf: bool = False) -> bytes:
        """全部督办单打成一个 zip（文件名用 UTF-8）。"""
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in sorted(self.files(pdf=pdf).items()):
                info = zipfile.ZipInfo(name, date_time=self.brief.as_of.timetuple()[:6])
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, data)
        return buf.getvalue()

    def full_list(self, notice: Notice) -> bytes:
        """一个单位的全部清单（Excel）：单上列不下时随单发出，与单上同一批行。"""
        got = self.lists.get(notice.unit_code, {})
        sheets = {
            title: supervision.display_ledger(got[key], for_excel=True)
            for key, title in (
                ("逾期", "逾期（牵头）"),
                ("7天内到期", "7天内到期（牵头）"),
                ("配合逾期", "逾期（配合）"),
            )
            if key in got
        }
        return excel.to_xlsx(
            sheets,
            note=f"{notice.unit_name}督办单的全部清单；{self.brief.title} 第{self.brief.issue_no}期；"
            f"统计时刻 {formats.moment(self.brief.as_of)}；数据指纹 {self.brief.short_digest}；由创文看板导出",
        )

    @property
    def zip_name(self) -> str:
        return f"{_prefix(self.brief)}_督办单.zip"


def _prefix(brief: Brief) -> str:
    return f"{brief.county_name}{PERIODS[brief.period.key]}_第{brief.issue_no}期_{brief.as_of:%Y%m%d}"


def file_name(brief: Brief, unit_name: str) -> str:
    safe = _UNSAFE.sub("_", unit_name).strip("_") or "单位"
    return f"{_prefix(brief)}_督办单_{safe}.docx"


def load_template() -> tuple[str, str]:
    """督办单模板文字与来源：设置 CHUANGWEN_NOTICE_TEMPLATE 指向办公室自己的一份，没有时用内置的 duban.txt。"""
    path = Path(settings.get("notice_template") or DEFAULT_TEMPLATE)
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"读不了督办单模板 {path}：{exc}") from None


def parse(text: str, source: str) -> list[Line]:
    return parse_template(text, source, figures=FIGURES, tables=TABLES, required=REQUIRED, what="督办单模板")


# ---------------------------------------------------------------- 数（纯数据，测试直接核对）


def unit_lists(brief: Brief) -> dict[str, dict[str, pd.DataFrame]]:
    """每个单位的三张清单（原始台账行）：牵头且逾期（不含记录顺序存疑的）、牵头且 7 天内到期、配合且逾期；
    另给牵头且逾期但记录顺序存疑的（不计入逾期数，单上写明）。只列有内容的单位。"""
    late = brief.frames["overdue_list"]
    soon = brief.frames["due_soon_list"]
    units = brief.frames["league_units"]
    code_of = dict(zip(units["unit_name"], units["unit_code"]))
    flagged = late["data_quality"].notna() & (late["data_quality"].astype(str) != "")
    out: dict[str, dict[str, pd.DataFrame]] = {}

    def slot(code: str) -> dict[str, pd.DataFrame]:
        return out.setdefault(code, {})

    for code, rows in late[~flagged].groupby("lead_unit_code", sort=False):
        slot(str(code))["逾期"] = rows
    for code, rows in late[flagged].groupby("lead_unit_code", sort=False):
        slot(str(code))["存疑"] = rows
    for code, rows in soon.groupby("lead_unit_code", sort=False):
        slot(str(code))["7天内到期"] = rows.sort_values(["deadline", "problem_code"])
    coop = late.assign(coop=late["coop_units"].fillna("").str.split("、")).explode("coop")
    coop = coop[coop["coop"].isin(code_of)]
    for name, rows in coop.groupby("coop", sort=False):
        code = code_of[str(name)]
        rows = rows[rows["lead_unit_code"] != code].drop(columns="coop")
        if len(rows):
            slot(code)["配合逾期"] = rows
    return out


def roster(brief: Brief, lists: dict[str, dict[str, pd.DataFrame]], sent: dict[str, str]) -> pd.DataFrame:
    """发送清单：每个单位一行（条在前、块在后，按名称），写明发不发、为什么不发。"""
    units = brief.frames["league_units"].sort_values(["kind", "unit_name"], ascending=[False, True])
    rows = []
    for u in units.itertuples(index=False):
        got = lists.get(str(u.unit_code), {})
        n = {k: len(got.get(k, ())) for k in ("逾期", "7天内到期", "配合逾期", "存疑")}
        open_now = int(u.open_now) if pd.notna(u.open_now) else 0
        if u.unit_code in sent:
            what = sent[u.unit_code]
        elif open_now == 0 and not n["配合逾期"]:
            what = "不发：没有在办问题"
        else:
            what = "不发：没有逾期或 7 天内到期的问题"
        rows.append(
            {
                "单位": u.unit_name,
                "类别": u.kind,
                "在办（牵头）": open_now,
                "逾期（牵头）": n["逾期"],
                "7天内到期（牵头）": n["7天内到期"],
                "逾期（配合）": n["配合逾期"],
                "记录顺序存疑（未计入）": n["存疑"],
                "督办单": what,
            }
        )
    return pd.DataFrame(rows)


def _tables(got: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    empty = supervision.display_ledger(pd.DataFrame(columns=_LEDGER_COLUMNS))

    def shown(key: str) -> pd.DataFrame:
        return supervision.display_ledger(got[key].head(NOTICE_ROWS)) if key in got else empty

    late, soon, coop = shown("逾期"), shown("7天内到期"), shown("配合逾期")
    return {
        "逾期问题": late[["问题编号", "点位", "问题描述", "整改期限", "逾期天数"]],
        "7天内到期问题": soon[["问题编号", "点位", "问题描述", "整改期限"]],
        "配合的逾期问题": coop[["问题编号", "牵头单位", "点位", "问题描述", "逾期天数", "整改期限"]],
    }


_LEDGER_COLUMNS = [
    "problem_code",
    "found_at",
    "township",
    "site",
    "category",
    "description",
    "lead_unit",
    "coop_units",
    "status",
    "deadline",
    "days_overdue",
    "overdue_bucket",
    "due_this_week",
    "rejected_count",
    "reopened_count",
    "last_event_at",
    "data_quality",
]


def truncated(got: dict[str, pd.DataFrame]) -> bool:
    """单上有没有哪张表没列全（超过 NOTICE_ROWS 条）。"""
    return any(len(rows) > NOTICE_ROWS for key, rows in got.items() if key != "存疑")


def full_list_name(brief: Brief, unit_name: str) -> str:
    return file_name(brief, unit_name).replace(".docx", "_全部清单.xlsx")


def values(brief: Brief, unit_name: str, got: dict[str, pd.DataFrame]) -> dict[str, str | None]:
    late = got.get("逾期")
    doubtful = got.get("存疑")
    overdue = 0 if late is None else len(late)
    over_30 = 0 if late is None else int((late["days_overdue"] > 30).sum())
    due = formats.day((brief.as_of + timedelta(days=DUE_DAYS)).date())
    # 没有逾期（或没有逾期 30 天以上）的单位：不写“逾期 0 条”，也不为零条问题提销号、亲自过问的要求（整句为空，段落不写）
    return {
        "县名": brief.county_name or None,
        "年份": str(brief.as_of.year),
        "期数": str(brief.issue_no),
        "发文日期": formats.day(brief.as_of.date()),
        "统计时刻": clock(brief.as_of),
        "统计区间": brief.period_text,
        "通报名称": f"《{brief.title}》",
        "单位": unit_name,
        "逾期": chinese_count(overdue),
        "逾期30天以上": chinese_count(over_30),
        "逾期情况": (
            f"逾期 {chinese_count(overdue)} 条（其中逾期 30 天以上 {chinese_count(over_30)} 条）"
            if overdue
            else "没有逾期的"
        ),
        "逾期销号要求": f"请于{due}前完成上述逾期问题的整改销号，" if overdue else "",
        "亲自过问": "逾期 30 天以上的问题，请单位主要负责同志亲自过问，逐条明确责任人。" if over_30 else "",
        "7天内到期": chinese_count(len(got.get("7天内到期", ()))),
        "配合逾期": chinese_count(len(got.get("配合逾期", ()))),
        "存疑未计": (
            ""
            if doubtful is None
            else f"另有 {len(doubtful)} 条逾期问题整改记录顺序存疑（"
            + "、".join(doubtful["problem_code"].astype(str))
            + "），未计入逾期数，请核实整改记录。"
        ),
        "清单说明": (
            f"每张表只列最要紧的 {NOTICE_ROWS} 条，全部清单见随单的 Excel《{full_list_name(brief, unit_name)}》。"
            if truncated(got)
            else ""
        ),
        "办结时限": due,
        "数据指纹": brief.short_digest,
    }


# ---------------------------------------------------------------- Word


def _document(brief: Brief, lines: list[Line], unit_name: str, got: dict[str, pd.DataFrame]) -> bytes:
    doc = Document()
    wordlayout.setup_page(
        doc,
        f"{brief.title} 第{brief.issue_no}期　数据截至 {formats.moment(brief.cutoff)}　数据指纹 {brief.short_digest}",
    )
    imprint = write(
        doc, lines, values(brief, unit_name, got), _tables(got), widths=WIDTHS_CM, align=ALIGN, table_pt=10.5
    )
    wordlayout.imprint(doc, imprint.get("抄送"), imprint["印发机关"], imprint["印发日期"])
    stamp(doc.core_properties, brief)
    doc.core_properties.title = f"{brief.title} 第{brief.issue_no}期 督办单：{unit_name}"
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def build(
    brief: Brief, template: str | None = None, source: str | None = None, *, units: set[str] | None = None
) -> NoticeSet:
    """一期的督办单：有逾期或 7 天内到期问题（牵头或配合）的每个单位一份；units 只做其中几个单位（单位账号只做自己的）。
    模板写错时抛 TemplateError，一份也不生成。"""
    if template is None:
        template, source = load_template()
    lines = parse(template, source or "（给定的模板）")
    lists = unit_lists(brief)
    names = dict(zip(brief.frames["league_units"]["unit_code"], brief.frames["league_units"]["unit_name"]))
    out = NoticeSet(brief, lists=lists)
    sent: dict[str, str] = {}
    for code in sorted(lists, key=lambda c: (names.get(c, c), c)):
        got = {k: v for k, v in lists[code].items() if k != "存疑"}
        if not got or code not in names or (units is not None and code not in units):
            continue
        name = names[code]
        late = lists[code].get("逾期")
        notice = Notice(
            unit_code=code,
            unit_name=name,
            file_name=file_name(brief, name),
            docx=_document(brief, lines, name, lists[code]),
            overdue=0 if late is None else len(late),
            overdue_over_30=0 if late is None else int((late["days_overdue"] > 30).sum()),
            due_soon=len(lists[code].get("7天内到期", ())),
            coop_overdue=len(lists[code].get("配合逾期", ())),
            full_list_name=full_list_name(brief, name) if truncated(lists[code]) else None,
        )
        out.notices.append(notice)
        sent[code] = notice.file_name
    out.roster = roster(brief, lists, sent)
    if units is not None:
        out.roster = out.roster[out.roster["单位"].isin([names.get(c) for c in units])].reset_index(drop=True)
    return out


__all__ = ["DEFAULT_TEMPLATE", "Notice", "NoticeSet", "build", "file_name", "roster", "unit_lists", "values"]
