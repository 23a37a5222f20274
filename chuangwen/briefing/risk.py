"""通报里的丢分预警一节：幻灯片一页、Word 文稿里的几个数字与一张表（Issue 31 第 5 部分）。

数字与丢分预警页同一批查询（figures.collect 取的 loss_* 几项，进数据指纹）、同一套计算（chuangwen.loss_risk）；
输入不全、算不出时写明缺什么，Word 里的数字写【待补：名称】，不写 0。deck 与 document 各只加一行调用这里。
"""

from __future__ import annotations

import pandas as pd
from pptx.presentation import Presentation as PptxPresentation
from pptx.util import Inches

from chuangwen import formats, loss_risk, queries
from chuangwen.briefing.deck_parts import DARK, GREY, RED, _frame, _table, _text
from chuangwen.briefing.figures import Brief

TITLE = "丢分预警：若明天暗访"
STANDARD_ROWS = 6
PLACE_ROWS = 8
TABLE_ROWS = 10  # Word 文稿里攻坚清单列几处
FIGURES = ("预计丢分", "丢分最多的标准", "攻坚清单少丢", "丢分可到名次")
TABLE = "丢分预警·攻坚清单"


def assessment(brief: Brief) -> loss_risk.Assessment | None:
    """这一期的估算；没取这几项（旧的 Brief）或算不出（缺抽样方案等）时为 None。"""
    groups, items = brief.frames.get("loss_groups"), brief.frames.get("loss_items")
    if groups is None or items is None:
        return None
    result = loss_risk.assess(groups, items, brief.as_of)
    return result if result.usable else None


def missing(brief: Brief) -> list[str]:
    """输入缺什么（与页面同一组说明），只要需要补的（warning）。"""
    inputs = brief.frames.get("loss_inputs")
    notes = loss_risk.input_notes(inputs) if inputs is not None else []
    return [n.text for n in notes if n.level == "warning"]


def _reach(brief: Brief, rows: pd.DataFrame) -> list[loss_risk.Reach]:
    needed = brief.frames.get("loss_points_needed")
    return [] if needed is None or needed.empty else loss_risk.reaches(needed, rows)


def words(brief: Brief) -> dict[str, str | None]:
    """Word 模板里的几个数字：预计丢分、丢分最多的三条标准、改完前 5 处少丢、按上一轮成绩可到的名次；算不出的为 None。"""
    out: dict[str, str | None] = dict.fromkeys(FIGURES)
    result = assessment(brief)
    if result is None:
        return out
    rows = result.worklist()
    top = loss_risk.top_standards(result, 3)
    out["预计丢分"] = f"{formats.points(result.total)} 分"
    out["丢分最多的标准"] = (
        "、".join(f"{s}（{v:.2f} 分）" for s, v in zip(top["测评标准"], top["预计丢分"])) if len(top) else "无"
    )
    out["攻坚清单少丢"] = (
        f"攻坚清单共 {len(rows)} 处，{loss_risk.running_text(rows, 5)}" if len(rows) else "没有要改的处"
    )
    reach = _reach(brief, rows)
    last = brief.frames.get("loss_last_round")
    if reach and last is not None and len(last):
        best = reach[-1]
        out["丢分可到名次"] = (
            f"按上一轮（{last.iloc[0]['round_name']}）的全组成绩，{best.label}可由"
            f"{formats.rank(last.iloc[0]['our_rank'], last.iloc[0]['group_size'])}到第 {best.rank} 名（只是实地考察部分的估计）"
        )
    return out


TABLE_COLUMNS = ("序号", "点位（或街面问题）", "镇街", "牵头单位", "逾期天数", "少丢（分）", "累计少丢（分）")


def tables(brief: Brief) -> dict[str, pd.DataFrame]:
    """Word 文稿里的攻坚清单（前 TABLE_ROWS 处）；算不出时是空表（文稿里写“无”）。"""
    result = assessment(brief)
    if result is None:  # 有表头、没有行（文稿里写“无”）：不给没有列的表
        return {TABLE: pd.DataFrame(columns=list(TABLE_COLUMNS))}
    shown = loss_risk.place_table(result.worklist().head(TABLE_ROWS))
    return {
        TABLE: pd.DataFrame(
            {
                "序号": shown["序号"].astype(int).astype(str).to_numpy(),
                "点位（或街面问题）": shown["点位（或街面问题）"].to_numpy(),
                "镇街": shown["镇街"].to_numpy(),
                "牵头单位": shown["牵头单位"].to_numpy(),
                "逾期天数": ["" if pd.isna(v) else str(int(v)) for v in shown["逾期天数"]],
                "少丢（分）": [f"{float(v):.3f}" for v in shown["改这一处少丢（分）"]],
                "累计少丢（分）": [f"{float(v):.3f}" for v in shown["改完前N处累计少丢（分）"]],
            }
        )
    }


def slide(prs: PptxPresentation, brief: Brief, page: int) -> None:
    """幻灯片的一页：头条、丢分最多的测评标准（k / n、抽查 m）、攻坚清单前几处与累计少丢、分数能换来什么。
    版式部件（页眉页脚、文本框、原生表格）用 deck_parts 的，与其他页同一个样子。"""
    page_slide = _frame(prs, brief, TITLE, page)
    result = assessment(brief)
    if result is None:
        lines = [("算不出预计丢分：", 20, True, RED), *[(t, 14, False, DARK) for t in missing(brief)]]
        _text(page_slide, Inches(0.5), Inches(1.4), Inches(12.3), Inches(5.4), lines)
        return
    rows = result.worklist()
    head = [
        (f"若明天暗访，实地考察部分预计丢 {formats.points(result.total)} 分", 24, True, RED),
        (
            f"不合格的处 {formats.count(len(result.places))} 处；"
            + (loss_risk.running_text(rows, 5) + "。" if len(rows) else "没有要改的处。"),
            15,
            False,
            DARK,
        ),
    ]
    for reach in _reach(brief, rows)[-1:]:
        head.append((f"{reach.label}：按上一轮成绩可到第 {reach.rank} 名（别的单位按上一轮不变）。", 15, False, DARK))
    _text(page_slide, Inches(0.5), Inches(1.25), Inches(12.3), Inches(1.3), head)
    standards = loss_risk.standards_table(result, STANDARD_ROWS)
    if len(standards):
        shown = pd.DataFrame(
            {
                "测评标准": [s[:22] + ("…" if len(s) > 22 else "") for s in standards["测评标准"]],
                "不合格/点位": [f"{k}/{n}" for k, n in zip(standards["不合格处"], standards["点位数"])],
                "抽查": standards["抽查数"].to_numpy(),
                "预计丢分": [f"{v:.3f}" for v in standards["预计丢分"]],
            }
        )
        _table(
            page_slide, shown, Inches(0.5), Inches(2.75), Inches(6.3), size=11, widths=[4.2, 1.3, 0.8, 1.2], row_h=0.42
        )
    if len(rows):
        places = loss_risk.place_table(rows.head(PLACE_ROWS))
        shown = pd.DataFrame(
            {
                "点位（或街面问题）": [s[:14] + ("…" if len(s) > 14 else "") for s in places["点位（或街面问题）"]],
                "牵头单位": [s[:8] for s in places["牵头单位"]],
                "少丢": [f"{v:.3f}" for v in places["改这一处少丢（分）"]],
                "累计": [f"{v:.3f}" for v in places["改完前N处累计少丢（分）"]],
            }
        )
        _table(
            page_slide, shown, Inches(7.0), Inches(2.75), Inches(5.83), size=11, widths=[2.8, 1.6, 0.9, 0.9], row_h=0.38
        )
    metric = next(m for m in queries.load("loss_risk_groups").metrics if m.name == "预计丢分")
    _text(
        page_slide,
        Inches(0.5),
        Inches(6.3),
        Inches(12.3),
        Inches(0.6),
        [(f"口径：{loss_risk.ESTIMATE_NOTE}攻坚清单按“改这一处少丢的分 ÷ 剩余天数”排序。", 10, False, GREY)],
    )
    notes = page_slide.notes_slide.notes_text_frame
    if notes is not None:
        notes.text += f"\n预计丢分：{metric.text}"
