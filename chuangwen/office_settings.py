"""库的设置（本县、目标名次）的命令行与核对：值存在状态库（chuangwen.statedb.store_setting），这里只管校验与说明。

本县须是排名组（地区表的县级单位）里的一个，可写地区代码或名称；目标名次是正整数。每次改动由 statedb 记审计。
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chuangwen import db, statedb


def add_parser(
    sub: argparse._SubParsersAction[Any],
    formatter_class: type[argparse.HelpFormatter],
    handler: Callable[[argparse.Namespace], int],
) -> None:
    """chuangwen settings show / set / clear 的参数（处理在 cli._cmd_settings）。"""
    sett = sub.add_parser(
        "settings",
        help="库的设置：本县、目标名次（看板里管理员、创建办也能选）",
        description="库的设置放在库旁的状态库，优先于环境变量（CHUANGWEN_OUR_CODE、CHUANGWEN_TARGET_RANK）与库内默认值；"
        "每次改动记入审计。可设：our_code（本县的地区代码或名称，须是排名组里的县级单位）、"
        "target_rank（目标名次，正整数）。",
        formatter_class=formatter_class,
    )
    sett_sub = sett.add_subparsers(title="操作", dest="what", metavar="操作", required=True)
    for name, summary in (
        ("show", "列出库的设置"),
        ("set", "设定一项：settings set our_code 990121"),
        ("clear", "清除一项（回到默认值）"),
    ):
        p = sett_sub.add_parser(name, help=summary, description=summary, formatter_class=formatter_class)
        p.add_argument("--db", required=True, type=Path, metavar="路径", help="数据库文件路径（.duckdb）")
        if name != "show":
            p.add_argument("key", metavar="设置", help="our_code 或 target_rank")
        if name == "set":
            p.add_argument("value", metavar="值")
        p.set_defaults(handler=handler)


def run(path: Path, what: str, key: str | None, value: str | None, by: str) -> str:
    """一条 settings 子命令（show / set / clear）的输出；值不对时抛 ValueError。"""
    if what == "show":
        return "\n".join(describe(path))
    if key is None:  # set 与 clear 的设置名是必填的位置参数，argparse 已经拦住；这里防直接调用
        raise ValueError("没有给出设置名（可设：our_code、target_rank）")
    return choose(path, key, value if what == "set" else None, by)


def counties(path: Path) -> dict[str, str]:
    """排名组的县级单位：代码 → 名称。"""
    con = db.open_readonly(path)
    try:
        return dict(con.execute("select code, name from region where level = '县级'").fetchall())
    finally:
        con.close()


def describe(path: Path) -> list[str]:
    """chuangwen settings show 的各行。"""
    chosen = statedb.office_settings(path)
    if not chosen:
        return ["库的设置为空：本县与目标名次取环境变量或库内默认值。"]
    names = counties(path) if chosen.get("our_region_code") else {}
    lines = []
    for key, label in statedb.OFFICE_SETTINGS.items():
        if key in chosen:
            value = chosen[key]
            lines.append(
                f"{label}：{value}" + (f"（{names[value]}）" if value in names and key == "our_region_code" else "")
            )
    return lines


def choose(path: Path, key: str, value: str | None, by: str) -> str:
    """设定（value 为 None 时清除）一项；值不对时抛 ValueError（中文）。返回给人看的结果。"""
    name = statedb.OFFICE_SETTING_ALIASES.get(key)
    if name is None:
        raise ValueError(f"没有这项设置：{key}（可设：our_code、target_rank）")
    label = statedb.OFFICE_SETTINGS[name]
    if value is None:
        statedb.set_office_setting(path, name, None, by)
        return f"已清除{label}（回到环境变量或库内默认值）。"
    value = value.strip()
    if name == "our_region_code":
        known = counties(path)
        if value not in known:
            by_name = {v: k for k, v in known.items()}
            if value not in by_name:
                raise ValueError(
                    f"排名组里没有地区代码（或名称）“{value}”：请先导入测评成绩（加 --create-missing 会新增县级单位）"
                )
            value = by_name[value]
        shown = f"{value}（{known[value]}）"
    else:
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"目标名次应为正整数，实际为 {value!r}")
        shown = value
    statedb.set_office_setting(path, name, value, by)
    return f"已设定{label}：{shown}（已记入审计；看板下一次刷新即用它）。"
