"""命令行的账号与审计：chuangwen user add / list / passwd / disable，chuangwen audit verify / export。"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from chuangwen import accounts, db, osuser, statedb
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
    ua.add_argument("--unit", default=None, metavar="单位代码", help="责任单位账号绑定的单位代码（库中须有）")
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


def _cmd_user_add(args: argparse.Namespace) -> int:
    try:
        viewer = accounts.add(
            args.db,
            args.name,
            args.role,
            read_password(args),
            unit_code=args.unit,
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
