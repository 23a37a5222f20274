"""库的概况（chuangwen info、chuangwen demo 的汇总）：结构版本、数据截至、本县、元数据与各表行数，都写成给人看的中文行。"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import duckdb

from chuangwen import db, queries, settings, statedb

# 表名的中文说明，按业务顺序排列（info/demo 汇总按此顺序显示）；不在表中的新表排在最后，只显示英文名
TABLE_LABELS = {
    "schema_version": "结构版本记录",
    "meta": "库级元数据",
    "region": "地区",
    "boundary": "边界",
    "unit": "责任单位",
    "site_type": "点位类型",
    "problem_category": "问题类别",
    "framework_edition": "测评体系版本",
    "framework_node": "测评体系条目",
    "negative_item": "负面清单",
    "site": "点位",
    "round": "测评轮次",
    "score": "成绩",
    "score_part": "分项成绩",
    "deduction": "扣分明细",
    "deduction_unit": "扣分责任单位",
    "problem": "问题",
    "problem_coop_unit": "问题配合单位",
    "rectify_event": "整改事件",
    "import_log": "导入日志",
    "import_created": "导入新增的参考数据",
    "region_reassignment": "按边界重新归属记录",
    "import_preset": "列映射预设",
}

# meta 中其余常见键的中文名（数据截至、本县、是否示例数据单独显示在前面）
META_LABELS = {
    "province_code": "省代码",
    "province_name": "省份",
    "target_rank": "目标名次",
    "rival_region_codes": "对标地区代码",
    "current_edition": "现行测评体系版本",
    "demo_seed": "示例随机种子",
    "demo_problems": "示例问题数",
    "built_at": "生成时间",
}


def table_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    cur = con.cursor()
    try:
        names = [
            r[0]
            for r in cur.execute(
                "select table_name from duckdb_tables() where schema_name = 'main' and not internal"
            ).fetchall()
        ]
        order = list(TABLE_LABELS)
        names.sort(key=lambda n: (order.index(n), "") if n in TABLE_LABELS else (len(order), n))
        # 表名来自库的目录本身，不是用户输入；标识符加引号
        return [(n, db.scalar(cur, f'select count(*) from "{n}"')) for n in names]
    finally:
        cur.close()


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def count_lines(counts: list[tuple[str, int]]) -> list[str]:
    labels = [f"{TABLE_LABELS.get(n, '')} {n}".strip() for n, _ in counts]
    width = max((display_width(label) for label in labels), default=0)
    return ["各表行数："] + [f"  {pad(label, width)}  {count:>10,}" for label, (_, count) in zip(labels, counts)]


def _derived_cutoff(con: duckdb.DuckDBPyConnection) -> str | None:
    """库里没写数据截至时（导入的库）：看板的同一规则（查询 app_meta 的 data_cutoff_derived：最晚的发现、整改时间，
    或有成绩的测评轮次的结束日）。很老的结构版本跑不了这条查询时为 None。"""
    try:
        rows = dict(queries.run(con, "app_meta").itertuples(index=False, name=None))
    except duckdb.Error:
        return None
    return rows.get("data_cutoff_derived")


def open_checked(path: Path, *, current: bool) -> tuple[duckdb.DuckDBPyConnection, int]:
    """只读打开一个创文看板的库，返回 (连接, 结构版本)；不是本程序的库、结构版本更高时抛中文的 DatabaseError。
    current=True（导出、通报）时还要求结构版本正好是本程序的版本；查看概况（info）时低版本也能打开。"""
    db.check_is_duckdb_file(path)
    con = db.connect(path, read_only=True)
    try:
        version = db.schema_version(con)
        if version == 0:
            raise db.DatabaseError(f"DuckDB 文件里没有创文看板的表结构（缺少 schema_version）：{path}")
        db.refuse_newer(version, path)
        if current and version < db.SCHEMA_VERSION:
            raise db.DatabaseError(
                f"数据库结构版本 {version} 低于本程序的 {db.SCHEMA_VERSION}，请先运行 chuangwen migrate --db {path}"
            )
    except db.DatabaseError:
        con.close()
        raise
    return con, version


def info_lines(path: Path) -> list[str]:
    """chuangwen info 的输出（只读）。"""
    con, version = open_checked(path, current=False)
    try:
        meta = db.read_meta(con)
        derived = None if meta.get("data_cutoff") else _derived_cutoff(con)
        counts = table_counts(con)
        chosen = statedb.office_settings(path)
        code = settings.our_county(chosen, meta)
        names = dict(con.execute("select code, name from region where code = $c", {"c": code}).fetchall())
    finally:
        con.close()
    note = (
        ""
        if version == db.SCHEMA_VERSION
        else f"（低于本程序的 {db.SCHEMA_VERSION}，可运行 chuangwen migrate --db {path} 升级）"
    )
    cutoff = meta.get("data_cutoff") or (
        f"{derived}（库里没有写明，按最晚的发现、整改时间或有成绩的测评结束日）" if derived else "（未记录）"
    )
    county = names.get(code) or meta.get("county_name") or ""
    source = (
        "库的设置"
        if chosen.get("our_region_code")
        else "环境变量 CHUANGWEN_OUR_CODE"
        if settings.get("our_region_code")
        else "库内默认值"
    )
    is_demo = meta.get("is_demo")
    lines = [
        f"数据库：{path}",
        f"结构版本：{version}{note}",
        f"数据截至：{cutoff}",
        f"本县：{f'{county}（{code}，{source}）' if county else f'{code}（{source}；地区表里没有这个代码）' if code else '（未选定）'}",
        f"是否示例数据：{'（未记录）' if is_demo is None else '是' if is_demo in ('1', 'true') else '否'}",
    ]
    shown = {"data_cutoff", "county_name", "our_region_code", "is_demo"}
    rest = sorted(k for k in meta if k not in shown)
    if rest:
        lines.append("其他元数据：")
        for key in rest:
            label = META_LABELS.get(key)
            lines.append(f"  {label}（{key}）：{meta[key]}" if label else f"  {key}：{meta[key]}")
    return lines + count_lines(counts)
