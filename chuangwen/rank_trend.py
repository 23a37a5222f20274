"""排名趋势页的纯逻辑：选轮次、选画哪些单位、差距卡片、排名表与分项差距表（不依赖 streamlit，测试直接调用）。

所有数字（名次、名次变化、所差分数、组内最高/平均）都来自 queries/rank_*.sql；这里只挑选、排序、拼中文。
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeGuard

import pandas as pd

from chuangwen import formats
from chuangwen.escape import html_text, md
from chuangwen.formats import Number
from chuangwen.overview import Card
from chuangwen.vocabulary import DEFAULT_ROUND_TYPE, ROUND_TYPES

# 分项差距的对比对象（用户可选，经此白名单映射到查询结果的列）
GAP_BASES: dict[str, str] = {
    "目标名次对标单位": "gap_to_target",
    "组内最高": "gap_to_best",
    "组内平均": "gap_to_average",
}
PART_LEVELS = ("板块", "测评项目")
MISSING = "—"  # 排名表里没有的数（缺测单位的名次、得分，没有上一轮时的变化）

# 排名表的排序方式（白名单）；板块得分列另由 rank_table 按实际板块名加入
TABLE_SORTS: dict[str, tuple[str, bool]] = {
    "名次": ("名次", True),
    "得分": ("得分", False),
    "名次变化": ("_change", False),
    "单位": ("单位", True),
}


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _present(value: Number | None) -> TypeGuard[Number]:
    """不是缺失值（None、pd.NA、NaN），是一个数。"""
    return not _missing(value)


def round_types(rounds: pd.DataFrame) -> list[str]:
    """有公布排名成绩的测评类型，按惯常顺序（年度测评在前）。"""
    present = set(rounds["round_type"])
    return [t for t in ROUND_TYPES if t in present] + sorted(present - set(ROUND_TYPES))


def default_round_type(types: list[str]) -> str | None:
    if not types:
        return None
    return DEFAULT_ROUND_TYPE if DEFAULT_ROUND_TYPE in types else types[0]


def rounds_of_type(rounds: pd.DataFrame, round_type: str) -> dict[str, str]:
    """某类轮次：代码 → 名称，最近一轮在前（排名表的轮次选择用）。"""
    sub = rounds[rounds["round_type"] == round_type].sort_values(["end_date", "round_code"], ascending=False)
    return dict(zip(sub["round_code"], sub["round_name"]))


def latest_scored_round(stats: pd.DataFrame) -> pd.Series | None:
    """差距分析用的轮次：本县有成绩的最近一轮；没有时为 None。"""
    scored = stats[stats["our_status"] == "正常"]
    return None if scored.empty else scored.iloc[-1]


def latest_group_size(stats: pd.DataFrame) -> Number | None:
    """最近一轮有成绩的单位数（目标名次的上限）；还没有轮次时为 None。"""
    return stats["group_size"].iloc[-1] if not stats.empty else None


def skipped_latest_note(stats: pd.DataFrame, latest: pd.Series) -> str | None:
    """本县在最近一轮缺测时的说明（差距分析改用有成绩的最近一轮）；没缺测时为 None。"""
    last = stats.iloc[-1]
    if last["round_code"] == latest["round_code"]:
        return None
    return f"本县在最近一轮（{last['round_name']}）缺测，差距分析用本县有成绩的最近一轮：{latest['round_name']}。"


def gap_bases(target_rank: int | None) -> list[str]:
    """差距比较的对象：有目标名次时含“目标名次对标单位”。"""
    return list(GAP_BASES) if target_rank else [b for b in GAP_BASES if b != "目标名次对标单位"]


def rival_choices(unit_names: dict[str, str], county: str) -> list[str]:
    return [c for c in unit_names if c != county]


def round_rows(history: pd.DataFrame, round_code: str) -> pd.DataFrame:
    return history[history["round_code"] == round_code]


def target_problem(target_rank: int | None, group_size: Number | None) -> str | None:
    """目标名次不在 1..N 时给出清楚的中文提示；合法时为 None。"""
    if target_rank is None:
        return "未设定目标名次：请在上方填写，或请管理员设置目标名次。"
    if not _present(group_size) or int(group_size) == 0:
        return "该轮没有任何单位有成绩，无法比较目标名次。"
    n = int(group_size)
    if not 1 <= int(target_rank) <= n:
        return (
            f"目标名次 {int(target_rank)} 不在 1 到 {n} 之间（{n} 是本轮有成绩的单位数，缺测单位不计），"
            "目标线和“距目标”分析不显示；请把目标名次改为 1 到 {n} 之间的整数。"
        ).replace("{n}", str(n))
    return None


def unit_names(history: pd.DataFrame) -> dict[str, str]:
    """排名组单位：代码 → 名称，按最近一轮名次排列（缺测的排在后面）。"""
    if history.empty:
        return {}
    latest = history.sort_values("round_seq").groupby("region_code", sort=False).tail(1)
    latest = latest.sort_values(["round_seq", "rank", "region_code"], ascending=[False, True, True], na_position="last")
    return dict(zip(latest["region_code"], latest["region_name"]))


def shown_units(history: pd.DataFrame, county: str, top_n: int, rivals: list[str]) -> list[str]:
    """名次图要画的单位：本县、用户选的对手、最近一轮前 N 名（并列一起画）；去重且顺序稳定。"""
    if history.empty:
        return []
    last_seq = history["round_seq"].max()
    latest = history[(history["round_seq"] == last_seq) & (history["rank"] <= top_n)]
    top = latest.sort_values(["rank", "region_code"])["region_code"].tolist()
    present = set(history["region_code"].unique().tolist())
    ordered = [county, *rivals, *top]
    seen: list[str] = []
    for code in ordered:
        if code in present and code not in seen:
            seen.append(code)
    return seen


def default_rivals(meta_value: str | None, units: list[str], history: pd.DataFrame, county: str) -> list[str]:
    """默认对手：库内 meta.rival_region_codes（逗号分隔）；没有时取最近一轮紧挨在本县前面的两个单位。"""
    if meta_value:
        return [c.strip() for c in meta_value.split(",") if c.strip() in units and c.strip() != county]
    if history.empty:
        return []
    last = history[(history["round_seq"] == history["round_seq"].max()) & history["rank"].notna()]
    ours = last[last["region_code"] == county]
    if ours.empty:
        return []
    above = last[last["rank"] < ours.iloc[0]["rank"]].sort_values(["rank", "region_code"])
    return above["region_code"].tail(2).tolist()


def missing_note(history: pd.DataFrame, codes: list[str]) -> str | None:
    """所画单位中有缺测轮次时的说明（缺测不参与排名，图中该轮断开）。"""
    rows = history[(history["score_status"] == "缺测") & history["region_code"].isin(codes)]
    if rows.empty:
        return None
    parts = [
        f"{name}（{'、'.join(g['round_name'])}）"
        for name, g in rows.sort_values("round_seq").groupby("region_name", sort=False)
    ]
    return "缺测：" + "；".join(parts) + "。缺测轮次不参与排名，图中该轮断开；名次变化与该单位上一次有成绩的轮次比较。"


def round_missing_note(round_rows: pd.DataFrame) -> str | None:
    """某一轮缺测单位的说明。"""
    missing = round_rows[round_rows["score_status"] == "缺测"]
    if missing.empty:
        return None
    scored = int((round_rows["score_status"] == "正常").sum())
    return (
        f"本轮缺测 {len(missing)} 个单位：{'、'.join(missing['region_name'])}。缺测单位不参与排名，"
        f"名次按有成绩的 {scored} 个单位计算，表中排在最后。"
    )


def change_text(change: Number | None, prev_round_name: str | None = None, skipped: Number | None = None) -> str:
    """名次变化的箭头写法：▲2（上升）/ ▼1（下降）/ 持平 / —（无可比轮次）。"""
    if not _present(change):
        return "—"
    steps = int(change)
    text = f"▲{steps}" if steps > 0 else (f"▼{-steps}" if steps < 0 else "持平")
    if _present(skipped) and int(skipped) > 0 and prev_round_name:
        text += f"（较{prev_round_name}）"
    return text


# ---------------------------------------------------------------- 差距分析


@dataclass(frozen=True)
class RankGap:
    k: int
    points: float
    rank_if_tied: int
    boundary_units: str
    boundary_count: int
    boundary_total: float | None


def gap_target(target: int | None, latest: pd.Series) -> int | None:
    """差距分析用的目标名次：目标超出最近一轮的组内单位数时不用（页面另有提示）。"""
    return None if target_problem(target, latest["group_size"]) else target


def widget_keys(types: list[str]) -> list[str]:
    """页面控件在会话里的键（推进会翻屏时记住它们）：设置、分项、排名表的排序与各类测评的轮次。"""
    fixed = ["rk_round_type", "rk_target", "rk_top_n", "rk_rivals", "rk_part_level", "rk_gap_basis", "rk_table_sort"]
    return fixed + [f"rk_table_round_{t}" for t in types]


def points_to_rank(needed: pd.DataFrame, k: int) -> RankGap | None:
    """进入前 k 名所差分数（查询 rank_trend_points_needed 的一行）；本县缺测或 k 不在 1..N 时为 None。"""
    if needed.empty or k < 1:
        return None
    group_size = int(needed.iloc[0]["group_size"])
    if k > group_size:
        return None
    row = needed[needed["k"] == k]
    if row.empty:  # k = N：最后一名总能达到，查询不单列
        return RankGap(k, 0.0, int(needed.iloc[0]["our_rank"]), "", 0, None)
    r = row.iloc[0]
    return RankGap(
        k,
        float(r["points_needed"]),
        int(r["rank_if_tied"]),
        str(r["boundary_units"]),
        int(r["boundary_count"]),
        float(r["kth_other_total"]),
    )


def _gap_card(label: str, gap: RankGap, metric: str) -> Card:
    if gap.points <= 0:
        return Card(label, "已达到", delta=f"第{gap.k}名以内", delta_arrow="off", delta_color="green", metric=metric)
    if gap.boundary_count > 1:
        how = (
            f"{md(gap.boundary_units)}并列 {formats.points(gap.boundary_total)} 分，"
            f"追平即与其并列第{gap.rank_if_tied}名"
        )
    else:
        how = f"追平{md(gap.boundary_units)}（{formats.points(gap.boundary_total)} 分）即并列第{gap.rank_if_tied}名"
    return Card(
        label, f"差 {formats.points(gap.points)} 分", delta=how, delta_arrow="off", delta_color="orange", metric=metric
    )


def gap_cards(needed: pd.DataFrame, target_rank: int | None) -> list[Card]:
    """本县名次、距目标名次、距上一名次三张卡片（同一口径：rank_trend_points_needed）。"""
    metric = "距前k名所差分数"
    if needed.empty:
        return [Card("本县名次", "缺测", metric=None)]
    first = needed.iloc[0]
    our_rank, group_size = int(first["our_rank"]), int(first["group_size"])
    cards = [
        Card(
            "本县名次",
            formats.rank(our_rank, group_size),
            delta=f"得分 {formats.points(first['our_total'])}",
            delta_arrow="off",
            delta_color="off",
        )
    ]
    target_gap = points_to_rank(needed, target_rank) if target_rank else None
    if target_gap is not None:
        cards.append(_gap_card(f"距目标：前{target_rank}名", target_gap, metric))
    if our_rank == 1:
        cards.append(Card("距上一名次", "已是第1名", delta_arrow="off", delta_color="green", metric=metric))
    else:
        up = points_to_rank(needed, our_rank - 1)
        if up is not None:  # 名次 − 1 总在 1..N 之内，总有差距；写出来让类型检查知道
            cards.append(_gap_card(f"距上一名次：第{our_rank - 1}名", up, metric))
    return cards


def part_gap_rows(parts: pd.DataFrame, level: str, basis: str) -> pd.DataFrame:
    """某一层级（板块/测评项目）按所选差距从大到小排列；对比对象只能是 GAP_BASES 中的一个。"""
    if level not in PART_LEVELS:
        raise ValueError(f"未知层级：{level}")
    column = GAP_BASES[basis]
    rows = parts[parts["level"] == level].copy()
    rows["gap"] = rows[column]
    return rows.sort_values(["gap", "node_code"], ascending=[False, True], na_position="last").reset_index(drop=True)


def part_gap_table(rows: pd.DataFrame, level: str) -> pd.DataFrame:
    """分项差距表（中文列名），行序同 part_gap_rows。"""
    target_name = rows["target_unit_name"].dropna()
    target_label = f"对标单位（{target_name.iloc[0]}）" if len(target_name) else "对标单位"
    out = pd.DataFrame(
        {
            level: rows["node_name"].to_numpy(),
            "满分": rows["full_points"].to_numpy(),
            "本县": rows["our_score"].to_numpy(),
            "组内最高": rows["best_score"].to_numpy(),
            "组内平均": rows["average_score"].to_numpy(),
            target_label: rows["target_unit_score"].to_numpy(),
            "差最高": rows["gap_to_best"].to_numpy(),
            "差平均": rows["gap_to_average"].to_numpy(),
            "差对标单位": rows["gap_to_target"].to_numpy(),
            "参与单位数": rows["units_with_score"].astype(int).to_numpy(),
        }
    )
    if level == "测评项目":
        out.insert(1, "所属板块", rows["parent_name"].to_numpy())
    return out


# ---------------------------------------------------------------- 排名表


def table_sort_options(parts: pd.DataFrame) -> list[str]:
    """排序白名单：固定几种 + 本轮实际有的板块。"""
    blocks = parts.drop_duplicates("node_code").sort_values(["sort_order", "node_code"])["node_name"].tolist()
    return [*TABLE_SORTS, *blocks]


def _table_note(status: str, prev_rank: Number | None, prev_round_name: str | None, skipped: Number | None) -> str:
    """排名表“说明”列：只写需要解释的情况（缺测、首次有成绩、跨过缺测轮次比较）。"""
    if status == "缺测":
        return "缺测，不参与本轮排名"
    if _missing(prev_rank):
        return "此前无成绩，无名次变化"
    if _present(skipped) and int(skipped) > 0:
        return f"上{int(skipped)}轮缺测，变化较{prev_round_name}"
    return ""


def rank_table(round_rows: pd.DataFrame, parts: pd.DataFrame, county: str, sort_by: str = "名次") -> pd.DataFrame:
    """全组排名表：本县固定在第一行；其余按所选方式排序，缺测单位始终在最后。"""
    blocks = parts.drop_duplicates("node_code").sort_values(["sort_order", "node_code"])
    block_names = blocks["node_name"].tolist()
    if sort_by not in TABLE_SORTS and sort_by not in block_names:
        raise ValueError(f"不支持的排序方式：{sort_by}")
    rows = round_rows.reset_index(drop=True)
    out = pd.DataFrame(
        {
            "名次": rows["rank"].astype("Int64"),
            "单位": [f"★ {n}（本县）" if c == county else n for c, n in zip(rows["region_code"], rows["region_name"])],
            "得分": rows["total"].astype("Float64"),
            "名次变化": [
                change_text(c, p, s)
                for c, p, s in zip(rows["rank_change"], rows["prev_round_name"], rows["skipped_rounds"])
            ],
            "得分变化": rows["score_change"].astype("Float64"),
        }
    )
    wide = parts.pivot(index="region_code", columns="node_name", values="score") if not parts.empty else None
    for _, b in blocks.iterrows():
        col = wide[b["node_name"]] if wide is not None else pd.Series(dtype="float64")
        out[b["node_name"]] = rows["region_code"].map(col).astype("Float64").to_numpy()
    out["说明"] = [
        _table_note(s, p, pn, k)
        for s, p, pn, k in zip(rows["score_status"], rows["prev_rank"], rows["prev_round_name"], rows["skipped_rounds"])
    ]
    out["_ours"] = (rows["region_code"] == county).to_numpy()
    out["_missing"] = (rows["score_status"] == "缺测").to_numpy()
    out["_change"] = rows["rank_change"].astype("Float64").to_numpy()
    out["_code"] = rows["region_code"].to_numpy()
    key, ascending = TABLE_SORTS.get(sort_by, (sort_by, False))
    out = out.sort_values([key, "_code"], ascending=[ascending, True], na_position="last")
    out = pd.concat([out[out["_ours"]], out[~out["_ours"] & ~out["_missing"]], out[~out["_ours"] & out["_missing"]]])
    out = out.drop(columns=["_ours", "_missing", "_change", "_code"]).reset_index(drop=True)
    # 这一轮没有要解释的（没有缺测、首次有成绩、跨轮比较）：不留一列空白的“说明”
    return out if out["说明"].fillna("").astype(str).str.strip().any() else out.drop(columns=["说明"])


TABLE_FIXED = ("名次", "单位", "得分", "名次变化", "得分变化", "说明")


def part_columns(table: pd.DataFrame) -> list[str]:
    """排名表里的分项（板块）得分列：固定列之外的那些，按表中顺序。"""
    return [c for c in table.columns if c not in TABLE_FIXED]


def table_height(table: pd.DataFrame, cap: int = 720) -> int:
    return min(38 + 35 * len(table), cap)


def _cell(column: str, value: Any) -> str:  # 表里的一格：数或文字，缺失时为 None、pd.NA 或 NaN
    if column == "名次":
        return "缺测" if _missing(value) else str(int(value))
    if _missing(value):
        return MISSING
    if column == "得分变化":
        return f"{float(value):+.2f}"
    if column in ("单位", "名次变化", "说明"):
        return html_text(value)
    return f"{float(value):.2f}"


def rank_table_html(table: pd.DataFrame) -> str:
    """推进会模式的排名表（HTML，大字、黑白高对比、本县一行加底色）；比 pandas Styler 快一个数量级。"""
    head = "".join(
        f'<th style="padding:.35em .6em;border-bottom:3px solid #000;text-align:left">{html_text(c)}</th>'
        for c in table.columns
    )
    body = []
    for values in zip(*(table[c].tolist() for c in table.columns)):
        ours = str(values[1]).startswith("★")
        row_style = "background:#FFE0B2;font-weight:800" if ours else ""
        cells = []
        for column, value in zip(table.columns, values):
            text = _cell(column, value)
            color = ""
            if column == "名次变化":
                color = (
                    "color:#1B5E20;font-weight:700"
                    if text.startswith("▲")
                    else ("color:#B71C1C;font-weight:700" if text.startswith("▼") else "")
                )
            cells.append(f'<td style="padding:.3em .6em;border-bottom:1px solid #9E9E9E;{color}">{text}</td>')
        body.append(f'<tr style="{row_style}">{"".join(cells)}</tr>')
    return (
        '<table class="rk-rank-table" style="width:100%;border-collapse:collapse;font-size:1.35rem;color:#000">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
