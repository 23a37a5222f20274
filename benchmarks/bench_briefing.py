"""通报导出耗时：整套幻灯片（取数 + 原生图表 + 静态地图 + 一张 PNG 图）与单张图表 PNG，
并与朴素做法（每张图 `fig.write_image`，每次新起一个 Chrome）在同一次运行中对比。

另量 Excel 台账导出：--excel-rows 行（默认 10 万）的在办问题台账写成 .xlsx（整改督办页的导出：supervision.unit_workbook），
对照 pandas 默认的 DataFrame.to_excel（openpyxl），同一份数据、同一次运行。

用法：python benchmarks/bench_briefing.py [--problems 20000] [--dir /tmp/chuangwen-bench] [--charts 5]
                                          [--db 已有的库，如 bench_league.py 生成的 1,000 万条库] [--excel-rows 100000]
      python benchmarks/bench_briefing.py --backlog [--backlog-problems 1000000] [--overdue 100000]
只打印数字，不做断言。目标：整套幻灯片 ≤ 20 s（1,000 万条时也是）；导出进程已热时单张图 PNG ≤ 0.5 s；
10 万行台账的 Excel ≤ 10 s；--backlog：100 万条问题、10 万条逾期时一期周通报（幻灯片、Word、PDF）≤ 30 s（Issue 32），
并在同一次运行里量改之前的写法（附件列出全部逾期、逐行 table.rows[r].cells 写 Word 表）在几千行上的用时与外推。
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chuangwen import briefing, charts, db, demo, export_png, queries, supervision  # noqa: E402
from chuangwen.view import View  # noqa: E402


def ensure_db(directory: Path, problems: int) -> Path:
    path = directory / f"demo-{problems}.duckdb"
    if not path.exists():
        t0 = time.perf_counter()
        demo.build(path, seed=2026, problems=problems)
        print(f"  生成示例库 {problems:,} 条问题：{time.perf_counter() - t0:.1f} s")
    return path


def sample_figures(con, n: int) -> list:
    """n 张内容各不相同的图（避免命中同图缓存）：名次走势与周流量，标题带序号。"""
    meta = dict(queries.run(con, "app_meta", {}).itertuples(index=False, name=None))
    history = queries.run(con, "overview_rank_history", {"county": meta["our_region_code"], "round_type": "年度测评"})
    figs = []
    for i in range(n):
        fig = charts.rank_trend_history(history, 10, meta.get("county_name", "本县"))
        fig.update_layout(title={"text": f"历年全省名次（第 {i + 1} 张）"}, width=900, height=420)
        figs.append(fig)
    return figs


def excel_ledger(con, rows: int, directory: Path) -> None:
    """在办问题台账（整改督办页“导出 Excel”的那张表，17 列）取逾期最久的 rows 行（不够时重复），写成 .xlsx：
    本项目的写法（supervision.unit_workbook：中文表头、公式注入防护、列宽）对 pandas 默认写法（DataFrame.to_excel，openpyxl）。"""
    view = View.of_store(con)
    t0 = time.perf_counter()
    ledger = queries.run(con, "supervision_ledger", view, **supervision.ledger_params(), limit=rows)
    t_query = time.perf_counter() - t0
    if ledger.empty:
        print("Excel 台账：库里没有在办问题，跳过")
        return
    while len(ledger) < rows:
        ledger = pd.concat([ledger, ledger], ignore_index=True)
    ledger = ledger.iloc[:rows]
    t0 = time.perf_counter()
    ours = supervision.unit_workbook(ledger, "全部单位", view.as_of)
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    supervision.display_ledger(ledger).to_excel(directory / "naive.xlsx", index=False)
    t_naive = time.perf_counter() - t0
    print(
        f"Excel 在办台账 {len(ledger):,} 行 × {len(supervision.display_ledger(ledger.head(1)).columns)} 列："
        f"取数 {t_query:.2f} s，写文件 {t_ours:.2f} s（{len(ours) / 1e6:.1f} MB；取数 + 写文件目标 ≤ 10 s："
        f"{'达到' if t_query + t_ours <= 10 else '未达到'}），pandas.to_excel（openpyxl）{t_naive:.2f} s，"
        f"比例 {t_naive / t_ours:.1f} 倍"
    )


def backlog_db(directory: Path, problems: int, overdue: int) -> Path:
    """有大积压的库：示例库（problems 条）的一份副本里，把已销号、期限早于数据截至的问题挑 overdue 条撤掉“已销号”事件，
    让它们成为逾期的在办问题，再按事件日志重建派生表（只在这份基准用的副本上改，不经发布路径）。"""
    import shutil

    import duckdb

    from chuangwen import derived

    base = ensure_db(directory, problems)
    path = directory / f"backlog-{problems}-{overdue}.duckdb"
    if path.exists():
        return path
    t0 = time.perf_counter()
    shutil.copyfile(base, path)
    con = duckdb.connect(str(path))
    try:
        cutoff = con.execute("select max(event_at) from rectify_event").fetchone()[0]
        con.execute(
            """
            create temp table reopened as
            select p.code from problem p
            where p.deadline < $cutoff - interval 1 day
              and exists (select 1 from rectify_event e where e.problem_code = p.code and e.action = '已销号')
            order by hash(p.code) limit $n
            """,
            {"cutoff": cutoff, "n": overdue},
        )
        con.execute("delete from rectify_event where action = '已销号' and problem_code in (select code from reopened)")
        derived.rebuild(con)
        con.execute("checkpoint")
    finally:
        con.close()
    print(f"  造积压：{overdue:,} 条已销号的问题撤掉销号（{time.perf_counter() - t0:.1f} s）")
    return path


def old_annex_seconds(ledger: pd.DataFrame, rows: int) -> float:
    """改之前的附件写法：全部逾期问题一行一行写进 Word 表，每行用 table.rows[r].cells 取格子（每次都重排整张表）。"""
    import io

    from docx import Document

    table_rows = supervision.display_ledger(ledger.head(rows))[
        ["问题编号", "镇街", "问题描述", "牵头单位", "整改期限", "逾期天数"]
    ]
    t0 = time.perf_counter()
    doc = Document()
    table = doc.add_table(rows=len(table_rows) + 1, cols=len(table_rows.columns))
    for r, values in enumerate(table_rows.itertuples(index=False), start=1):
        for cell, value in zip(table.rows[r].cells, values):
            cell.text = str(value)
    doc.save(io.BytesIO())
    return time.perf_counter() - t0


def backlog(args: argparse.Namespace) -> None:
    """大积压时的一期周通报：取数、幻灯片、Word、PDF 与各单位督办单各用多久，对照改之前的附件写法。"""
    from chuangwen.briefing import document, notices

    path = backlog_db(args.dir, args.backlog_problems, args.overdue)
    con = db.open_readonly(path)
    has_browser = export_png.available()
    problems = con.execute("select count(*) from problem").fetchall()[0][0]
    t0 = time.perf_counter()
    brief = briefing.collect(con)
    t_collect = time.perf_counter() - t0
    late = brief.frames["overdue_list"]
    print(
        f"库：{path}（{problems:,} 条问题，统计时刻逾期 {len(late):,} 条）；浏览器：{export_png.find_browser() or '无'}"
    )
    t1 = time.perf_counter()
    deck = briefing.deck(brief, png=has_browser)
    t_deck = time.perf_counter() - t1
    t1 = time.perf_counter()
    word = document.build(brief, png=has_browser)
    t_word = time.perf_counter() - t1
    t1 = time.perf_counter()
    pdf = document.to_pdf(word) if document.pdf_available() else b""
    t_pdf = time.perf_counter() - t1
    total = time.perf_counter() - t0
    print(
        f"一期周通报（取数 + 幻灯片 + Word + PDF）：{total:.1f} s（取数 {t_collect:.1f} s，幻灯片 {t_deck:.1f} s，"
        f"Word {t_word:.1f} s，PDF {t_pdf:.1f} s；{len(deck) / 1e6:.1f} MB / {len(word) / 1e6:.2f} MB / {len(pdf) / 1e6:.2f} MB），"
        f"目标 ≤ 30 s：{'达到' if total <= 30 else '未达到'}"
    )
    t1 = time.perf_counter()
    xlsx = document.overdue_workbook(brief)
    print(
        f"全部逾期清单 Excel（随 Word 发出）：{len(late):,} 行，{time.perf_counter() - t1:.1f} s，{len(xlsx) / 1e6:.1f} MB"
    )
    t1 = time.perf_counter()
    ns = notices.build(brief)
    t_notices = time.perf_counter() - t1
    t1 = time.perf_counter()
    ns.zip_bytes(pdf=False)
    print(
        f"各单位督办单：{len(ns.notices)} 份 Word {t_notices:.1f} s，打包 {time.perf_counter() - t1:.1f} s"
        f"（单份最多 {max((n.rows for n in ns.notices), default=0):,} 行）"
    )
    if has_browser:
        export_png.stop()
    # 改之前：附件列出全部逾期，逐行 table.rows[r].cells 写表（Issue 32 报告 9 万条逾期时 9.5 分钟未完成）
    small, large = 1000, 2000
    a, b = old_annex_seconds(late, small), old_annex_seconds(late, large)
    growth = b / a if a else float("nan")
    exponent = math.log(growth, 2) if a and growth > 0 else 1.0
    guess = b * (len(late) / large) ** exponent
    print(
        f"改之前的附件写法：{small:,} 行 {a:.1f} s，{large:,} 行 {b:.1f} s（翻一倍用时 ×{growth:.1f}）；"
        f"外推到 {len(late):,} 行约 {guess / 60:.0f} 分钟。现在附件只列 {document.ANNEX_ROWS} 条：Word 通报 {t_word:.1f} s，"
        f"比例约 {guess / max(t_word, 1e-9):.0f} 倍"
    )
    con.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--problems", type=int, default=20000)
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "chuangwen-bench")
    ap.add_argument("--charts", type=int, default=5)
    ap.add_argument("--db", type=Path, help="用已有的库（不生成示例库）")
    ap.add_argument("--excel-rows", type=int, default=100_000)
    ap.add_argument("--backlog", action="store_true", help="只量大积压时的一期周通报（Issue 32）")
    ap.add_argument("--backlog-problems", type=int, default=1_000_000)
    ap.add_argument("--overdue", type=int, default=100_000)
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    if args.backlog:
        backlog(args)
        return
    path = args.db or ensure_db(args.dir, args.problems)
    con = db.open_readonly(path)
    has_browser = export_png.available()
    problems = con.execute("select count(*) from problem").fetchall()[0][0]
    print(f"库：{path}（{problems:,} 条问题）；浏览器：{export_png.find_browser() or '无'}")
    excel_ledger(con, args.excel_rows, args.dir)

    figs = sample_figures(con, args.charts * 2)
    naive = []
    if has_browser:
        # 朴素做法要在常驻进程启动之前测：常驻进程在运行时 write_image 也会走它
        for fig in figs[: args.charts]:
            t0 = time.perf_counter()
            fig.write_image(str(args.dir / "naive.png"), width=900, height=420, scale=2)
            naive.append(time.perf_counter() - t0)
        print(
            f"朴素做法（每张图新起 Chrome）：{args.charts} 张，每张中位数 {statistics.median(naive):.2f} s，"
            f"最慢 {max(naive):.2f} s"
        )

    # 整套幻灯片（冷：含常驻导出进程启动）
    t0 = time.perf_counter()
    brief = briefing.collect(con)
    t_collect = time.perf_counter() - t0
    t1 = time.perf_counter()
    deck = briefing.deck(brief, png=has_browser)
    t_deck = time.perf_counter() - t1
    total_cold = time.perf_counter() - t0
    print(
        f"整套幻灯片（冷，含导出进程启动）：{total_cold:.2f} s（取数 {t_collect:.2f} s，绘制 {t_deck:.2f} s），"
        f"{len(deck) / 1e6:.2f} MB，目标 ≤ 20 s：{'达到' if total_cold <= 20 else '未达到'}"
    )
    t0 = time.perf_counter()
    briefing.deck(briefing.collect(con), png=has_browser)
    print(f"整套幻灯片（热，再生成一次）：{time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    briefing.deck(briefing.collect(con), png=False)
    print(f"整套幻灯片（不导出 PNG，相当于本机没有 Chromium）：{time.perf_counter() - t0:.2f} s")

    if has_browser:
        warm = []
        for fig in figs[args.charts :]:
            t0 = time.perf_counter()
            export_png.figure_png(fig, width=900, height=420, scale=2)
            warm.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        export_png.figure_png(figs[-1], width=900, height=420, scale=2)
        cached = time.perf_counter() - t0
        med = statistics.median(warm)
        print(
            f"单张图 PNG（常驻进程已热）：{args.charts} 张，中位数 {med:.3f} s，最慢 {max(warm):.3f} s，"
            f"目标 ≤ 0.5 s：{'达到' if max(warm) <= 0.5 else '中位数达到' if med <= 0.5 else '未达到'}"
        )
        print(f"同一张图再次导出（命中缓存）：{cached * 1000:.1f} ms")
        print(f"比例：朴素做法 / 常驻进程 = {statistics.median(naive) / med:.1f} 倍")
        export_png.stop()
    t0 = time.perf_counter()
    export_png.hotspot_map_png(brief.frames["boundaries"], brief.frames["hot_townships"], title="镇街问题数")
    print(f"静态热点地图（Pillow，不需要浏览器）：{time.perf_counter() - t0:.3f} s")
    con.close()


if __name__ == "__main__":
    main()
