"""示例县像不像真的：几项量度与它们的合理区间（Issue 16 第 3 部分）。

量度都按看板自己的口径算（反弹用问题热点的查询、名次用红黑榜的查询），所以区间守住的就是用户在页面上看到的。
测试（tests/unit/test_demo_bands.py）在默认示例库上逐项核对；也可以对任意库运行：

    python -m chuangwen.demo.bands [库文件]      # 不给时用 data/demo.duckdb
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import timedelta

import duckdb

from chuangwen import db, hotspots, league, queries
from chuangwen.view import View
from chuangwen.vocabulary import WEEK


@dataclass(frozen=True)
class Band:
    label: str
    low: float
    high: float
    percent: bool = True

    def holds(self, value: float) -> bool:
        return self.low <= value <= self.high

    def text(self, value: float) -> str:
        if self.percent:
            return f"{value:.1%}（区间 {self.low:.0%}–{self.high:.0%}）"
        return f"{value:g}（区间 {self.low:g}–{self.high:g}）"


INF = float("inf")
BANDS = {
    "rebound_share_30d": Band("近 30 天发现的问题中反弹的占比（问题热点口径）", 0.05, 0.15),
    "rebound_share_year": Band("近一年发现的问题中反弹的占比（问题热点口径）", 0.05, 0.15),
    "busiest_site_share": Band("问题最多的一个点位占全部问题的比例", 0.0, 0.03),
    "old_open_share": Band("截至时仍未销号、发现已超过一年的问题占全部问题的比例", 0.0, 0.02),
    "old_open_share_of_open": Band("同上，占截至时在办问题的比例", 0.0, 0.15),
    "units_idle_in_typical_month": Band("典型月份（近 12 个整月的中位数）里没有牵头问题的部门与镇街数", 0, 0, False),
    "hotspot_lift": Band("近一年问题最多的 3 个点位的最少问题数 ÷ 有问题点位的中位数", 4, INF, False),
    "weekly_ranked_departments": Band("按周的部门红黑榜里有名次的部门数", 10, INF, False),
    "weekly_ranked_townships": Band("按周的镇街红黑榜里有名次的镇街数", 10, INF, False),
}


def _hotspot_counts(con: duckdb.DuckDBPyConnection, view: View) -> tuple[int, int]:
    params = hotspots.page_params(hotspots.PageFilters(), {}, county_ring=None)
    row = queries.run(con, "hotspot_summary", view, **params).iloc[0]
    return int(row["rebounds"]), int(row["problems"])


def measure(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """在一个打开的库上算各项量度（键同 BANDS）。"""
    view = View.of_store(con)
    cutoff = view.cutoff
    out: dict[str, float] = {}
    rebound, found = _hotspot_counts(con, view)
    out["rebound_share_30d"] = rebound / found if found else 0.0
    year = view.for_days(cutoff.date() - timedelta(days=364), cutoff.date())
    rebound, found = _hotspot_counts(con, year)
    out["rebound_share_year"] = rebound / found if found else 0.0

    total = db.scalar(con, "select count(*) from problem")
    busiest = db.scalar(
        con,
        "select coalesce(max(n), 0) from (select count(*) n from problem "
        "where site_code is not null group by site_code)",
    )
    out["busiest_site_share"] = busiest / total if total else 0.0
    ((old_open, open_now),) = con.execute(
        "select count(*) filter (where found_at < $cutoff - interval 365 day), count(*) "
        "from problem_state_at($cutoff) where not is_closed",
        {"cutoff": cutoff},
    ).fetchall()
    out["old_open_share"] = old_open / total if total else 0.0
    out["old_open_share_of_open"] = old_open / open_now if open_now else 0.0

    # 近 12 个整月，每月没有牵头问题的单位数（部门与镇街），取中位数
    out["units_idle_in_typical_month"] = float(
        db.scalar(
            con,
            """
        with months as (
            select unnest(range(date_trunc('month', $cutoff::timestamp) - interval 12 month,
                                date_trunc('month', $cutoff::timestamp), interval 1 month)) as m
        ),
        busy as (
            select date_trunc('month', found_at) as m, lead_unit_code, count(*) as n
            from problem group by all
        )
        select median(idle) from (
            select m.m, count(*) filter (where b.n is null) as idle
            from months m cross join unit u
            left join busy b on b.m = m.m and b.lead_unit_code = u.code
            group by m.m
        )""",
            {"cutoff": cutoff},
        )
    )

    per_site = [
        n
        for (n,) in con.execute(
            "select count(*) from problem where site_code is not null and found_at > $cutoff - interval 365 day "
            "group by site_code order by 1 desc",
            {"cutoff": cutoff},
        ).fetchall()
    ]
    median = per_site[len(per_site) // 2] if per_site else 0
    out["hotspot_lift"] = (min(per_site[:3]) / median) if median and len(per_site) >= 3 else 0.0

    board = league.period_view(view, WEEK)
    params = league.configured_params()
    units = queries.run(con, "league_units", board, **params)
    towns = queries.run(con, "league_townships", board, **params)
    out["weekly_ranked_departments"] = float(units[units["kind"] == "条"]["rank"].notna().sum())
    out["weekly_ranked_townships"] = float(towns["rank"].notna().sum())
    return out


def report(values: dict[str, float]) -> tuple[list[str], bool]:
    """每项一行（量度、数值、区间、是否在区间内）与是否全部守住。"""
    lines, ok = [], True
    for key, band in BANDS.items():
        good = band.holds(values[key])
        ok &= good
        lines.append(f"{'✓' if good else '✗'} {band.label}：{band.text(values[key])}")
    return lines, ok


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    path = argv[0] if argv else "data/demo.duckdb"
    con = duckdb.connect(path, read_only=True)
    try:
        lines, ok = report(measure(con))
    finally:
        con.close()
    print("\n".join(lines))
    print("全部在区间内" if ok else "有量度不在区间内")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
