"""红黑榜的纯逻辑：统计区间、查询参数、综合得分公式文字、显示表、红榜/黑榜、名次走势（不依赖 streamlit）。"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from chuangwen import formats

# 统计区间的选项：页面只能从这里选（允许清单）
PERIODS = {"周": "按周（统计时刻前 7 天）", "月": "按月（统计时刻前 30 天）", "侧栏": "侧栏统计区间"}
_PERIOD_DAYS = {"周": 7, "月": 30}
PREVIOUS_LABEL = {"周": "上周", "月": "上月", "侧栏": "上一等长区间"}

# 镇街数字的口径：绝对数、每点位、每千人（允许清单 → 查询结果中的列后缀）
NORMS = {"绝对数": "", "每点位": "_per_site", "每千人": "_per_1000"}

KINDS = ("条", "块")
BOARD_SIZE = 5


@dataclass(frozen=True)
class Weights:
    on_time: float
    overdue: float
    rebound: float
    reject: float
    points: float

    @classmethod
    def from_setting(cls, value: dict[str, float]) -> "Weights":
        return cls(**{k: float(value[k]) for k in ("on_time", "overdue", "rebound", "reject", "points")})

    def params(self) -> dict[str, float]:
        return {"w_on_time": self.on_time, "w_overdue": self.overdue, "w_rebound": self.rebound,
                "w_reject": self.reject, "w_points": self.points}


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
    if period == "侧栏":
        return sidebar_start
    return as_of - timedelta(days=_PERIOD_DAYS[period])


def period_view(view, period: str):
    """红黑榜的统计口径：侧栏的口径，区间按所选周期（周 / 月 / 侧栏）重定起点。"""
    return view.at(view.as_of, period_start(view.as_of, view.period_start, period))


def previous_window(view) -> tuple[datetime, datetime]:
    """上一等长区间（起点、终点；终点 = 本期起点），名次变化与它比较（与 league_units 的 prev 同一规则）。"""
    return view.period_start - (view.as_of - view.period_start), view.period_start


def period_caption(view, cutoff: datetime, period: str) -> str:
    prev_start, prev_end = previous_window(view)
    return (f"数据截至 {formats.moment(cutoff)}　|　统计区间 {formats.moment(view.period_start)} 至 "
            f"{formats.moment(view.as_of)}（不含起点）　|　名次变化与{PREVIOUS_LABEL[period]}"
            f"（{formats.moment(prev_start)} 至 {formats.moment(prev_end)}）比较")


def board_params(weights: Weights, min_sample: int) -> dict:
    """红黑榜查询在查看口径之外的参数：最少样本数与综合得分权重。"""
    return {"min_sample": int(min_sample), **weights.params()}


TREND_WEEKS = 8   # 单位下钻的名次走势：统计时刻及之前 8 周


def rank_label(row) -> str:
    """名次列：有名次显示数字，否则说明原因。"""
    if not pd.isna(row["rank"]):
        return str(int(row["rank"]))
    return "样本不足" if not bool(row["enough_sample"]) else "无可比数据"


def change_label(row) -> str:
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


def _rate(num, den) -> str:
    return formats.rate(num, den)


def _days(value) -> str:
    return "—" if pd.isna(value) else f"{float(value):.1f}"


def _per(value) -> str:
    return "—" if pd.isna(value) else f"{float(value):.2f}"


def display_table(df: pd.DataFrame, *, name_col: str, name_label: str, norm: str = "绝对数") -> pd.DataFrame:
    """把 league_units / league_townships 的结果整理成中文显示表（数字已格式化为文字）。"""
    if norm not in NORMS:
        raise ValueError(f"未知的口径：{norm}")
    suffix = NORMS[norm]
    out = pd.DataFrame({
        "名次": [rank_label(r) for _, r in df.iterrows()],
        "变化": [change_label(r) for _, r in df.iterrows()],
        name_label: df[name_col].to_numpy(),
        "综合得分": [formats.points(v) for v in df["score"]],
    })
    if suffix:
        unit = "每点位" if norm == "每点位" else "每千人"
        out[f"交办（{unit}）"] = [_per(v) for v in df[f"assigned{suffix}"]]
    else:
        out["交办"] = df["assigned"].astype(int).to_numpy()
    out["销号"] = df["closed"].astype(int).to_numpy()
    out["按期销号率"] = [_rate(a, b) for a, b in zip(df["closed_on_time"], df["closed"])]
    if suffix:
        out[f"逾期（{unit}）"] = [_per(v) for v in df[f"overdue{suffix}"]]
    else:
        out["逾期"] = df["overdue"].astype(int).to_numpy()
    out["逾期1–7天"] = df["overdue_1_7"].astype(int).to_numpy()
    out["逾期8–30天"] = df["overdue_8_30"].astype(int).to_numpy()
    out["逾期30天以上"] = df["overdue_over_30"].astype(int).to_numpy()
    out["逾期率"] = [_rate(a, b) for a, b in zip(df["overdue"], df["open_now"])]
    out["平均销号天数"] = [_days(v) for v in df["avg_days_to_close"]]
    if suffix:
        out[f"反弹重开（{unit}）"] = [_per(v) for v in df[f"reopened{suffix}"]]
    else:
        out["反弹重开"] = df["reopened"].astype(int).to_numpy()
    out["反弹率"] = [_rate(a, a + b) for a, b in zip(df["reopened"], df["closed"])]
    out["退回"] = df["rejected"].astype(int).to_numpy()
    out["退回率"] = [_rate(a, b) for a, b in zip(df["rejected"], df["reviewed"])]
    out["测评丢分"] = [formats.points(v) for v in df["points_lost"]]
    out["样本数"] = df["sample"].astype(int).to_numpy()
    out["存疑排除"] = df["excluded"].astype(int).to_numpy()
    return out


def boards(df: pd.DataFrame, *, name_col: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """红榜（前 5 名）与黑榜（倒数 5 名，不与红榜重复）；并列的一起列入。"""
    def pick(rows: pd.DataFrame, ascending: bool) -> pd.DataFrame:
        rows = rows.sort_values(["rank", name_col], ascending=[ascending, True])
        return pd.DataFrame({
            "名次": rows["rank"].astype(int).to_numpy(),
            "名称": rows[name_col].to_numpy(),
            "综合得分": [formats.points(v) for v in rows["score"]],
            "变化": [change_label(r) for _, r in rows.iterrows()],
        })
    return pick(df[df["is_red"]], True), pick(df[df["is_black"]], False)


def excluded_total(df: pd.DataFrame) -> int:
    return int(df["excluded"].sum()) if len(df) else 0


def rank_trend(rows: pd.DataFrame) -> pd.DataFrame:
    """一个单位每周的名次（league_unit_rank_trend 的结果，按时点从早到晚）：未排名的周名次为空。"""
    return pd.DataFrame({
        "week_end": [pd.Timestamp(v).to_pydatetime() for v in rows["week_end"]],
        "rank": [None if pd.isna(v) else int(v) for v in rows["rank"]],
        "ranked_count": rows["ranked_count"].astype(int).to_numpy(),
        "score": [None if pd.isna(v) else float(v) for v in rows["score"]],
        "enough_sample": rows["enough_sample"].astype(bool).to_numpy(),
    }, columns=["week_end", "rank", "ranked_count", "score", "enough_sample"])


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
