"""命令行的账号、单位与审计：chuangwen user add / list / passwd / disable，chuangwen units list，
chuangwen audit verify / export。"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from chuangwen import accounts, db, osuser, queries, statedb
from chuangwen.cli_common import (
    PROG,
    ChineseHelpFormatter,
    ChineseParser,
    UsageError,
    audited_export,
    day,
    db_units,
    operator,
    read_password,
    write_replacing,
)
from chuangwen.imports.command import terminal_safe
from chuangwen.vocabulary import ROLE_UNIT


def register(sub: argparse._SubParsersAction[ChineseParser]) -> None:
    """在 chuangwen 的子命令里登记 user 与 audit。"""
    user = sub.add_parser(
        "user",
        help="管理看板账号（新建、列出、改口令、停用）",
        description="管理登录看板的账号。账号放在库旁的状态库（<库文件名>.app.sqlite），口令只存 argon2id 散列。\n"
        "角色：领导（看全部、导出）、创建办（看全部、导出、导入）、责任单位（只看本单位，须 --unit）、"
        "管理员（另管账号、回滚、恢复、审计）。口令从终端输入两次；脚本里可用 --password-stdin 从标准输入读一行。",
        formatter_class=ChineseHelpFormatter,
    )
    user_sub = user.add_subparsers(title="操作", dest="what", metavar="操作", required=True)

    def user_cmd(name: str, summary: str) -> argparse.ArgumentParser:
        p = user_sub.add_parser(name, help=summary, description=summary, formatter_class=ChineseHelpFormatter)
        p.add_argument("--db", required=True, type=Path, metavar="路径", help="数据库文件路径（.duckdb）")
        return p

    ua = user_cmd("add", "新建账号")
    ua.add_argument("name", metavar="登录名")
    ua.add_argument("--role", required=True, choices=accounts.ROLES, metavar="角色", help="、".join(accounts.ROLES))
    ua.add_argument(
        "--unit",
        default=None,
        metavar="单位代码",
        help=f"责任单位账号绑定的单位：单位代码（或单位的全称）；查代码用 {PROG} units list --db 库 [--search 名称里的字]",
    )
    ua.add_argument("--password-stdin", action="store_true", help="从标准输入读口令（一行），不在终端提示")
    ua.set_defaults(handler=_cmd_user_add)
    user_cmd("list", "列出账号（不显示口令）").set_defaults(handler=_cmd_user_list)
    up = user_cmd("passwd", "改口令（同时解锁、结束这个账号的全部登录）")
    up.add_argument("name", metavar="登录名")
    up.add_argument("--password-stdin", action="store_true", help="从标准输入读口令（一行），不在终端提示")
    up.set_defaults(handler=_cmd_user_passwd)
    ud = user_cmd("disable", "停用账号（立即结束它的全部登录）")
    ud.add_argument("name", metavar="登录名")
    ud.add_argument("--enable", action="store_true", help="反过来：恢复已停用的账号")
    ud.set_defaults(handler=_cmd_user_disable)

    units = sub.add_parser(
        "units",
        help="列出责任单位的代码与名称（建责任单位账号时要用代码）",
        description="列出库里的责任单位：代码、名称、条块、单位类型、所属镇街。建责任单位账号时 --unit 写这里的代码。",
        formatter_class=ChineseHelpFormatter,
    )
    units_sub = units.add_subparsers(title="操作", dest="what", metavar="操作", required=True)
    ul = units_sub.add_parser(
        "list",
        help="列出单位（可按条块、名称里的字筛选）",
        description="只读列出责任单位，按条块与库里的顺序；--kind 只看条（职能部门）或块（镇街、开发区），"
        "--search 只看名称或代码里含这些字的。",
        formatter_class=ChineseHelpFormatter,
    )
    ul.add_argument("--db", required=True, type=Path, metavar="路径", help="数据库文件路径（.duckdb）")
    ul.add_argument(
        "--kind", choices=("条", "块"), default=None, metavar="条块", help="条（职能部门）或块（镇街、开发区）"
    )
    ul.add_argument("--search", default=None, metavar="文字", help="只列名称或代码里含这些字的单位（不分大小写）")
    ul.set_defaults(handler=_cmd_units_list)

    audit = sub.add_parser(
        "audit",
        help="核对、导出审计记录",
        description="审计记录在库旁的状态库（<库文件名>.app.sqlite）里，只追加，每条带前一条的散列（散列链）。\n"
        "verify 逐条重算散列链：完整时退出码 0；有记录被改、删、替换时退出码 1，写明第一条对不上的记录。\n"
        "export 按日期导出成 Excel 或 CSV（导出本身也记一条审计）。",
        formatter_class=ChineseHelpFormatter,
    )
    audit_sub = audit.add_subparsers(title="操作", dest="what", metavar="操作", required=True)
    av = audit_sub.add_parser(
        "verify",
        help="重算审计记录的散列链，报出第一条对不上的记录",
        description="重算审计记录的散列链（只读）：完整时显示条数与末条散列（可另行抄存，之后比对）；"
        "断了时退出码 1，写明第一条对不上的记录（编号、时间、谁、操作）以及是内容被改还是与前一条的链接断了。",
        formatter_class=ChineseHelpFormatter,
    )
    av.add_argument("--db", required=True, type=Path, metavar="路径", help="数据库文件路径（.duckdb）")
    av.set_defaults(handler=_cmd_audit_verify)
    ae = audit_sub.add_parser(
        "export",
        help="导出审计记录（.xlsx 或 .csv）",
        description="导出审计记录，新的在前，列与“账号与审计”页导出的相同。CSV 为 UTF-8（带 BOM），"
        "可能被表格软件当成公式的文字前加单引号。",
        formatter_class=ChineseHelpFormatter,
    )
    ae.add_argument("--db", required=True, type=Path, metavar="路径", help="数据库文件路径（.duckdb）")
    ae.add_argument(
        "--since", type=day, default=None, metavar="日期", help="从这一天（含）起，格式 'YYYY-MM-DD'；不写时从最早的起"
    )
    ae.add_argument(
        "--until", type=day, default=None, metavar="日期", help="到这一天（含）为止，格式 'YYYY-MM-DD'；不写时到最新的"
    )
    ae.add_argument("--out", required=True, type=Path, metavar="文件", help="输出文件，扩展名 .xlsx 或 .csv")
    ae.set_defaults(handler=_cmd_audit_export)


def _cmd_audit_verify(args: argparse.Namespace) -> int:
    """chuangwen audit verify：重算散列链；断了时退出码 1。"""
    if not statedb.state_path(args.db).exists():
        # 整个状态库不见了也是一种删除：不新建一个空库来报“完整”
        raise db.DatabaseError(
            f"找不到看板状态库 {statedb.state_path(args.db)}：这个库还没有任何审计记录，或状态库被移走、删除了。"
        )
    check = statedb.verify_chain(args.db)
    if check.broken is not None:
        print(f"{PROG} audit verify：{check.text()}", file=sys.stderr)
        return 1
    print(check.text())
    return 0


def _cmd_audit_export(args: argparse.Namespace) -> int:
    """chuangwen audit export：按日期导出审计记录（.xlsx / .csv）；导出本身也记一条审计。"""
    suffix = args.out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise UsageError(f"输出文件扩展名应为 .xlsx 或 .csv，实际为 {args.out.name!r}")
    if args.since and args.until and args.since > args.until:
        raise UsageError(f"--since（{args.since}）晚于 --until（{args.until}）")
    if not statedb.state_path(args.db).exists():
        raise db.DatabaseError(f"找不到看板状态库 {statedb.state_path(args.db)}：这个库还没有任何审计记录。")
    since = statedb.day_window(args.since, args.since)[0] if args.since else None
    until = statedb.day_window(args.until, args.until)[1] if args.until else None
    span = f"{args.since or '最早'} 至 {args.until or '最新'}"
    with audited_export(args.db, f"审计记录：{args.out}", f"日期 {span}") as outcome:
        rows = statedb.audit(args.db, None, since=since, until=until)
        data = statedb.audit_file(rows, suffix, note=f"创文看板审计记录　{span}　导出人 {osuser.name()}（命令行）")
        write_replacing(args.out, data)
        outcome.update(rows=len(rows), file_sha256=hashlib.sha256(data).hexdigest())
    print(f"已导出审计记录：{args.out}（{len(rows):,} 条，{span}）")
    return 0


def _units(path: Path, kind: str | None = None, search: str | None = None) -> list[tuple[str, str, str, str, str]]:
    """库里的单位（代码、名称、条块、单位类型、所属镇街），按条块与库里的顺序。"""
    con = db.open_readonly(path)
    try:
        rows = queries.run(con, "ref_units", kind=kind, search=search)
    finally:
        con.close()
    return [
        (r.code, r.name, r.kind, r.unit_type, r.township if isinstance(r.township, str) else "")
        for r in rows.itertuples(index=False)
    ]


def _cmd_units_list(args: argparse.Namespace) -> int:
    """chuangwen units list：代码与名称一行一个单位（建责任单位账号时 --unit 写代码）。"""
    rows = _units(args.db, args.kind, (args.search or "").strip() or None)
    if not rows:
        what = "、".join(
            x
            for x in (f"条块为“{args.kind}”" if args.kind else "", f"名称含“{args.search}”" if args.search else "")
            if x
        )
        print(
            terminal_safe(
                f"没有{what}的单位。" if what else "库里还没有责任单位：先导入责任单位（chuangwen import units）。"
            )
        )
        return 0
    print("代码\t名称\t条块\t单位类型\t所属镇街")
    for row in rows:
        print("\t".join(terminal_safe(v) for v in row))
    print(f"共 {len(rows):,} 个单位。建责任单位账号：{PROG} user add 登录名 --role 责任单位 --unit 代码 --db {args.db}")
    return 0


def _unit_code(path: Path, given: str | None, role: str) -> str | None:
    """--unit 写的是单位代码或单位全称：换成代码。对不上时说清楚库里有哪些相近的单位、用哪个命令查代码。"""
    look_up = f"查单位代码：{PROG} units list --db {path}"
    if given is None:
        if role == ROLE_UNIT:
            raise UsageError(f"责任单位账号必须用 --unit 指定单位代码。{look_up} [--search 名称里的字]")
        return None
    given = given.strip()
    units = _units(path)
    if any(code == given for code, *_ in units):
        return given
    named = [code for code, name, *_ in units if name == given]
    if len(named) == 1:
        return named[0]
    near = _units(path, search=given)
    shown = "、".join(f"{code} {name}" for code, name, *_ in near[:8]) + ("……" if len(near) > 8 else "")
    raise UsageError(
        f"库中没有单位代码“{given}”"
        + (f"；名称或代码里含“{given}”的单位有：{shown}" if near else "")
        + f"。{look_up} --search {given}"
    )


def _cmd_user_add(args: argparse.Namespace) -> int:
    unit_code = _unit_code(args.db, args.unit, args.role) if args.role == ROLE_UNIT else args.unit
    try:
        viewer = accounts.add(
            args.db,
            args.name,
            args.role,
            read_password(args),
            unit_code=unit_code,
            units=db_units(args.db),
            by=operator(),
        )
    except accounts.AccountError as exc:
        raise UsageError(str(exc)) from None
    unit = f"，单位 {viewer.unit_code}" if viewer.unit_code else ""
    print(f"已新建账号 {viewer.name}（{viewer.role}{unit}）。")
    return 0


def _cmd_user_list(args: argparse.Namespace) -> int:
    rows = accounts.accounts(args.db)
    if not rows:
        print(f"还没有账号。新建第一个管理员：{PROG} user add 登录名 --role 管理员 --db {args.db}")
        return 0
    for r in rows:
        state = "已停用" if r["disabled"] else "正常"
        unit = f"  单位 {r['unit_code']}" if r["unit_code"] else ""
        print(f"{r['name']}  {r['role']}{unit}  {state}  建于 {r['created_at'][:16]}（{r['created_by']}）")
    return 0


def _cmd_user_passwd(args: argparse.Namespace) -> int:
    try:
        accounts.set_password(args.db, args.name, read_password(args), by=operator())
    except accounts.AccountError as exc:
        raise UsageError(str(exc)) from None
    print(f"已改口令：{args.name}（它的全部登录已结束）。")
    return 0


def _cmd_user_disable(args: argparse.Namespace) -> int:
    try:
        accounts.set_disabled(args.db, args.name, not args.enable, by=operator())
    except accounts.AccountError as exc:
        raise UsageError(str(exc)) from None
    print(f"已{'恢复' if args.enable else '停用'}账号 {args.name}。")
    return 0
