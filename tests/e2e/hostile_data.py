"""带攻击载荷的示例库：每个从台账来的文字字段都经正常导入（与命令行、数据管理页同一条路径）写进载荷。

载荷里每个 alert 带一个标签，浏览器测试据此说出是哪个字段漏了；图片地址指向 192.0.2.1（TEST-NET，永远不可达），
浏览器若去取就会被拦截记录。
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import shapely

from chuangwen import demo, geo
from chuangwen.imports import boundaries, run_import
from tests.unit._import_helpers import csv_bytes

EXTERNAL = "http://192.0.2.1"


def payload(tag: str) -> str:
    """一段同时试 HTML、SVG、Markdown 图片与链接、Streamlit 颜色指令的文字。"""
    return (
        f"cwxss{tag}<img src=x onerror=alert('{tag}')><svg onload=alert('{tag}')>"
        f"![i]({EXTERNAL}/{tag}.png)[点我](javascript:alert('{tag}')):red[{tag}]"
    )


FIELDS = (
    "township",
    "unit",
    "coop",
    "site",
    "sitetype",
    "category",
    "description",
    "code",
    "note",
    "county",
    "file",
    "standard",
)
# 丢分预警用的测评体系版本与载荷测评标准挂在其下的测评内容（示例库里都有；新标准的编号在它之下）
EDITION, CONTENT = "2024版", "3.2.1"
STANDARD = f"{CONTENT}.9"
P = {f: payload(f) for f in FIELDS}


def build(path: Path, *, problems: int = 1500) -> dict:
    """生成小示例库并导入载荷；返回浏览器测试要用的代码（载荷镇街代码、载荷问题编号）。"""
    demo.build(path, seed=5, problems=problems)
    con = duckdb.connect(str(path), read_only=True)
    try:
        cutoff = datetime.fromisoformat(dict(con.execute("select key, value from meta").fetchall())["data_cutoff"])
        town_code, town_wkb = con.execute(
            "select b.region_code, arg_max(b.geom_wkb, b.version) from boundary b join region r on r.code = b.region_code"
            " where r.level = '镇街' group by 1 order by 1 limit 1"
        ).fetchone()
        round_name, round_day = con.execute(
            "select r.name, r.end_date from round r where r.is_ranked and r.round_type = '年度测评'"
            " and exists (select 1 from score s where s.round_code = r.code) order by r.end_date desc limit 1"
        ).fetchone()
        lead = con.execute("select name from unit order by code limit 1").fetchone()[0]
    finally:
        con.close()
    lon, lat = geo.representative_lonlat(geo.from_wkb(bytes(town_wkb)))
    box = shapely.box(lon - 0.004, lat - 0.003, lon + 0.004, lat + 0.003)
    feature = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"镇街": P["township"]}, "geometry": shapely.geometry.mapping(box)}
        ],
    }
    boundaries.run_boundaries(
        path,
        json.dumps(feature, ensure_ascii=False).encode(),
        "载荷镇街.geojson",
        create_missing=True,
        valid_from=cutoff.date() - timedelta(days=400),
    )

    units = [
        {"单位名称": P["unit"], "条块": "条", "单位类型": "政府部门"},
        {"单位名称": P["coop"], "条块": "条", "单位类型": "政府部门"},
    ]
    run_import(path, csv_bytes(units), "载荷单位.csv", "units")
    sites = [
        {
            "点位名称": P["site"],
            "点位类型": P["sitetype"],
            "镇街": P["township"],
            "经度": f"{lon:.6f}",
            "纬度": f"{lat:.6f}",
        }
    ]
    run_import(path, csv_bytes(sites), "载荷点位.csv", "sites", create_missing=True)

    def row(code: str, found: datetime, deadline: datetime, dx: float) -> dict:
        return {
            "问题编号": code,
            "发现时间": f"{found:%Y-%m-%d %H:%M}",
            "来源": "县自查",
            "问题类别": P["category"],
            "点位名称": P["site"],
            "镇街": P["township"],
            "经度": f"{lon + dx:.6f}",
            "纬度": f"{lat:.6f}",
            "问题描述": P["description"],
            "严重程度": "一般",
            "牵头单位": P["unit"],
            "配合单位": f"{P['coop']}、{lead}",
            "整改期限": f"{deadline:%Y-%m-%d %H:%M}",
            "整改状态": "整改中",
        }

    old = cutoff - timedelta(days=700)
    recent = cutoff - timedelta(days=12)
    rows = [
        row(P["code"], old, old + timedelta(days=1), 0.0),  # 逾期最久：整改督办默认选中它
        row("XSS-2", recent, recent + timedelta(days=3), 0.001),
        row("XSS-3", recent, recent + timedelta(days=30), -0.001),
    ]
    run_import(path, csv_bytes(rows), P["file"] + ".csv", "problems", create_missing=True)
    events = [
        {
            "问题编号": "XSS-2",
            "时间": f"{recent + timedelta(days=1):%Y-%m-%d %H:%M}",
            "动作": "退回",
            "操作单位": P["unit"],
            "说明": P["note"],
        }
    ]
    run_import(path, csv_bytes(events), "载荷整改记录.csv", "events")
    scores = [
        {"测评轮次": round_name, "日期": f"{round_day:%Y-%m-%d}", "单位": P["county"], "总分": "99.5"}
    ]  # 第 1 名：排名趋势图上一定画出
    run_import(path, csv_bytes(scores), "载荷成绩.csv", "scores", create_missing=True)
    _loss_inputs(path)

    con = duckdb.connect(str(path), read_only=True)
    try:
        township = con.execute("select code from region where name = $n", {"n": P["township"]}).fetchone()[0]
    finally:
        con.close()
    return {"township": township, "problem": P["code"], "town_of_box": town_code}


def _loss_inputs(path: Path) -> None:
    """丢分预警的输入也从台账来：载荷测评标准（考察载荷点位类型）、这类点位的抽样方案、载荷类别对到载荷标准。
    载荷问题因而都落在实地考察标准上，丢分预警页的表、攻坚清单与地图都画出载荷文字。"""
    standard = {
        "版本": EDITION,
        "编号": STANDARD,
        "层级": "测评标准",
        "名称": P["standard"],
        "分值": "1",
        "测评方法": "实地考察",
        "点位类型": P["sitetype"],
    }
    run_import(path, csv_bytes([standard]), "载荷测评标准.csv", "framework")
    plan = {"测评体系版本": EDITION, "点位类型": P["sitetype"], "抽查数": "1", "抽样范围": "全县"}
    run_import(path, csv_bytes([plan]), "载荷抽样方案.csv", "sampling_plan")
    pair = {"测评体系版本": EDITION, "问题类别": P["category"], "点位类型": P["sitetype"], "测评标准编号": STANDARD}
    run_import(path, csv_bytes([pair]), "载荷类别对照.csv", "category_standards")
