"""周通报文稿（Word）：按文本模板（tongbao.txt，办公室可复制改写）与一期通报的数据（Brief）写成 .docx（Issue 18）。

版式参照 GB/T 9704-2012《党政机关公文格式》里一份通报用得到的部分：A4，上 37 毫米、下 35 毫米、左 28 毫米、右 26 毫米；
版头发文机关红色小标宋、期号、日期，下面一条红线；标题二号小标宋居中；正文三号仿宋，一级标题黑体、二级标题楷体；
页码四号宋体“— 1 —”，单页居右、双页居左。中文字体写在东亚字体槽（w:eastAsia）里，Word 与 LibreOffice 都按中文字体显示，
没装仿宋_GB2312 等字体的电脑按系统的中文字体替代。

数字只来自 Brief（与幻灯片同一批查询、同一个数据指纹）；模板只管文字。取不到的数字写【待补：名称】，不写错的数。
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from chuangwen import excel, formats, league, settings, supervision
from chuangwen.briefing import risk, wordlayout
from chuangwen.briefing.figures import (
    NEW_FOUND,
    PERIOD_WORDS,
    PERIODS,
    PREVIOUS_WORDS,
    Brief,
    _before,
    glossary,
    rank_png,
    rank_series,
    stamp,
)
from chuangwen.briefing.wordlayout import (
    BODY_PT,
    DOCX_MIME,
    FANGSONG,
    FONT_STAND_INS,
    HEAD_PT,
    HEITI,
    KAITI,
    RED,
    TITLE_PT,
    XIAOBIAOSONG,
    pdf_available,
    to_pdf,
)
from chuangwen.formats import Number

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

# 段落与表格（wordlayout 的积木；本模块里沿用原来的名字）
_para, _table = wordlayout.para, wordlayout.table

DEFAULT_TEMPLATE = Path(__file__).with_name("tongbao.txt")
KINDS = (
    "发文机关",
    "期号",
    "日期",
    "标题",
    "主送",
    "正文",
    "一级标题",
    "二级标题",
    "表格",
    "图",
    "附件",
    "落款",
    "落款日期",
    "抄送",
    "印发机关",
    "印发日期",
    "字体",
)
# 一份通报少不了的：版头、标题，和版记的印发机关、印发日期（GB/T 9704 §7.4）；模板缺了就不生成
REQUIRED = ("发文机关", "标题", "印发机关", "印发日期")
PICTURES = ("名次走势",)  # 【图】能放的图：与幻灯片同一张名次走势（印刷用黑白版；没有浏览器时写明没插图的原因）
FIGURES = (
    "县名",
    "年份",
    "期数",
    "周期",
    "上期",
    "统计区间",
    "发文日期",
    "数据截至",
    "新发现问题",
    "销号",
    "按期销号率",
    "按期销号率变化",
    "按期销号率与变化",
    "在办",
    "逾期",
    "逾期30天以上",
    "逾期30天以上单位",
    "7天内到期",
    "反弹",
    "反弹点位",
    "红榜部门",
    "黑榜部门",
    "红榜镇街",
    "黑榜镇街",
    "红黑榜规则",
    "全省名次",
    "逾期清单说明",
    "数据指纹",
    *risk.FIGURES,
)
# 改过名的数字：旧模板里写了旧名时，提示改成什么（“新增交办”把“新发现”和“交办”两个口径混成了一个数）
RENAMED = {"新增交办": "新发现问题", "未销号": "在办"}
TABLES = ("红黑榜·部门", "红黑榜·镇街", "逾期·按单位", "反弹点位", "逾期问题清单", "口径", risk.TABLE)
# 【字体】能改的位置与默认字体（公文字体名；服务器转 PDF 时按 fonts.conf 换成开源字体）
FONT_ROLES = {"版头": XIAOBIAOSONG, "标题": XIAOBIAOSONG, "正文": FANGSONG, "一级标题": HEITI, "二级标题": KAITI}
ANNEX_ROWS = 200  # 附件只列逾期最久的这么多条，其余的数写在表下，全部清单随文另附 Excel


class TemplateError(ValueError):
    """模板写错了（不认识的类型、数字名或表名，花括号不配对）：中文消息写明哪一行。"""


@dataclass(frozen=True)
class Line:
    kind: str
    text: str
    number: int


_LINE = re.compile(r"^【([^】]+)】\s*(.*)$")
_FIELD = re.compile(r"\{([^{}]*)\}")


def parse_template(
    text: str,
    source: str = "tongbao.txt",
    *,
    figures: tuple[str, ...] = FIGURES,
    tables: tuple[str, ...] = TABLES,
    required: tuple[str, ...] = REQUIRED,
    what: str = "通报模板",
) -> list[Line]:
    """模板 → 各行；写错时抛 TemplateError，消息写明第几行、错在哪（督办单的模板用同一套写法，数字与表另有一份）。"""
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{what} {source} 第 {number} 行"
        m = _LINE.match(line)
        if m is None:
            raise TemplateError(f"{where}：应以【类型】开头（如【正文】），实际为“{line[:20]}”")
        kind, body = m.group(1), m.group(2)
        if kind not in KINDS:
            raise TemplateError(f"{where}：不认识的类型【{kind}】；可用：{'、'.join(KINDS)}")
        if body.count("{") != body.count("}") or _FIELD.sub("", body).count("{") or _FIELD.sub("", body).count("}"):
            raise TemplateError(f"{where}：花括号不配对（数字写成 {{名称}}）")
        for name in _FIELD.findall(body):
            if name not in figures:
                hint = f"（已改名为 {{{RENAMED[name]}}}）" if name in RENAMED and RENAMED[name] in figures else ""
                raise TemplateError(f"{where}：不认识的数字 {{{name}}}{hint}；可用：{'、'.join(figures)}")
        if kind == "图" and body not in PICTURES:
            raise TemplateError(f"{where}：不认识的图“{body}”；可用：{'、'.join(PICTURES)}")
        if kind == "表格" and body not in tables:
            raise TemplateError(f"{where}：不认识的表“{body}”；可用：{'、'.join(tables)}")
        if kind == "附件":
            title, _, table = body.partition("|")
            if table.strip() not in tables:
                raise TemplateError(f"{where}：附件写成“附件名|表名”，表名可用：{'、'.join(tables)}")
        if kind == "字体":
            _check_font(body, where)
        lines.append(Line(kind, body, number))
    kinds = {line.kind for line in lines}
    for kind in required:
        if kind not in kinds:
            example = {"印发机关": "{县名}创建文明城市工作指挥部办公室", "印发日期": "{发文日期}"}.get(kind, "……")
            raise TemplateError(
                f"{what} {source} 缺少【{kind}】这一行（公文必须有；版记的印发机关、印发日期见 GB/T 9704 §7.4），"
                f"没有生成文档。请加一行，例如：【{kind}】{example}"
            )
    return lines


def _check_font(body: str, where: str) -> None:
    role, eq, font = (part.strip() for part in body.partition("="))
    if not eq or role not in FONT_ROLES:
        raise TemplateError(f"{where}：【字体】写成“位置=字体名”，位置可用：{'、'.join(FONT_ROLES)}；实际为“{body}”")
    if font not in FONT_STAND_INS:
        raise TemplateError(
            f"{where}：不认识的字体“{font}”；可用：{'、'.join(FONT_STAND_INS)}"
            "（服务器转 PDF 时各有对应的开源字体，见 README）"
        )


def fonts_of(lines: list[Line]) -> dict[str, str]:
    """模板【字体】行改过的字体（没写的用 FONT_ROLES 的默认）。"""
    out = dict(FONT_ROLES)
    for line in lines:
        if line.kind == "字体":
            role, _, font = (part.strip() for part in line.text.partition("="))
            out[role] = font
    return out


def load_template() -> tuple[str, str]:
    """模板文字与来源：设置 CHUANGWEN_BRIEF_TEMPLATE 指向办公室自己的一份，没有时用内置的 tongbao.txt。"""
    path = Path(settings.get("brief_template") or DEFAULT_TEMPLATE)
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"读不了通报模板 {path}：{exc}") from None


# ---------------------------------------------------------------- 数字（纯数据，测试直接核对）


def chinese_count(n: Number | None) -> str | None:
    """计数：一万以下写数字，一万以上写“1.23 万”。"""
    if n is None or pd.isna(n):
        return None
    n = int(n)
    if n < 10000:
        return str(n)
    return f"{n / 10000:.2f}".rstrip("0").rstrip(".") + " 万"


def _names(rows: pd.DataFrame, empty: str) -> str:
    return "、".join(str(v) for v in rows["名称"]) if len(rows) else empty


def figures(brief: Brief) -> dict[str, str | None]:
    """模板里每个 {名称} 的文字（取不到的为 None，写成【待补：名称】）。"""
    now = brief.frames["summary"].query("grouping_kind == '合计'")
    before = brief.frames["summary_prev"].query("grouping_kind == '合计'")
    hot = brief.frames["hot_summary"].iloc[0]
    ledger = brief.frames["ledger_summary"].iloc[0] if len(brief.frames.get("ledger_summary", ())) else None
    out: dict[str, str | None] = dict.fromkeys(FIGURES)
    out.update(
        {
            "县名": brief.county_name or None,
            "年份": str(brief.as_of.year),
            "期数": str(brief.issue_no),
            "周期": PERIOD_WORDS[brief.period.key],
            "上期": PREVIOUS_WORDS[brief.period.key],
            "统计区间": brief.period_text,
            "发文日期": formats.day(brief.as_of.date()),
            "数据截至": formats.moment(brief.cutoff),
            "新发现问题": chinese_count(hot["problems"]),
            "反弹": chinese_count(hot["rebounds"]),
            "数据指纹": brief.short_digest,
            "红黑榜规则": league.list_rules(league.configured_params()),
        }
    )
    if len(now):
        t = now.iloc[0]
        out["销号"] = chinese_count(t["closed_in_period"])
        out["在办"] = chinese_count(t["open_now"])
        out["逾期"] = chinese_count(t["overdue_now"])
        out["按期销号率"] = (
            formats.rate(t["closed_on_time_in_period"], t["closed_in_period"])
            if t["closed_in_period"]
            else "—（期内没有销号）"
        )
        if len(before):
            b = before.iloc[0]
            change = formats.rate_change(
                t["closed_on_time_in_period"],
                t["closed_in_period"],
                b["closed_on_time_in_period"],
                b["closed_in_period"],
            )
            out["按期销号率变化"] = "无可比数据" if change == "—" else change
        # 一句写完率与变化：期内没有销号时两件事放进一个括号（不写成“—（期内没有销号）（较上周无可比数据）”）
        if not t["closed_in_period"]:
            out["按期销号率与变化"] = f"—（期内没有销号；较{out['上期']}无可比数据）"
        elif out["按期销号率变化"] is not None:
            out["按期销号率与变化"] = f"{out['按期销号率']}（较{out['上期']}{out['按期销号率变化']}）"
    if ledger is not None:
        out["逾期30天以上"] = chinese_count(ledger["overdue_over_30"])
        out["7天内到期"] = chinese_count(ledger["due_this_week"])
    late = brief.frames.get("overdue_list")
    if late is not None:
        long = late[late["days_overdue"] > 30]
        by_unit = long.groupby("lead_unit").size().sort_values(ascending=False, kind="stable")
        by_unit = by_unit.reindex(sorted(by_unit.index, key=lambda u: (-by_unit[u], u)))
        shown = "、".join(f"{u} {n} 条" for u, n in by_unit.head(5).items())
        out["逾期30天以上单位"] = (
            "无" if by_unit.empty else shown + (f" 等 {len(by_unit)} 个单位" if len(by_unit) > 5 else "")
        )
        total = len(late)
        out["逾期清单说明"] = (
            "目前没有逾期问题"
            if total == 0
            else f"全部 {chinese_count(total)} 条逐条列出"
            if total <= ANNEX_ROWS
            else f"逾期时间最长的 {ANNEX_ROWS} 条逐条列出，全部 {chinese_count(total)} 条另附 Excel 清单"
        )
    rebounds = brief.frames["rebounds"]
    # 点位按幻灯片反弹清单的顺序（发现时间从新到旧），同一点位只写一次、注明条数
    sites = rebounds["site_name"].dropna().value_counts(sort=False)
    sites = sites.reindex(list(dict.fromkeys(rebounds["site_name"].dropna())))
    word = PERIOD_WORDS[brief.period.key]
    if rebounds.empty:
        out["反弹点位"] = f"{word}没有发现反弹问题。"
    elif len(sites):
        # 与幻灯片的反弹清单同一批（最新的若干条）、同一顺序，写它们的点位
        out["反弹点位"] = (
            f"{word}反弹问题 {chinese_count(hot['rebounds'])} 条，最新的 {len(rebounds)} 条出现在："
            + "、".join(f"{s}（{n} 条）" if n > 1 else s for s, n in sites.items())
            + "。"
        )
    else:
        out["反弹点位"] = (
            f"{word}反弹问题 {chinese_count(hot['rebounds'])} 条，最新的 {len(rebounds)} 条都没有登记点位。"
        )
    tables = boards(brief)
    for key, table in (("部门", "红黑榜·部门"), ("镇街", "红黑榜·镇街")):
        rows = tables[table]
        out[f"红榜{key}"] = _names(rows[rows["榜别"] == "红榜"], "无（没有符合资格的单位）")
        out[f"黑榜{key}"] = _names(rows[rows["榜别"] == "黑榜"], "无")
    ranks = [r for r in rank_series(brief)[1] if r is not None]
    hist = _before(brief.frames["rank_history_ours"], brief.as_of)
    scored = hist[hist["rank"].notna()]
    if ranks and len(scored):
        last = scored.iloc[-1]
        out["全省名次"] = (
            f"在全省 {int(last['group_size'])} 个县（市、区）中排第 {int(last['rank'])} 名（{last['round_name']}）"
        )
    out.update(risk.words(brief))
    return out


def boards(brief: Brief) -> dict[str, pd.DataFrame]:
    """两张红黑榜（部门按牵头、镇街按辖区；与红黑榜页同一构建 league.boards：名次、名称、综合得分、变化），红榜在前、黑榜在后。"""
    units, towns = brief.frames["league_units"], brief.frames["league_townships"]
    out = {}
    for table, rows, name_col in (
        ("红黑榜·部门", league.of_kind(units, "条"), "unit_name"),
        ("红黑榜·镇街", towns, "township_name"),
    ):
        red, black = league.boards(rows, name_col=name_col)
        out[table] = pd.concat([red.assign(榜别="红榜"), black.assign(榜别="黑榜")], ignore_index=True)[
            ["榜别", "名次", "名称", "综合得分", "变化"]
        ]
    return out


def tables(brief: Brief) -> dict[str, pd.DataFrame]:
    """模板里能放的表（Word 表格的内容；空表在文档里写“无”）。"""
    out = boards(brief)
    units = brief.frames["league_units"]
    late = units[units["overdue"] > 0].sort_values(["overdue", "unit_name"], ascending=[False, True])
    out["逾期·按单位"] = pd.DataFrame(
        {
            "牵头单位": late["unit_name"].to_numpy(),
            "逾期（存量）": late["overdue"].astype(int).to_numpy(),
            "逾期1–7天": late["overdue_1_7"].astype(int).to_numpy(),
            "逾期8–30天": late["overdue_8_30"].astype(int).to_numpy(),
            "逾期30天以上": late["overdue_over_30"].astype(int).to_numpy(),
        }
    )
    from chuangwen.briefing.figures import rebound_table

    out["反弹点位"] = rebound_table(brief)
    # 附件只排逾期最久的 ANNEX_ROWS 条（台账查询已按逾期天数从多到少排好）：几万条逾期时文档照样几秒生成、读得完
    ledger = supervision.display_ledger(brief.frames["overdue_list"].head(ANNEX_ROWS))
    out["逾期问题清单"] = ledger[["问题编号", "镇街", "问题描述", "牵头单位", "整改期限", "逾期天数"]]
    out["口径"] = pd.DataFrame(glossary(brief), columns=["名称", "口径"])
    out.update(risk.tables(brief))
    return out


def annex_rest(brief: Brief) -> int:
    """附件没有列出的逾期问题条数（在随文的 Excel 里）。"""
    return max(len(brief.frames["overdue_list"]) - ANNEX_ROWS, 0)


def overdue_workbook(brief: Brief) -> bytes:
    """全部逾期问题清单（Excel，随 Word 通报发出）：与附件同一查询、同一顺序，中文表头、首行冻结、防公式注入。"""
    late = brief.frames["overdue_list"]
    return excel.to_xlsx(
        {"逾期问题清单": supervision.display_ledger(late, for_excel=True)},
        note=f"{brief.title} 第{brief.issue_no}期 附件的全部清单（{len(late)} 条，按逾期天数从多到少）；"
        f"统计时刻 {formats.moment(brief.as_of)}；数据指纹 {brief.short_digest}；由创文看板导出",
    )


def overdue_workbook_name(brief: Brief) -> str:
    return file_name(brief).replace(".docx", "_逾期问题清单.xlsx")


def fill(text: str, values: dict[str, str | None]) -> str:
    """{名称} → 数字文字；取不到的写【待补：名称】。"""

    def one(m: re.Match[str]) -> str:
        value = values.get(m.group(1))
        return f"【待补：{m.group(1)}】" if value is None else value

    return _FIELD.sub(one, text)


# ---------------------------------------------------------------- Word

# 各表的列宽（厘米，合计等于版心 15.6 厘米）：编号、日期、数字不在中间折行
WIDTHS_CM = {
    "红黑榜·部门": (1.8, 1.6, 6.6, 2.8, 2.8),
    "红黑榜·镇街": (1.8, 1.6, 6.6, 2.8, 2.8),
    "逾期·按单位": (5.6, 2.5, 2.5, 2.5, 2.5),
    "反弹点位": (2.9, 3.4, 3.1, 2.0, 2.4, 1.8),
    "逾期问题清单": (3.0, 2.0, 4.5, 2.2, 2.3, 1.6),
    "口径": (3.4, 12.2),
    risk.TABLE: (1.0, 5.2, 1.8, 2.6, 1.6, 1.7, 1.7),
}
ALIGN = {
    risk.TABLE: "clccccc",
    "口径": "ll",
    "反弹点位": "cclccc",
    "逾期问题清单": "cclccc",
    "红黑榜·部门": "cclcc",
    "红黑榜·镇街": "cclcc",
}


def _picture(doc: DocxDocument, brief: Brief, name: str, png: bool) -> None:
    """【图】：印刷用的黑白名次走势，宽同版心；没有图时写明原因。"""
    image = rank_png(brief, 800, 380, for_print=True) if png else None
    if image is not None:
        doc.add_picture(io.BytesIO(image), width=Mm(wordlayout.TEXT_WIDTH_MM))
        wordlayout.print_friendly(doc.paragraphs[-1])
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        return
    why = brief.notes[-1] if png and brief.notes else "本次生成时选择了不导出图片，或还没有测评成绩。"
    _para(
        doc,
        f"（此处未插入{name}图：{why}）",
        FANGSONG,
        10.5,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        color=wordlayout.GREY,
        exact=None,
    )


def write(
    doc: DocxDocument,
    lines: list[Line],
    values: dict[str, str | None],
    data: dict[str, pd.DataFrame],
    *,
    picture: Callable[[DocxDocument, str], None] | None = None,
    annex_note: Callable[[str], str | None] | None = None,
    widths: dict[str, tuple[float, ...]] | None = None,
    align: dict[str, str] | None = None,
    table_pt: float = 12,
) -> dict[str, str]:
    """按模板各行写正文（通报与督办单共用）；版记的三样（抄送、印发机关、印发日期）不在这里写，返回给调用方放到最后。
    widths、align：各表的列宽（厘米）与对齐（默认通报的几张表）。"""
    fonts = fonts_of(lines)
    widths = WIDTHS_CM if widths is None else widths
    align = ALIGN if align is None else align
    imprint: dict[str, str] = {}
    annexes = sum(1 for line in lines if line.kind == "附件")
    annex_no = 0
    for i, line in enumerate(lines):
        text = fill(line.text, values)
        after = lines[i + 1].kind if i + 1 < len(lines) else None
        if line.kind == "发文机关":
            _para(doc, text, fonts["版头"], HEAD_PT, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED, exact=None, after=6)
        elif line.kind == "期号":
            _para(doc, text, FANGSONG, BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
        elif line.kind == "日期":
            wordlayout.red_rule(_para(doc, text, FANGSONG, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, after=12))
        elif line.kind == "标题":
            _para(doc, text, fonts["标题"], TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, exact=36, before=12, after=12)
        elif line.kind == "主送":
            _para(doc, text, fonts["正文"], BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT)
        elif line.kind == "正文":
            # 紧接着表格或图的那一段（“统计如下”）与表同页；整段只有取值为空的整句（督办单的“亲自过问”等）时不写
            if text.strip():
                _para(doc, text, fonts["正文"], indent=True, keep_next=after == "表格")
        elif line.kind == "一级标题":
            _para(doc, text, fonts["一级标题"], BODY_PT, indent=True, keep_next=True)
        elif line.kind == "二级标题":
            _para(doc, text, fonts["二级标题"], BODY_PT, indent=True, keep_next=True)
        elif line.kind == "表格":
            _table(doc, data[line.text], table_pt, widths=widths.get(line.text), align=align.get(line.text))
            _para(doc, "", exact=None)
        elif line.kind == "图" and picture is not None:
            picture(doc, line.text)
        elif line.kind == "附件":
            annex_no += 1
            title, _, table = (part.strip() for part in line.text.partition("|"))
            label = f"附件{annex_no}" if annexes > 1 else "附件"
            _para(doc, label, HEITI, BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT, keep_next=True, new_page=True)
            _para(
                doc,
                fill(title, values),
                fonts["标题"],
                TITLE_PT,
                align=WD_ALIGN_PARAGRAPH.CENTER,
                exact=36,
                after=12,
                keep_next=True,
            )
            _table(doc, data[table], size=10.5, widths=widths.get(table), align=align.get(table))
            note = annex_note(table) if annex_note else None
            if note:
                _para(doc, note, fonts["正文"], 12, exact=None, before=6)
        elif line.kind == "落款":
            _para(doc, text, fonts["正文"], BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, before=24, keep_next=True)
        elif line.kind == "落款日期":
            _para(doc, text, fonts["正文"], BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT)
        elif line.kind in ("抄送", "印发机关", "印发日期"):
            imprint[line.kind] = text
    return imprint


def document(brief: Brief, lines: list[Line], *, png: bool = True) -> bytes:
    """按模板的各行写 .docx（字节）；png=False 时不调用浏览器，【图】处写明没插图。版记总在最后一页的末尾。"""
    values = figures(brief)
    data = tables(brief)
    doc = Document()
    wordlayout.setup_page(doc, f"数据截至 {formats.moment(brief.cutoff)}　数据指纹 {brief.short_digest}")
    rest = annex_rest(brief)

    def annex_note(table: str) -> str | None:
        if table == "逾期问题清单" and rest:
            return (
                f"以上为逾期时间最长的 {ANNEX_ROWS} 条；其余 {formats.count(rest)} 条见随文的 Excel 清单"
                f"《{overdue_workbook_name(brief)}》。"
            )
        return None

    imprint = write(
        doc,
        lines,
        values,
        data,
        picture=lambda d, name: _picture(d, brief, name, png),
        annex_note=annex_note,
    )
    wordlayout.imprint(doc, imprint.get("抄送"), imprint["印发机关"], imprint["印发日期"])
    stamp(doc.core_properties, brief)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def build(brief: Brief, template: str | None = None, source: str | None = None, *, png: bool = True) -> bytes:
    """一期通报的 Word 文稿（字节）；template 为 None 时按设置读模板。模板写错时抛 TemplateError，不生成文档。"""
    if template is None:
        template, source = load_template()
    return document(brief, parse_template(template, source or "（给定的模板）"), png=png)


def file_name(brief: Brief) -> str:
    return f"{brief.county_name}{PERIODS[brief.period.key]}_第{brief.issue_no}期_{brief.as_of:%Y%m%d}.docx"


__all__ = [
    "ANNEX_ROWS",
    "DEFAULT_TEMPLATE",
    "DOCX_MIME",
    "NEW_FOUND",
    "TemplateError",
    "annex_rest",
    "build",
    "figures",
    "tables",
    "boards",
    "fill",
    "parse_template",
    "file_name",
    "overdue_workbook",
    "overdue_workbook_name",
    "pdf_available",
    "to_pdf",
    "chinese_count",
    "write",
]
