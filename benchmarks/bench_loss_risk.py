"""丢分预警基准（Issue 31 的“速度”与第 6 部分）：打印数字，不判通过与否。

    python benchmarks/bench_loss_risk.py                       # 100 万条问题的示例库（没有时先生成，要几分钟）
    python benchmarks/bench_loss_risk.py --problems 100000     # 小一些的库
    python benchmarks/bench_loss_risk.py --db /tmp/lr.duckdb   # 复用已生成的库

一、速度。
    1. 取数与计算（冷：新连接、无缓存）= 五条查询（loss_risk_inputs、groups、items、coverage、last_round；前三条读同一份
       中间结果 loss_risk_open，只算一次）+ 超几何期望与分摊（loss_risk.assess）+ 攻坚清单与累计少丢 + 分组表 + 地图的点；
       换筛选（侧栏镇街、点位类型、只看逾期）不重查库，只在算好的结果上筛攻坚清单（页面把 assess 的结果按查询结果记住）。
    2. 整页（画框 + 本页，含地图组件参数与表格；AppTest，每种情形一个新进程）：没预热时第一次打开；服务预热后
       （chuangwen.ui.prewarm：服务启动、发布新版本后在后台算好全县默认口径）第一次打开；整页换筛选；换统计时刻（重算）。
    同一次运行里对照按定义从原始整改事件日志逐条算“不合格的处”（tests/oracles.failing_places_by_definition：不用状态
    区间与宏，只是概率之前的那一步）。目标：100 万条时第一次打开 ≤ 1 秒、换筛选 ≤ 0.5 秒（两核的机器上）。

二、与过去对照。对示例库里每一轮有扣分明细的测评：按该轮开始前一天结束时（开始日 0 时）的在办问题算各测评标准的
    预计丢分，与该轮实际扣分（只算实地考察标准）逐条对照：斯皮尔曼等级相关（各标准按预计与实际各自排名）、
    合计的预计与实际、绝对误差。示例数据的扣分明细是生成的，这些数只说明算法在示例上的表现，不代表真实县。
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from datetime import time as clock
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chuangwen import db, demo, loss_risk, queries  # noqa: E402
from chuangwen.view import View  # noqa: E402
from tests import oracles  # noqa: E402


def ensure_db(path: Path | None, problems: int) -> Path:
    if path is not None and path.exists():
        return path
    path = path or Path(tempfile.gettempdir()) / f"loss-risk-{problems}.duckdb"
    if not path.exists():
        t0 = time.perf_counter()
        demo.build(path, seed=2026, problems=problems)
        print(f"生成示例库 {problems:,} 条问题：{time.perf_counter() - t0:.1f} 秒")
    return path


def first_view(path: Path) -> tuple[float, loss_risk.Assessment, View]:
    """页面第一次打开：新连接、无缓存，跑全部查询并算好页面上的每一样。"""
    t0 = time.perf_counter()
    con = db.open_readonly(path)
    view = View.of_store(con)
    once = queries.OneRun()  # 页面也一样：三条查询读同一份中间结果 loss_risk_open，一个统计时刻只算一次
    inputs = queries.run(con, "loss_risk_inputs", view)
    groups = queries.run(con, "loss_risk_groups", view, shared=once)
    items = queries.run(con, "loss_risk_items", view, shared=once)
    queries.run(con, "loss_risk_coverage", view, shared=once)
    last = queries.run(con, "loss_risk_last_round", view)
    if len(last):
        queries.run(con, "rank_trend_points_needed", view, round_code=last.iloc[0]["round_code"])
    loss_risk.input_notes(inputs)
    result = loss_risk.assess(groups, items, view.as_of)
    rows = result.worklist()
    loss_risk.place_table(loss_risk.shown(rows))
    loss_risk.standards_table(result)
    for by in ("点位类型", "镇街", "责任单位"):
        loss_risk.breakdown(result, by)
    loss_risk.map_places(result)
    seconds = time.perf_counter() - t0
    con.close()
    return seconds, result, view


def filter_changes(result: loss_risk.Assessment) -> list[float]:
    """换筛选：每个镇街、只看逾期、第一种点位类型各一次，返回各次秒数。"""
    towns = sorted({t for t in result.places["township_code"].dropna()})
    types = loss_risk.place_types(result)
    cases = [{"township": t} for t in towns] + [{"overdue_only": True}] + [{"site_types": tuple(types[:1])}]
    out = []
    for case in cases:
        t0 = time.perf_counter()
        rows = result.worklist(**case)
        loss_risk.place_table(loss_risk.shown(rows))
        loss_risk.running_text(rows, 5)
        out.append(time.perf_counter() - t0)
    return out


def whole_page(path: Path, warm: bool) -> dict[str, list[float]]:
    """整页（画框 + 本页，AppTest，在新进程里量：第一次打开是真的冷）：第一次打开、侧栏换镇街、攻坚清单换点位类型与
    “只看有逾期的”（这些不重查库）、统计区间换终点（查询缓存未命中，要重算）。warm：先像服务启动时那样预热
    （chuangwen.ui.prewarm，后台线程里做的那一步），再第一次打开。"""
    done = subprocess.run(
        [sys.executable, __file__, "--page-child", "warm" if warm else "cold", "--db", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "CHUANGWEN_DB": str(path)},
    )
    if done.returncode != 0:
        raise RuntimeError(f"整页计时失败：\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def page_child(path: Path, warm: bool) -> None:
    from datetime import timedelta

    from streamlit.testing.v1 import AppTest

    from chuangwen.ui import page_modules, prewarm
    from tests import apptest

    def timed(at: AppTest) -> float:
        t0 = time.perf_counter()
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        return time.perf_counter() - t0

    warming = 0.0
    if warm:
        t0 = time.perf_counter()
        prewarm.Prewarmer([("丢分预警", lambda view: page_modules.load("loss_risk").warm(view))]).step()
        warming = time.perf_counter() - t0
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=1800)
    apptest.sign_in_everywhere(path)
    apptest.switch_page(at, "loss_risk")  # 直接打开这一页（网址就是它），不先跑默认的总览
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value.startswith("丢分预警"), at.title
    out: dict[str, list[float]] = {"预热": [warming], "第一次打开": [first], "换筛选": [], "换统计时刻": []}
    towns = at.selectbox(key="flt_township").options[1:4]
    for town in towns:
        at.selectbox(key="flt_township").set_value(town)
        out["换筛选"].append(timed(at))
    at.selectbox(key="flt_township").set_value(at.selectbox(key="flt_township").options[0])
    out["换筛选"].append(timed(at))
    types = at.multiselect(key="lr_types").options
    for chosen in (types[:1], types[:2], []):
        at.multiselect(key="lr_types").set_value(chosen)
        out["换筛选"].append(timed(at))
    for on in (True, False):
        at.checkbox(key="lr_overdue").set_value(on)
        out["换筛选"].append(timed(at))
    start, end = at.date_input(key="flt_range").value
    for back in (3, 10):
        at.date_input(key="flt_range").set_value((start, end - timedelta(days=back)))
        out["换统计时刻"].append(timed(at))
    print(json.dumps(out))


def naive(path: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    places = oracles.failing_places_by_definition(path)
    return time.perf_counter() - t0, len(places)


def replay(path: Path) -> pd.DataFrame:
    """每一轮有扣分明细的测评：开始日 0 时的预计丢分对该轮实际扣分（按测评标准）。"""
    con = db.open_readonly(path)
    rounds = con.execute(
        "select r.code, r.name, r.start_date, r.edition from round r "
        "where exists (select 1 from deduction d where d.round_code = r.code) order by r.start_date"
    ).fetchall()
    out = []
    for code, name, start, edition in rounds:
        as_of = datetime.combine(start, clock())
        view = View.of_store(con, as_of=as_of)
        once = queries.OneRun()
        groups = queries.run(con, "loss_risk_groups", view, shared=once)
        items = queries.run(con, "loss_risk_items", view, shared=once)
        result = loss_risk.assess(groups, items, view.as_of)
        if not result.usable:
            out.append((name, None, None, None, None, "算不出（缺输入）"))
            continue
        expected = result.standards.set_index("standard_code")["expected"].astype(float)
        field = set(result.standards["standard_code"])
        actual = (
            con.execute(
                "select standard_code, sum(points) as points from deduction "
                "where round_code = $r and edition = $e group by 1",
                {"r": code, "e": edition},
            )
            .df()
            .set_index("standard_code")["points"]
        )
        used_edition = result.standards["edition"].iloc[0] if "edition" in result.standards else edition
        actual = actual[actual.index.isin(field)] if used_edition == edition else actual.iloc[0:0]
        both = pd.concat([expected.rename("预计"), actual.rename("实际")], axis=1).fillna(0.0)
        both = both[(both["预计"] > 0) | (both["实际"] > 0)]
        ranks = both.rank()  # 斯皮尔曼 = 名次的皮尔逊相关（不用 scipy）
        rho = ranks["预计"].corr(ranks["实际"]) if len(both) > 2 else float("nan")
        note = "" if both["预计"].sum() > 0 else "开始前没有在办问题落在实地考察标准上（等级相关无从算）"
        out.append((name, len(both), rho, both["预计"].sum(), both["实际"].sum(), note))
    con.close()
    return pd.DataFrame(out, columns=["测评", "标准数", "等级相关", "预计丢分", "实际扣分", "说明"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--page-child", choices=["cold", "warm"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.page_child:
        page_child(args.db, args.page_child == "warm")
        return
    path = ensure_db(args.db, args.problems)
    con = db.open_readonly(path)
    problems = con.execute("select count(*) from problem").fetchone()[0]
    con.close()
    print(f"库：{path}（{problems:,} 条问题）")

    firsts, result = [], None
    for _ in range(args.repeat):
        seconds, result, _view = first_view(path)
        firsts.append(seconds)
    assert result is not None
    changes = filter_changes(result)
    base, count = naive(path)
    print(f"取数与计算，第一次（冷，{args.repeat} 次的中位数）：{statistics.median(firsts):.3f} 秒（目标 ≤ 1 秒）")
    print(
        f"换筛选（{len(changes)} 次）：中位数 {statistics.median(changes) * 1000:.1f} 毫秒，最慢 {max(changes) * 1000:.1f} 毫秒"
        "（目标 ≤ 0.5 秒）"
    )
    print(f"按定义从原始事件日志逐条算不合格的处：{base:.3f} 秒（{count:,} 处；本页 {len(result.places):,} 处）")
    print(f"倍数：{base / statistics.median(firsts):.1f} 倍（原始日志 ÷ 本页第一次打开）")
    print(f"全县预计丢分 {result.total:.3f} 分")
    cold = whole_page(path, warm=False)
    warm = whole_page(path, warm=True)
    print(
        f"整页（画框 + 本页，含地图与表格，AppTest 新进程）：没预热时第一次打开 {cold['第一次打开'][0]:.3f} 秒；"
        f"服务预热（后台，{warm['预热'][0]:.3f} 秒）后第一次打开 {warm['第一次打开'][0]:.3f} 秒（目标 ≤ 1 秒）"
    )
    changes = cold["换筛选"] + warm["换筛选"]
    print(
        f"整页换筛选（侧栏镇街、点位类型、只看有逾期的，{len(changes)} 次）：中位数 {statistics.median(changes):.3f} 秒、"
        f"最慢 {max(changes):.3f} 秒（目标 ≤ 0.5 秒）；换统计时刻（重查库、重算）"
        f"{'、'.join(f'{v:.3f}' for v in cold['换统计时刻'] + warm['换统计时刻'])} 秒"
    )
    print(
        f"倍数：{base / cold['第一次打开'][0]:.1f} 倍（原始日志 ÷ 没预热的整页第一次打开）；"
        f"{base / warm['第一次打开'][0]:.1f} 倍（÷ 预热后的整页第一次打开）"
    )

    print("\n与过去对照（开始日 0 时的预计丢分 对 该轮实际扣分，只算实地考察标准）：")
    table = replay(path)
    with pd.option_context("display.width", 160, "display.max_columns", 10, "display.float_format", "{:.3f}".format):
        print(table.to_string(index=False))
    rho = table["等级相关"].dropna()
    if len(rho):
        error = (table["预计丢分"] - table["实际扣分"]).abs().dropna()
        print(
            f"等级相关中位数 {rho.median():.3f}（{len(rho)} 轮）；合计绝对误差中位数 {error.median():.3f} 分，"
            f"最大 {error.max():.3f} 分"
        )


if __name__ == "__main__":
    main()
