"""红黑榜的纯逻辑：统计区间、查询参数、综合得分公式文字、显示表、红榜/黑榜、名次走势（不依赖 streamlit）。"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from chuangwen import formats, settings
from chuangwen.formats import Number
from chuangwen.view import View
from chuangwen.vocabulary import MONTH, PERIOD_DAYS, SIDEBAR, WEEK

# 统计区间的选项：页面只能从这里选（允许清单）
PERIODS = {WEEK: "按周（统计时刻前 7 天）", MONTH: "按月（统计时刻前 30 天）", SIDEBAR: "侧栏统计区间"}
PREVIOUS_LABEL = {WEEK: "上周", MONTH: "上月", SIDEBAR: "上一等长区间"}

# 镇街数字的口径：绝对数、每点位、每千人（允许清单 → 查询结果中的列后缀）
NORMS = {"绝对数": "", "每点位": "_per_site", "每千人": "_per_1000"}

KINDS = ("条", "块")
BOARD_SIZE = 5
# 红榜、黑榜小表的列宽（Streamlit 的 column_config 写法，纯数据）：名称列宽一些，名次列放得下“样本不足”
BOARD_COLUMNS = {
    "名次": {"width": "small"},
    "名称": {"width": "medium"},
    "综合得分": {"width": "small"},
    "变化": {"width": "small"},
}


@dataclass(frozen=True)
class Weights:
    on_time: float
    overdue: float
    rebound: float
    reject: float
    points: float

    @classmethod
    def from_setting(cls, value: dict[str, float]) -> Weights:
        return cls(**{k: float(value[k]) for k in ("on_time", "overdue", "rebound", "reject", "points")})

    def params(self) -> dict[str, float]:
        return {
            "w_on_time": self.on_time,
            "w_overdue": self.overdue,
            "w_rebound": self.rebound,
            "w_reject": self.reject,
            "w_points": self.points,
        }


def _num(x: float) -> str:
    return f"{x:g}"


def formula_text(w: Weights) -> str:
    """页面上展示的综合得分公式（带当前权重）。"""
    return (
        f"综合得分 = 100 × ({_num(w.on_time)}×按期销号率 + {_num(w.overdue)}×(1−逾期率) + "
        f"{_num(w.rebound)}×(1−反弹率) + {_num(w.reject)}×(1−退回率)) ÷ {_num(w.on_time + w.overdue + w.rebound + w.reject)}"
        f" − {_num(w.points)} × 测评丢分"
    )


def period_start(as_of: datetime, sidebar_start: datetime, period: str) -> datetime:
    """统计区间起点（不含）：按周/按月从统计时刻往前推，或用侧栏区间。"""
    if period not in PERIODS:
        raise ValueError(f"未知的统计区间：{period}")
    if period == SIDEBAR:
        return sidebar_start
    return as_of - timedelta(days=PERIOD_DAYS[period])


def period_view(view: View, period: str) -> View:
    """红黑榜的统计口径：侧栏的口径，区间按所选周期（周 / 月 / 侧栏）重定起点。"""
    return view.at(view.as_of, period_start(view.as_of, view.period_start, period))


def previous_window(view: View) -> tuple[datetime, datetime]:
    """上一等长区间（起点、终点；终点 = 本期起点），名次变化与它比较（与 league_units 的 prev 同一规则）。"""
    return view.period_start - (view.as_of - view.period_start), view.period_start


def period_caption(view: View, cutoff: datetime, period: str) -> str:
    prev_start, prev_end = previous_window(view)
    return (
        f"数据截至 {formats.moment(cutoff)}　|　统计区间 {formats.moment(view.period_start)} 至 "
        f"{formats.moment(view.as_of)}（不含起点）　|　名次变化与{PREVIOUS_LABEL[period]}"
        f"（{formats.moment(prev_start)} 至 {formats.moment(prev_end)}）比较"
    )


def board_params(weights: Weights, min_sample: int, *, prior: float = 0.0, red_max_overdue_rate: float = 1.0) -> dict:
    """红黑榜查询在查看口径之外的参数：最少样本数、综合得分权重、小样本收缩强度 k、上红榜的逾期率上限。"""
    return {
        "min_sample": int(min_sample),
        "prior": float(prior),
        "red_max_overdue_rate": float(red_max_overdue_rate),
        **weights.params(),
    }


def configured_params() -> dict:
    """按设置（权重、最少样本、收缩强度、红榜逾期率上限）的红黑榜参数：页面与通报用同一份；设置无效时抛 SettingError。"""
    return board_params(
        Weights.from_setting(settings.get("league_weights")),
        settings.get("min_sample"),
        prior=settings.get("league_prior"),
        red_max_overdue_rate=settings.get("red_max_overdue_rate"),
    )


BASIS = "部门按自己牵头的问题排名；镇街按辖区里的问题排名（不论谁牵头），镇、街道、开发区只在镇街榜上评价一次。"


def list_rules(params: dict) -> str:
    """红榜、黑榜的规则（页面与通报上照印）。"""
    return (
        f"{BASIS}"
        f"红榜：不在黑榜、且有资格的前 {BOARD_SIZE} 名——资格是截至统计时刻没有逾期 30 天以上的问题、"
        f"逾期率（存量）不超过 {params['red_max_overdue_rate']:.0%}、区间内经手问题不少于 {params['min_sample']} 条、"
        "区间内销过号，而且按期销号率、逾期率、退回率、反弹率、平均销号天数每一项都不比本榜全体合起来差。"
        f"黑榜：有名次的倒数 {BOARD_SIZE} 名；有名次的不足 {2 * BOARD_SIZE} 个时只取后一半，不与红榜重复。并列的一起列入。"
        f"各项比率按全县比率补 {params['prior']:g} 条后计分（样本越少越靠近全县平均），表中显示的是原始比率。"
    )


def why_no_red(rows: pd.DataFrame, what: str, params: dict) -> str:
    """红榜为空时的原因（页面照印）：参与排名、不在黑榜的各因哪一条资格没过。"""
    pool = rows[rows["rank"].notna() & ~rows["is_black"].astype(bool)]
    if pool.empty:
        return f"本区间没有不在黑榜、参与排名的{what}，红榜为空。"
    long_overdue = int((pool["overdue_over_30"] > 0).sum())
    too_many = int((pool["overdue_rate"].fillna(0) > params["red_max_overdue_rate"]).sum())
    no_closing = int((pool["closed"] == 0).sum())
    parts = [f"{long_overdue} 个有逾期 30 天以上的问题"] if long_overdue else []
    parts += [f"{too_many} 个逾期率超过 {params['red_max_overdue_rate']:.0%}"] if too_many else []
    parts += [f"{no_closing} 个区间内没有销号"] if no_closing else []
    if not parts:
        parts = ["各有一项比本榜全体合起来差"]
    return (
        f"本区间没有{what}符合红榜资格：参与排名、不在黑榜的 {len(pool)} 个中，{'，'.join(parts)}（可以同时有几条）。"
    )


def participation(rows: pd.DataFrame, what: str) -> str:
    """“共 N 个单位参与排名”与其余为什么不排名。"""
    ranked = int(rows["rank"].notna().sum())
    small = int((~rows["enough_sample"].astype(bool)).sum())
    other = len(rows) - ranked - small
    text = f"共 {len(rows)} 个{what}，{ranked} 个参与排名"
    reasons = []
    if small:
        reasons.append(f"{small} 个区间内经手问题不足最少样本数")
    if other:
        reasons.append(f"{other} 个没有可比的比率")
    return text + (f"；未排名的：{'，'.join(reasons)}" if reasons else "") + "。"


def shortfall(rows: pd.DataFrame) -> str | None:
    """有名次的对象不足以填满红榜、黑榜时的说明（两个榜都不重复列入同一对象）；够时 None。"""
    ranked = int(rows["rank"].notna().sum())
    if ranked >= 2 * BOARD_SIZE:
        return None
    return (
        f"本期只有 {ranked} 个参与排名，不足红榜、黑榜合计 {2 * BOARD_SIZE} 个名额："
        f"黑榜只取后 {ranked // 2} 名，红榜从其余有资格的里选，同一对象不会同时出现在两个榜上。"
    )


# 推进会模式下全表只显示的几列（名次、变化、名称之后）
BIG_COLUMNS = ["综合得分", "按期销号率（区间内）", "逾期（存量）", "逾期率（存量）", "反弹重开"]
# 页面控件在会话里的键（推进会翻屏时记住它们）
WIDGET_KEYS = ["lg_period", "lg_norm", "lg_unit"]
TREND_POINTS = 8  # 单位下钻的名次走势：统计时刻及之前 8 个与榜同长的区间
TREND_UNIT = {WEEK: "周", MONTH: "个月", SIDEBAR: "个区间"}


def quality_table(quality: pd.DataFrame) -> pd.DataFrame:
    """记录顺序存疑的问题清单（quality_event_order 的结果）：中文列名。"""
    return quality.rename(
        columns={
            "problem_code": "问题编号",
            "found_at": "发现时间",
            "reasons": "原因",
            "first_flag_at": "出现时间",
            "lead_unit": "牵头单位",
            "township": "镇街",
            "events": "事件数",
        }
    )[["问题编号", "发现时间", "原因", "出现时间", "牵头单位", "镇街", "事件数"]]


def trend_params(board: View) -> dict:
    """名次走势的时点：与红黑榜所选区间等长、首尾相接，最后一个就是榜上的区间（名次与榜一致）。"""
    return {"points": TREND_POINTS, "step": board.as_of - board.period_start}


def trend_span(board: View, trend: pd.DataFrame) -> dict:
    """名次走势覆盖的时间（给 timeline_rounds 找期间的检查轮次）：最早一个区间的起点到统计时刻。"""
    step = trend_params(board)["step"]
    return {"start": min(trend["week_end"]) - step, "end": board.as_of}


def rank_label(row: pd.Series) -> str:
    """名次列：有名次显示数字，否则说明原因。"""
    if not pd.isna(row["rank"]):
        return str(int(row["rank"]))
    return "样本不足" if not bool(row["enough_sample"]) else "无可比数据"


def change_label(row: pd.Series) -> str:
    """与上期相比的名次变化：↑2 / ↓1 / → 持平 / 新上榜；本期未排名为空。"""
    if pd.isna(row["rank"]):
        return ""
    if pd.isna(row["prev_rank"]):
        return "新上榜"
    diff = int(row["prev_rank"]) - int(row["rank"])
    if diff > 0:
        return f"↑{diff}"
    if diff < 0:
        return f"↓{-diff}"
    return "→ 持平"


def _rate(num: Number, den: Number | None) -> str:
    return formats.rate(num, den)


def _days(value: float) -> str:
    return "—" if pd.isna(value) else f"{float(value):.1f}"


def _per(value: float) -> str:
    return "—" if pd.isna(value) else f"{float(value):.2f}"


def display_table(
    df: pd.DataFrame, *, name_col: str, name_label: str, norm: str = "绝对数", numeric: bool = False
) -> pd.DataFrame:
    """把 league_units / league_townships 的结果整理成中文表：页面上显示的文字（numeric=False），
    或同样列名、数字仍是数字的 Excel 表（numeric=True：名次没有时留空并在“未排名原因”里写明，比率是 0–1 的小数，
    格式见 EXCEL_FORMATS）。"""
    if norm not in NORMS:
        raise ValueError(f"未知的口径：{norm}")
    suffix = NORMS[norm]
    unit = "每点位" if norm == "每点位" else "每千人"

    def ratio(num: pd.Series, den: pd.Series) -> list:
        if numeric:
            return [None if pd.isna(b) or float(b) == 0 else float(a) / float(b) for a, b in zip(num, den)]
        return [_rate(a, b) for a, b in zip(num, den)]

    def value(column: str, shown: Callable[[Any], str]) -> list:
        return [None if pd.isna(v) else float(v) for v in df[column]] if numeric else [shown(v) for v in df[column]]

    def count(column: str) -> object:
        return df[column].astype(int).to_numpy()

    out = pd.DataFrame(
        {
            "名次": [None if pd.isna(v) else int(v) for v in df["rank"]]
            if numeric
            else [rank_label(r) for _, r in df.iterrows()]
        }
    )
    if numeric:
        out["未排名原因"] = [("" if not pd.isna(r["rank"]) else rank_label(r)) for _, r in df.iterrows()]
    out["变化"] = [change_label(r) for _, r in df.iterrows()]
    out[name_label] = df[name_col].to_numpy()
    out["综合得分"] = value("score", formats.points)
    out[f"交办（{unit}）" if suffix else "交办"] = value(f"assigned{suffix}", _per) if suffix else count("assigned")
    out["销号"] = count("closed")
    out["按期销号率（区间内）"] = ratio(df["closed_on_time"], df["closed"])
    out[f"逾期（存量，{unit}）" if suffix else "逾期（存量）"] = (
        value(f"overdue{suffix}", _per) if suffix else count("overdue")
    )
    out["逾期1–7天"] = count("overdue_1_7")
    out["逾期8–30天"] = count("overdue_8_30")
    out["逾期30天以上"] = count("overdue_over_30")
    out["逾期率（存量）"] = ratio(df["overdue"], df["open_now"])
    out["平均销号天数"] = value("avg_days_to_close", _days)
    out[f"反弹重开（{unit}）" if suffix else "反弹重开"] = (
        value(f"reopened{suffix}", _per) if suffix else count("reopened")
    )
    out["反弹率"] = ratio(df["reopened"], df["reopened"] + df["closed"])
    out["退回"] = count("rejected")
    out["退回率"] = ratio(df["rejected"], df["reviewed"])
    out["测评丢分"] = value("points_lost", formats.points)
    out["样本数"] = count("sample")
    out["存疑排除"] = count("excluded")
    return out


# 红黑榜 Excel 的数字格式（列名 → Excel 格式）：比率按百分数、得分两位小数
EXCEL_FORMATS = {
    "综合得分": "0.00",
    "按期销号率（区间内）": "0.0%",
    "逾期率（存量）": "0.0%",
    "反弹率": "0.0%",
    "退回率": "0.0%",
    "平均销号天数": "0.0",
    "测评丢分": "0.00",
}


def workbook_rows(units: pd.DataFrame, townships: pd.DataFrame) -> int:
    """红黑榜 Excel 的数据行数（审计记录用）：全部部门加全部镇街。"""
    return len(of_kind(units, "条")) + len(townships)


def workbook_sheets(units: pd.DataFrame, townships: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """红黑榜 Excel 的两张表（部门按牵头、镇街按辖区），列名与页面相同，数字是数字。"""
    return {
        "部门（条）": display_table(of_kind(units, "条"), name_col="unit_name", name_label="牵头单位", numeric=True),
        "镇街（按辖区）": display_table(townships, name_col="township_name", name_label="镇街", numeric=True),
    }


def boards(df: pd.DataFrame, *, name_col: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """红榜与黑榜（规则在查询片段 _league_rank.sql，文字见 list_rules）；并列的一起列入。"""

    def pick(rows: pd.DataFrame, ascending: bool) -> pd.DataFrame:
        rows = rows.sort_values(["rank", name_col], ascending=[ascending, True])
        return pd.DataFrame(
            {
                "名次": rows["rank"].astype(int).to_numpy(),
                "名称": rows[name_col].to_numpy(),
                "综合得分": [formats.points(v) for v in rows["score"]],
                "变化": [change_label(r) for _, r in rows.iterrows()],
            }
        )

    return pick(df[df["is_red"]], True), pick(df[df["is_black"]], False)


def rank_trend(rows: pd.DataFrame) -> pd.DataFrame:
    """一个单位每周的名次（league_unit_rank_trend 的结果，按时点从早到晚）：未排名的周名次为空。"""
    return pd.DataFrame(
        {
            "week_end": [pd.Timestamp(v).to_pydatetime() for v in rows["week_end"]],
            "rank": [None if pd.isna(v) else int(v) for v in rows["rank"]],
            "ranked_count": rows["ranked_count"].astype(int).to_numpy(),
            "score": [None if pd.isna(v) else float(v) for v in rows["score"]],
            "enough_sample": rows["enough_sample"].astype(bool).to_numpy(),
        },
        columns=["week_end", "rank", "ranked_count", "score", "enough_sample"],
    )


def unit_names(units: pd.DataFrame, scope_unit: str | None = None) -> dict[str, str]:
    """单位下钻的选项：代码 → “名称（条/块）”。责任单位账号（scope_unit）只能下钻自己单位。"""
    if scope_unit is not None:
        units = units[units["unit_code"] == scope_unit]
    return dict(zip(units["unit_code"], units["unit_name"] + "（" + units["kind"] + "）"))


def unit_row(units: pd.DataFrame, unit_code: str) -> pd.Series:
    return units[units["unit_code"] == unit_code].iloc[0]


def of_kind(units: pd.DataFrame, kind: str) -> pd.DataFrame:
    """条（部门）或块（属地单位）的行。"""
    if kind not in KINDS:
        raise ValueError(f"未知的单位类别：{kind}")
    return units[units["kind"] == kind]


def table_height(rows: pd.DataFrame, cap: int = 900) -> int:
    """全部单位表的高度：每行 35 像素加表头，最多 cap。"""
    return min(38 + 35 * len(rows), cap)
