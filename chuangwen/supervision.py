"""整改督办的纯逻辑：台账显示表、卡片计数、时间线、按单位导出 Excel、命令行的问题台账导出（不依赖 streamlit）。"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from chuangwen import excel, formats, queries, time_windows, vocabulary
from chuangwen.view import View

# 状态筛选的允许清单（与 problem_state_at 的状态一致；“已销号”不在台账里）
OPEN_STATUSES = vocabulary.OPEN_STATUSES

EXPORT_COLUMNS = {
    "problem_code": "问题编号",
    "found_at": "发现时间",
    "deadline": "整改期限",
    "closed_at": "销号时间",
    "status": "当前状态",
    "overdue_flag": "是否逾期",
}


def ledger_params(
    *,
    involved_unit: str | None = None,
    status: str | None = None,
    overdue_only: bool = False,
    due_this_week_only: bool = False,
) -> dict:
    """台账与计数查询在查看口径之外的参数（本页筛选）；状态只接受允许清单中的值。"""
    if status is not None and status not in OPEN_STATUSES:
        raise ValueError(f"未知的状态：{status}")
    return {
        "involved_unit": involved_unit,
        "status": status,
        "overdue_only": bool(overdue_only),
        "due_this_week_only": bool(due_this_week_only),
    }


# 卡片 → supervision_ledger_summary 的列与文件头里的指标名（口径提示）
CARDS = {
    time_windows.IN_WORK_STOCK: "open_problems",
    time_windows.OVERDUE_STOCK: "overdue",
    time_windows.OVERDUE_30_STOCK: "overdue_over_30",
    time_windows.DUE_7_DAYS: "due_this_week",
    "记录顺序存疑": "flagged",
}
BIG_COLUMNS = ["问题编号", "镇街", "问题描述", "牵头单位", "当前状态", "逾期天数"]  # 推进会模式下台账只显示这几列
PICK_LIMIT = 2000  # 页面取台账的前多少条（按逾期天数排序，前面的最要紧）：也是时间线问题选择框最多列出的条数
SHOW_LIMIT = 1000  # 页面台账表格最多显示的行数（其余在导出的 Excel 里）
DUE_LIMIT = 500  # 7天内到期清单最多列出的条数


MEETING_ROWS = 36  # 推进会（投影）时台账与 7 天内到期清单各放最要紧的这么多条（每屏 12 条，三屏）
# 页面控件在会话里的键（推进会翻屏时记住它们）
WIDGET_KEYS = ["sv_unit", "sv_status", "sv_overdue", "sv_problem"]


def shown(ledger: pd.DataFrame, meeting: bool = False) -> pd.DataFrame:
    """页面上显示的台账行：排在最前（逾期最久）的 SHOW_LIMIT 条；推进会时 MEETING_ROWS 条。"""
    return ledger.head(MEETING_ROWS if meeting else SHOW_LIMIT)


def filters_of(state: Mapping[str, Any]) -> tuple[str | None, str | None, bool]:
    """台账筛选控件的当前值：涉及单位、当前状态（“（全部）”为 None）、只看逾期。"""
    every = vocabulary.ALL_OPTION
    unit, status = state.get("sv_unit", every), state.get("sv_status", every)
    return (
        (None if unit == every else unit),
        (None if status == every else status),
        bool(state.get("sv_overdue", False)),
    )


def shown_note(total: int, limit: int = SHOW_LIMIT, rest: str = "全部在下面导出的 Excel 里。") -> str | None:
    """台账没有全部显示时的说明（total 是计数查询给出的全部条数，rest 说其余的在哪）；全部显示时为 None。"""
    if total <= limit:
        return None
    return f"共 {formats.count(total)} 条，这里显示逾期最久的前 {formats.count(limit)} 条；{rest}"


def unit_options(refs: pd.DataFrame) -> dict[str, str]:
    """“涉及单位”的选项：单位代码 → 名称（ref_filter_options 中 kind = 单位 的行）。"""
    units = refs[refs["kind"] == "单位"]
    return dict(zip(units["code"], units["name"]))


def pickable(ledger: pd.DataFrame) -> list[str]:
    return ledger["problem_code"].head(PICK_LIMIT).tolist()


def row_of(ledger: pd.DataFrame, problem_code: str) -> pd.Series:
    return ledger[ledger["problem_code"] == problem_code].iloc[0]


def cards(summary: pd.DataFrame) -> dict[str, int]:
    """台账上方的计数（supervision_ledger_summary 的一行）：在办、逾期、逾期 30 天以上、7 天内到期、记录存疑。"""
    row = summary.iloc[0]
    return {label: int(row[col]) for label, col in CARDS.items()}


def _moment(value: object) -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def _moments(values: pd.Series, missing: str = "") -> list[str]:
    """一列时间 → “2026-11-15 18:00”（整列一次格式化，十万行台账不必逐格转换）；空值为 missing。"""
    return pd.to_datetime(values).dt.strftime("%Y-%m-%d %H:%M").fillna(missing).tolist()


def _times(values: pd.Series, missing: str = "") -> list:
    """Excel 用：时间就是时间（单元格可排序、可计算），没有时间的写 missing（如“无期限”）或留空。"""
    stamps = pd.to_datetime(values)
    return [(missing or None) if pd.isna(v) else v.to_pydatetime() for v in stamps]


def display_ledger(ledger: pd.DataFrame, *, for_excel: bool = False) -> pd.DataFrame:
    """中文台账表（导出 Excel 也用这一张，列名与页面相同；for_excel 时时间列是真正的时间，数字列是数字）。"""
    moments = _times if for_excel else _moments
    return pd.DataFrame(
        {
            "问题编号": ledger["problem_code"].to_numpy(),
            "发现时间": moments(ledger["found_at"]),
            "镇街": ledger["township"].fillna("").to_numpy(),
            "点位": ledger["site"].fillna("").to_numpy(),
            "问题类别": ledger["category"].to_numpy(),
            "问题描述": ledger["description"].to_numpy(),
            "牵头单位": ledger["lead_unit"].to_numpy(),
            "配合单位": ledger["coop_units"].to_numpy(),
            "当前状态": ledger["status"].to_numpy(),
            "整改期限": moments(ledger["deadline"], "无期限"),
            "逾期天数": ledger["days_overdue"].astype("Int64").to_numpy(),
            "逾期分段": ledger["overdue_bucket"].fillna("").to_numpy(),
            time_windows.DUE_7_DAYS: ledger["due_this_week"].map({True: "是", False: ""}).to_numpy(),
            "退回次数": ledger["rejected_count"].astype(int).to_numpy(),
            "反弹重开次数": ledger["reopened_count"].astype(int).to_numpy(),
            "最近事件": moments(ledger["last_event_at"]),
            "数据质量": ledger["data_quality"].fillna("").to_numpy(),
        }
    )


def due_this_week(ledger: pd.DataFrame) -> pd.DataFrame:
    """7天内到期清单（台账查询只取 7 天内到期的那几条）：按整改期限排。"""
    rows = ledger.sort_values(["deadline", "problem_code"])
    return display_ledger(rows)[["问题编号", "整改期限", "牵头单位", "配合单位", "当前状态", "镇街", "问题描述"]]


def due_note(total: int, limit: int = DUE_LIMIT) -> str | None:
    """7天内到期清单没有全部列出时的说明。"""
    if total <= limit:
        return None
    return f"共 {formats.count(total)} 条，这里列出最早到期的 {formats.count(limit)} 条；全部在导出的 Excel 里（“{time_windows.DUE_7_DAYS}”一列）。"


def display_timeline(events: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "时间": [_moment(v) for v in events["event_at"]],
            "事件": events["action"].to_numpy(),
            "经办单位": events["unit"].fillna("").to_numpy(),
            "备注": events["note"].to_numpy(),
        }
    )


def unit_workbook(ledger: pd.DataFrame, unit_name: str, as_of: datetime) -> bytes:
    """一个单位（牵头或配合）的在办问题清单，Excel 文件的字节；第二张表写明口径与统计时刻。"""
    about = pd.DataFrame(
        {
            "项目": ["单位", "统计时刻", "范围", "问题数"],
            "内容": [unit_name, formats.moment(as_of), "该单位牵头或配合、截至统计时刻未销号的问题", len(ledger)],
        }
    )
    return excel.to_xlsx(
        {"在办问题清单": display_ledger(ledger, for_excel=True), "说明": about},
        note=f"统计时刻 {formats.moment(as_of)}；由创文看板导出",
    )


def export_problems(con: duckdb.DuckDBPyConnection, view: View) -> pd.DataFrame:
    """命令行导出：截至统计时刻已发现的每条问题一行（问题编号、发现时间、整改期限、销号时间、当前状态、是否逾期）。"""
    df = queries.run(con, "supervision_export_problems", view)
    out = df.rename(columns=EXPORT_COLUMNS)[list(EXPORT_COLUMNS.values())]
    # 导出到秒：核对“整改期限 15:11、销号 15:11 却逾期销号”时看得出销号晚了 41 秒
    for col in ("发现时间", "整改期限", "销号时间"):
        out[col] = ["" if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d %H:%M:%S") for v in out[col]]
    # CSV 没有单元格类型：以 = + - @ 开头的编号前加单引号，免得被表格软件当作公式（xlsx 由 excel 模块处理）
    out["问题编号"] = [excel.neutralise(v) if isinstance(v, str) else v for v in out["问题编号"]]
    return out


def write_export(frame: pd.DataFrame, out: Path) -> None:
    """按扩展名写 CSV（UTF-8 带 BOM，Excel 直接打开不乱码）或 xlsx；先写临时文件再改名，失败时不留半个文件。"""
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValueError(f"输出文件扩展名应为 .csv 或 .xlsx，实际为 {out.name!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        if suffix == ".csv":
            frame.to_csv(tmp, index=False, encoding="utf-8-sig")
        else:
            tmp.write_bytes(excel.to_xlsx({"问题台账": frame}))
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
