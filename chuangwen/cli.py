"""命令行 `chuangwen`：生成示例库、建空库、升级结构、查看库信息。"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from chuangwen import __version__, accounts, cli_accounts, db, dbinfo, office_settings, settings, statedb
from chuangwen.cli_common import (
    PROG,
    ChineseHelpFormatter,
    ChineseParser,
    UsageError,
    audited_export,
    cutoff,
    file_sha256,
    integer,
    operator,
    positive_int,
    write_replacing,
)
from chuangwen.view import NoData, View
from chuangwen.vocabulary import MONTH, ROUND, WEEK

_CJK = re.compile(r"[\u4e00-\u9fff]")


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseParser(
        prog=PROG,
        description="创文看板命令行：生成示例库、新建空库、升级库结构、查看库信息、导出问题台账、生成通报幻灯片。",
        epilog=(
            "示例：\n"
            "  chuangwen demo --db data/demo.duckdb\n"
            "  chuangwen info --db data/demo.duckdb\n"
            "每个子命令都有帮助，例如：chuangwen demo -h"
        ),
    )
    parser.add_argument("--version", action="version", version=f"创文看板 {__version__}", help="显示版本号并退出")
    sub = parser.add_subparsers(title="子命令", dest="command", metavar="子命令", required=True)

    def add(name: str, summary: str, description: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=summary, description=description, formatter_class=ChineseHelpFormatter)
        p.add_argument("--db", required=True, type=Path, metavar="路径", help="数据库文件路径（.duckdb）")
        return p

    demo = add(
        "demo",
        "生成示例县数据库",
        "生成一个示例县的完整数据库（虚构数据，库内标记为示例数据）。\n"
        "文件已存在时拒绝覆盖；加 --force 时先生成到临时文件，成功后再替换，失败时原文件不动。",
    )
    demo.add_argument(
        "--seed", type=integer, default=2026, metavar="整数", help="随机种子，相同种子生成相同数据（默认 2026）"
    )
    demo.add_argument(
        "--problems",
        type=positive_int,
        default=settings.DEMO_PROBLEMS,
        metavar="数量",
        help=f"问题条数，正整数（默认 {settings.DEMO_PROBLEMS}，与首次启动生成的示例库相同）",
    )
    demo.add_argument(
        "--until",
        type=cutoff,
        default=datetime(2026, 11, 15, 18, 0),
        metavar="时间",
        help="数据截至时间，格式 'YYYY-MM-DD' 或 'YYYY-MM-DD HH:MM'；只写日期时为当天 00:00（默认 '2026-11-15 18:00'）",
    )
    demo.add_argument("--force", action="store_true", help="覆盖已存在的数据库文件")
    demo.set_defaults(handler=_cmd_demo)

    add("init", "新建只有表结构的空库", "新建一个只有表结构、没有数据的数据库；文件已存在时拒绝。").set_defaults(
        handler=_cmd_init
    )
    add(
        "migrate",
        "把旧版本库升级到当前结构版本",
        "把旧版本的数据库升级到本程序的结构版本；版本更高的库被拒绝，文件不动。",
    ).set_defaults(handler=_cmd_migrate)
    add(
        "info",
        "查看库的结构版本、元数据和各表行数",
        "只读查看：结构版本、元数据（数据截至、本县、是否示例数据）和各表行数；不修改文件。",
    ).set_defaults(handler=_cmd_info)

    export = sub.add_parser(
        "export",
        help="导出数据（问题台账）",
        description="导出数据。目前支持：problems（问题台账）。",
        formatter_class=ChineseHelpFormatter,
    )
    export_sub = export.add_subparsers(title="导出内容", dest="what", metavar="内容", required=True)
    problems = export_sub.add_parser(
        "problems",
        help="问题台账：每条问题一行，状态与逾期按指定时刻回放",
        description="导出问题台账：截至指定时刻已发现的每条问题一行，列为 问题编号、发现时间、整改期限、"
        "销号时间、当前状态、是否逾期（均按该时刻回放整改记录）。只读，不修改数据库；"
        "导出（成功或失败）记一条审计（操作系统用户、页面“命令行”、行数、文件 SHA-256）。",
        formatter_class=ChineseHelpFormatter,
    )
    problems.add_argument("--db", required=True, type=Path, metavar="路径", help="数据库文件路径（.duckdb）")
    problems.add_argument(
        "--as-of",
        type=cutoff,
        default=None,
        metavar="时间",
        help="统计时刻，格式 'YYYY-MM-DD' 或 'YYYY-MM-DD HH:MM'；不写时取库内数据截至时间",
    )
    problems.add_argument("--out", required=True, type=Path, metavar="文件", help="输出文件，扩展名 .csv 或 .xlsx")
    problems.set_defaults(handler=_cmd_export_problems)

    brief = add(
        "brief",
        "生成周通报：幻灯片（PPTX）、Word 文稿（DOCX，可转 PDF）或各单位督办单（ZIP）",
        "按统计时刻生成通报：16:9 幻灯片（名次走势、板块差距、红黑榜、热点地图、逾期、反弹、与上期相比），"
        "或按模板写成的 Word 文稿（版头、期号、红线、正文、红黑榜与逾期表、附件、版记；装了 LibreOffice 时可再转 PDF；"
        "逾期问题超过 200 条时附件只列最久的 200 条，全部清单另写一个 Excel 放在输出文件旁边），"
        "或每个有逾期、7 天内到期问题的责任单位一份整改督办单（--format notices，输出 .zip：各单位的 Word 与 PDF、发送清单）。\n"
        "只读，不修改数据库；文件记录统计时刻和数据指纹，同一统计时刻重新生成数字相同。"
        "生成（成功或失败）记一条审计（操作系统用户、页面“命令行”、文件 SHA-256）。",
    )
    brief.add_argument(
        "--out", required=True, type=Path, metavar="文件", help="输出文件，扩展名 .pptx、.docx、.pdf 或（督办单）.zip"
    )
    brief.add_argument(
        "--format",
        choices=("pptx", "docx", "pdf", "notices"),
        default=None,
        metavar="格式",
        help="pptx（幻灯片）、docx（Word 文稿）、pdf（Word 文稿转 PDF）、notices（各单位督办单，输出 .zip）；"
        "不写时按 --out 的扩展名",
    )
    brief.add_argument(
        "--no-pdf",
        action="store_true",
        help="督办单只要 Word、不转 PDF（没装 LibreOffice 时自动如此，并提示）",
    )
    brief.add_argument(
        "--as-of",
        type=cutoff,
        default=None,
        metavar="时间",
        help="统计时刻，格式 'YYYY-MM-DD' 或 'YYYY-MM-DD HH:MM'；不写时取库内数据截至时间",
    )
    brief.add_argument(
        "--period",
        choices=(WEEK, MONTH, ROUND),
        default=WEEK,
        metavar="周期",
        help="通报周期：week（前 7 天，默认）、month（前 30 天）、round（最近一轮测评开始至统计时刻）",
    )
    brief.add_argument(
        "--issue-no",
        type=positive_int,
        default=None,
        metavar="期数",
        help="第几期；不写时按统计时刻推算（当年第几周/第几月/第几轮）",
    )
    brief.set_defaults(handler=_cmd_brief)

    snaps = add(
        "snapshots",
        "列出发布过的数据版本（快照）",
        "只读列出库旁快照目录里的各个版本：版本号、是否当前、发布时间、操作、操作人、大小。",
    )
    snaps.set_defaults(handler=_cmd_snapshots)
    rep = add(
        "republish",
        "把一个旧版本重新发布成当前版本",
        "把快照目录里的某个旧版本重新发布为当前版本（得到一个新版本号，历史不改写）；看板下一次刷新即读它。",
    )
    rep.add_argument(
        "version", type=positive_int, metavar="版本号", help="要重新发布的版本号（见 chuangwen snapshots）"
    )
    rep.set_defaults(handler=_cmd_republish)
    bk = add(
        "backup",
        "备份当前数据版本与导入存档",
        "把当前发布的快照（本身不可变，复制即一致）和导入存档复制到 --out 下新建的目录，附各文件的 SHA-256 清单。",
    )
    bk.add_argument("--out", required=True, type=Path, metavar="目录", help="备份放到这个目录下（自动新建子目录）")
    bk.set_defaults(handler=_cmd_backup)
    rs = add(
        "restore",
        "从备份恢复（发布为新版本）",
        "校验备份清单与文件后，把备份发布为新的当前版本（恢复前的版本保留，可重新发布），并记入导入记录。",
    )
    rs.add_argument(
        "--from", dest="source", required=True, type=Path, metavar="备份目录", help="chuangwen backup 生成的备份目录"
    )
    rs.set_defaults(handler=_cmd_restore)

    cli_accounts.register(sub)

    office_settings.add_parser(sub, ChineseHelpFormatter, _cmd_settings)

    serve = sub.add_parser(
        "serve",
        help="用发布的加固设置启动看板",
        description="启动看板服务器。监听地址、端口与全部加固设置（不显示堆栈、不发使用统计、离线素材、上传上限、XSRF）"
        "都写在传给 Streamlit 的命令行上，从任何目录启动都一样，不受当前目录或 ~/.streamlit 里的 config.toml 影响。",
        formatter_class=ChineseHelpFormatter,
    )
    serve.add_argument(
        "--db",
        type=Path,
        metavar="路径",
        help="数据库文件路径；不写时用环境变量 CHUANGWEN_DB，再没有时用示例库（首次启动自动生成）",
    )
    serve.add_argument(
        "--address", metavar="地址", help="监听地址；不写时用 CHUANGWEN_ADDRESS（默认 127.0.0.1，只听本机）"
    )
    serve.add_argument("--port", type=_port_arg, metavar="端口", help="监听端口；不写时用 CHUANGWEN_PORT（默认 8501）")
    serve.add_argument(
        "--workers",
        type=positive_int,
        default=1,
        metavar="N",
        help="启动 N 个看板进程（只听本机，端口接在 --port 之后），前面用 nginx 反向代理、同一浏览器固定到同一进程；"
        "默认 1（不用代理）。需要 Debian 的 nginx",
    )
    serve.add_argument(
        "--proxy",
        action="store_true",
        help="只有一个进程也经 nginx 反向代理（安全响应头、可选 HTTPS、上传上限、清掉伪造的身份请求头）；"
        "--workers 大于 1 时总是经代理。正式部署请用它",
    )
    serve.set_defaults(handler=_cmd_serve)

    from chuangwen.imports import command as import_command  # 导入子命令由导入模块注册

    import_command.register(sub, ChineseHelpFormatter)

    from chuangwen.dispatch import command as dispatch_command  # 定时通报、推送渠道、提醒

    dispatch_command.register(sub, ChineseHelpFormatter)
    return parser


def _read_version(path: Path) -> int:
    db.check_is_duckdb_file(path)
    con = db.connect(path, read_only=True)
    try:
        return db.schema_version(con)
    finally:
        con.close()


def _cmd_demo(args: argparse.Namespace) -> int:
    from chuangwen import demo

    path: Path = args.db
    if path.is_dir():
        raise db.DatabaseError(f"数据库路径是一个目录，不是 DuckDB 文件：{path}")
    started = time.perf_counter()
    kwargs = {"seed": args.seed, "problems": args.problems, "until": args.until}
    if path.exists() and not args.force:
        raise db.DatabaseError(f"文件已存在，不会覆盖：{path}。如需重新生成，请加 --force。")
    try:
        if path.exists():
            _rebuild_replacing(path, demo.build, kwargs)
        else:
            demo.build(path, **kwargs)
    except ValueError as exc:
        # chuangwen.demo 对不合理的参数抛出带中文消息的 ValueError（用法错误）；
        # numpy/pandas 内部的英文 ValueError 是程序缺陷，照常抛出以保留堆栈
        if not _CJK.search(str(exc)):
            raise
        raise UsageError(str(exc)) from exc
    seconds = time.perf_counter() - started

    con = db.connect(path, read_only=True)
    try:
        version = db.schema_version(con)
        counts = dbinfo.table_counts(con)
    finally:
        con.close()
    print(f"已生成示例数据库：{path}")
    print(f"结构版本 {version}，随机种子 {args.seed}，问题 {args.problems:,} 条，数据截至 {args.until:%Y-%m-%d %H:%M}")
    print("\n".join(dbinfo.count_lines(counts)))
    print(f"用时 {seconds:.1f} 秒")
    return 0


def _rebuild_replacing(path: Path, build: Callable[..., object], kwargs: dict[str, Any]) -> None:
    """--force：新库先写到同目录临时文件，成功后发布成新快照（旧版本保留、可重新发布）；任何失败都不动原库。"""
    from chuangwen import store

    # 只覆盖 DuckDB 文件：--db 写错成别的文件时不误删
    db.check_is_duckdb_file(path)
    con = db.connect(store.current(path).file, read_only=True)
    try:
        _refuse_real_data(con, path)
    finally:
        con.close()
    tmp = path.with_name(f".{path.name}.new-{os.getpid()}")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    try:
        build(tmp, **kwargs)
        store.adopt(path, tmp, "重新生成示例库（demo --force）")
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)


def _refuse_real_data(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """--force 只替换示例库或空库：真实台账被示例数据覆盖就找不回来了。"""
    if db.schema_version(con) == 0:
        raise db.DatabaseError(f"DuckDB 文件里没有创文看板的表结构，--force 也不会覆盖：{path}")
    is_demo = db.read_meta(con).get("is_demo")
    problems = db.scalar(con, "select count(*) from problem")
    if is_demo != "1" and problems > 0:
        raise db.DatabaseError(
            f"{path} 不是示例库（含 {problems:,} 条问题），--force 也不会用示例数据覆盖它。"
            "请换一个路径；确需覆盖时请先自行备份并删除该文件。"
        )


def _cmd_init(args: argparse.Namespace) -> int:
    path = db.create_database(args.db)
    print(f"已新建空数据库（结构版本 {db.SCHEMA_VERSION}）：{path}")
    return 0


def _cmd_migrate(args: argparse.Namespace) -> int:
    path: Path = args.db
    before = _read_version(path)
    applied = db.upgrade(path)
    if applied == 0:
        print(f"结构版本已是 {before}，无需升级：{path}")
    else:
        print(f"已升级：结构版本 {before} → {db.SCHEMA_VERSION}（执行迁移 {applied} 个）：{path}")
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    print("\n".join(dbinfo.info_lines(args.db)))
    return 0


def _open_current(path: Path) -> duckdb.DuckDBPyConnection:
    """只读打开结构版本正好是本程序版本的库（导出、通报用）；规则在 dbinfo.open_checked。"""
    return dbinfo.open_checked(path, current=True)[0]


def _cmd_export_problems(args: argparse.Namespace) -> int:
    from chuangwen import supervision

    if args.out.suffix.lower() not in (".csv", ".xlsx"):
        raise UsageError(f"输出文件扩展名应为 .csv 或 .xlsx，实际为 {args.out.name!r}")
    path: Path = args.db
    con = _open_current(path)
    asked = f"统计时刻 {args.as_of:%Y-%m-%d %H:%M}" if args.as_of else "统计时刻 数据截至"
    with audited_export(path, f"问题台账：{args.out}", asked) as outcome:
        try:
            try:
                view = View.of_store(con, as_of=args.as_of, chosen=statedb.office_settings(path))
            except NoData:
                raise db.DatabaseError(
                    f"库里没有问题与整改记录，也没有写明数据截至时间，请用 --as-of 指定统计时刻：{path}"
                ) from None
            as_of = view.as_of
            outcome["filters"] = f"统计时刻 {as_of:%Y-%m-%d %H:%M}"
            frame = supervision.export_problems(con, view)
        finally:
            con.close()
        supervision.write_export(frame, args.out)
        outcome.update(rows=len(frame), file_sha256=file_sha256(args.out))
    print(f"已导出问题台账：{args.out}（{len(frame):,} 条，统计时刻 {as_of:%Y-%m-%d %H:%M}）")
    return 0


BRIEF_FORMATS = {"pptx": ".pptx", "docx": ".docx", "pdf": ".pdf", "notices": ".zip"}


def _cmd_brief(args: argparse.Namespace) -> int:
    from chuangwen import briefing

    suffix = args.out.suffix.lower()
    fmt = args.format or next((f for f, ext in BRIEF_FORMATS.items() if ext == suffix), suffix.lstrip("."))
    if fmt not in BRIEF_FORMATS or suffix != BRIEF_FORMATS[fmt]:
        raise UsageError(
            f"输出文件扩展名应为 .pptx、.docx 或 .pdf（督办单为 .zip），且与 --format 一致，实际为 {args.out.name!r}"
        )
    path: Path = args.db
    con = _open_current(path)
    asked = (f"统计时刻 {args.as_of:%Y-%m-%d %H:%M}" if args.as_of else "统计时刻 数据截至") + f"；周期 {args.period}"
    extra: dict[Path, bytes] = {}
    hints: list[str] = []
    with audited_export(path, f"通报（{fmt}）：{args.out}", asked) as outcome:
        try:
            brief = briefing.collect(
                con, as_of=args.as_of, period=args.period, issue_no=args.issue_no, chosen=statedb.office_settings(path)
            )
            outcome["filters"] = f"统计区间 {brief.period_text}；第{brief.issue_no}期；数据指纹 {brief.short_digest}"
            if fmt == "notices":
                pdf = not args.no_pdf and briefing.document.pdf_available()
                if not args.no_pdf and not pdf:
                    hints.append(
                        "服务器上没有 LibreOffice（soffice），督办单只有 Word 版；装上 libreoffice-writer 后再生成即有 PDF。"
                    )
                notices = briefing.notices.build(brief)
                data = notices.zip_bytes(pdf=pdf)
                outcome["rows"] = len(notices.notices)
            else:
                data = briefing.deck(brief) if fmt == "pptx" else briefing.document.build(brief)
                data = briefing.document.to_pdf(data) if fmt == "pdf" else data
                if fmt != "pptx" and briefing.document.annex_rest(brief):
                    # 附件只列最久的 200 条：全部清单随文另附 Excel，放在输出文件旁边
                    extra[args.out.with_name(f"{args.out.stem}_逾期问题清单.xlsx")] = (
                        briefing.document.overdue_workbook(brief)
                    )
        except (briefing.NoData, briefing.document.TemplateError, RuntimeError) as exc:
            raise UsageError(str(exc)) from exc  # 模板写错、转不了 PDF：什么也不写
        finally:
            con.close()
        for side, content in extra.items():
            write_replacing(side, content)
        write_replacing(args.out, data)
        outcome["file_sha256"] = hashlib.sha256(data).hexdigest()
    if fmt == "notices":
        skipped = notices.roster[~notices.roster["督办单"].str.endswith(".docx")]
        print(
            f"已生成督办单：{args.out}（{brief.title} 第{brief.issue_no}期，{len(notices.notices)} 个单位，"
            f"统计时刻 {brief.as_of:%Y-%m-%d %H:%M}，数据指纹 {brief.short_digest}）；"
            f"{len(skipped)} 个单位不发，原因见压缩包里的《{notices.roster_name}》"
        )
    else:
        print(
            f"已生成通报：{args.out}（{brief.title} 第{brief.issue_no}期，统计时刻 {brief.as_of:%Y-%m-%d %H:%M}，"
            f"数据指纹 {brief.short_digest}）"
        )
    for side in extra:
        print(
            f"逾期问题超过 {briefing.document.ANNEX_ROWS} 条，附件只列最久的 {briefing.document.ANNEX_ROWS} 条；全部清单：{side}"
        )
    for note in [*brief.notes, *hints]:
        print(f"提示：{note}", file=sys.stderr)
    return 0


def _cmd_snapshots(args: argparse.Namespace) -> int:
    from chuangwen import store

    current = store.current(args.db)
    rows = store.list_snapshots(args.db)
    if not rows:
        print(f"{args.db} 还是单个文件，没有发布过快照（第一次写入时自动建立快照目录）。")
        return 0
    print(f"当前版本：{current.label}")
    for r in rows:
        mark = "＊" if r["当前"] else "　"
        print(f"{mark} 第 {r['版本']:>3} 版  {r['发布时间']}  {r['大小（MB）']:>8.1f} MB  {r['操作人']}  {r['操作']}")
    return 0


def _cmd_republish(args: argparse.Namespace) -> int:
    from chuangwen import backup

    sid = backup.republish(args.db, args.version)
    print(f"已把第 {args.version} 版重新发布为第 {sid} 版（当前版本）：{args.db}")
    return 0


def _cmd_backup(args: argparse.Namespace) -> int:
    from chuangwen import backup

    target = backup.backup(args.db, args.out)
    print(f"已备份到 {target}（快照、导入存档、状态库、通报存档、渠道密钥与校验清单 {backup.MANIFEST}）")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from chuangwen import backup

    print(backup.restore(args.db, args.source))
    return 0


def _cmd_settings(args: argparse.Namespace) -> int:
    """chuangwen settings show / set / clear（校验与说明在 chuangwen.office_settings）。"""
    try:
        print(
            office_settings.run(
                args.db, args.what, getattr(args, "key", None), getattr(args, "value", None), operator()
            )
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return 0


def _port_arg(raw: str) -> int:
    try:
        return settings._port(raw)
    except settings.SettingError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _cmd_serve(args: argparse.Namespace) -> int:
    from chuangwen import demo, server

    try:
        address = args.address or settings.get("server_address")
        port = args.port or settings.get("server_port")
    except settings.SettingError as exc:
        raise UsageError(str(exc)) from None
    env = dict(os.environ)
    if args.db is not None:
        env["CHUANGWEN_DB"] = str(args.db.resolve())
    db_path = Path(env.get("CHUANGWEN_DB") or settings.DEFAULT_DEMO_DB)
    if db_path == settings.DEFAULT_DEMO_DB:
        if not db_path.exists():
            print(f"首次启动：正在生成示例县数据（{settings.DEMO_PROBLEMS:,} 条问题），请稍候……", flush=True)
            demo.ensure(db_path)  # 先生成好：几个进程同时开始时不必排队等
        # 内置示例库第一次启动：建一个演示管理员，随机口令只在这里显示一次（真实的库不会自动建账号）
        if (password := accounts.ensure_demo_admin(db_path, by=operator())) is not None:
            print(
                f"示例库的登录账号：{accounts.DEMO_ADMIN}，口令：{password}（只显示这一次；"
                f"可用 {PROG} user passwd {accounts.DEMO_ADMIN} --db {db_path} 改口令）",
                flush=True,
            )
    if args.workers > 1 or args.proxy:
        try:
            return server.run_workers(
                address, port, args.workers, env, runtime=db_path.with_name(db_path.name + f".serve-{port}")
            )
        except server.ServeError as exc:
            raise UsageError(str(exc)) from None
    cmd = server.command(address, port)
    if settings.get("trust_user_header"):
        print(
            "提示：设了 CHUANGWEN_TRUST_USER_HEADER，但统一认证的请求头只在经本产品的代理来时才认；"
            "不加 --proxy 时大家照常用口令登录。要用统一认证请加 --proxy。",
            file=sys.stderr,
            flush=True,
        )
    print(f"创文看板启动中：http://{address}:{port}（数据库 {db_path}）", flush=True)
    # 换成 streamlit 进程本身：信号（systemd 的停止、Ctrl+C）直接到它
    os.execve(cmd[0], cmd, env)
    return 0  # 不会到这里


def main(argv: Sequence[str] | None = None) -> int:
    """命令行入口；返回退出码（0 成功，1 数据库错误，2 用法错误）。"""
    from chuangwen import store

    store.wait_reporter = lambda message: print(f"{PROG}：{message}", file=sys.stderr, flush=True)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # -h、--version 与用法错误
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return args.handler(args)
    except db.DatabaseError as exc:
        print(f"{PROG}：错误：{exc}", file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"{PROG} {args.command}：错误：{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}：已中断", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
