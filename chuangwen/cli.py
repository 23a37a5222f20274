"""命令行 `chuangwen`：生成示例库、建空库、升级结构、查看库信息。"""
from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Sequence

from chuangwen import __version__, accounts, appstate, db, dbinfo, settings, store_settings
from chuangwen.view import NoData, View

PROG = "chuangwen"
_CJK = re.compile(r"[\u4e00-\u9fff]")

# argparse 的英文报错 → 中文（Python 3.11–3.13 的措辞）
_TYPE_NAMES = {"int": "整数", "float": "数字", "str": "文本"}
_TRANSLATIONS: list[tuple[re.Pattern[str], object]] = [
    (re.compile(r"^unrecognized arguments: (.*)$", re.S), r"无法识别的参数：\1"),
    (re.compile(r"^the following arguments are required: (.*)$", re.S), r"缺少必需的参数：\1"),
    (
        re.compile(r"^argument (.+?): invalid (\w+) value: (.*)$", re.S),
        lambda m: f"参数 {m.group(1)} 的值 {m.group(3)} 无效，应为{_TYPE_NAMES.get(m.group(2), m.group(2))}",
    ),
    (
        re.compile(r"^argument (.+?): invalid choice: (.*?) \(choose from (.*)\)$", re.S),
        r"参数 \1 的取值 \2 无效，可选：\3",
    ),
    (re.compile(r"^argument (.+?): expected one argument$", re.S), r"参数 \1 后面需要一个值"),
    (re.compile(r"^argument (.+?): ignored explicit argument (.*)$", re.S), r"参数 \1 不接受值 \2"),
    (re.compile(r"^ambiguous option: (.+?) could match (.*)$", re.S), r"选项 \1 有歧义，可能是：\2"),
    (re.compile(r"^argument (.+?): not allowed with argument (.*)$", re.S), r"参数 \1 不能与 \2 同时使用"),
    # 自定义类型函数抛出的 ArgumentTypeError 已是中文，只需翻译前缀
    (re.compile(r"^argument (.+?): (.*)$", re.S), r"参数 \1：\2"),
]


class _UsageError(Exception):
    """参数本身合法、但被下游判为不合理（退出码 2）。"""


def translate_argparse_message(message: str) -> str:
    """把 argparse 的常见英文报错翻译成中文；不认识的原样返回。"""
    for pattern, replacement in _TRANSLATIONS:
        m = pattern.match(message)
        if m:
            return replacement(m) if callable(replacement) else m.expand(replacement)
    return message


class _ChineseHelpFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class _ChineseParser(argparse.ArgumentParser):
    """报错与帮助均为中文的参数解析器；用法错误退出码 2。"""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("add_help", False)
        kwargs.setdefault("allow_abbrev", False)
        kwargs.setdefault("formatter_class", _ChineseHelpFormatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{translate_argparse_message(message)}\n")


def _positive_int(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正整数，实际为 {raw!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为正整数（至少为 1），实际为 {raw!r}")
    return value


def _integer(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为整数，实际为 {raw!r}") from None


def _cutoff(raw: str) -> datetime:
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(raw.strip(), fmt)
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"时间格式应为 'YYYY-MM-DD' 或 'YYYY-MM-DD HH:MM'，实际为 {raw!r}")


def _day(raw: str) -> date:
    try:
        return datetime.strptime(raw.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 'YYYY-MM-DD'，实际为 {raw!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _ChineseParser(
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
        p = sub.add_parser(name, help=summary, description=description, formatter_class=_ChineseHelpFormatter)
        p.add_argument("--db", required=True, type=Path, metavar="路径", help="数据库文件路径（.duckdb）")
        return p

    demo = add(
        "demo",
        "生成示例县数据库",
        "生成一个示例县的完整数据库（虚构数据，库内标记为示例数据）。\n"
        "文件已存在时拒绝覆盖；加 --force 时先生成到临时文件，成功后再替换，失败时原文件不动。",
    )
    demo.add_argument("--seed", type=_integer, default=2026, metavar="整数", help="随机种子，相同种子生成相同数据（默认 2026）")
    demo.add_argument("--problems", type=_positive_int, default=20000, metavar="数量", help="问题条数，正整数（默认 20000）")
    demo.add_argument(
        "--until",
        type=_cutoff,
        default=datetime(2026, 11, 15, 18, 0),
        metavar="时间",
        help="数据截至时间，格式 'YYYY-MM-DD' 或 'YYYY-MM-DD HH:MM'；只写日期时为当天 00:00（默认 '2026-11-15 18:00'）",
    )
    demo.add_argument("--force", action="store_true", help="覆盖已存在的数据库文件")
    demo.set_defaults(handler=_cmd_demo)

    add("init", "新建只有表结构的空库", "新建一个只有表结构、没有数据的数据库；文件已存在时拒绝。").set_defaults(handler=_cmd_init)
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

    export = sub.add_parser("export", help="导出数据（问题台账）", description="导出数据。目前支持：problems（问题台账）。",
                            formatter_class=_ChineseHelpFormatter)
    export_sub = export.add_subparsers(title="导出内容", dest="what", metavar="内容", required=True)
    problems = export_sub.add_parser(
        "problems",
        help="问题台账：每条问题一行，状态与逾期按指定时刻回放",
        description="导出问题台账：截至指定时刻已发现的每条问题一行，列为 问题编号、发现时间、整改期限、"
                    "销号时间、当前状态、是否逾期（均按该时刻回放整改记录）。只读，不修改数据库；"
                    "导出（成功或失败）记一条审计（操作系统用户、页面“命令行”、行数、文件 SHA-256）。",
        formatter_class=_ChineseHelpFormatter,
    )
    problems.add_argument("--db", required=True, type=Path, metavar="路径", help="数据库文件路径（.duckdb）")
    problems.add_argument("--as-of", type=_cutoff, default=None, metavar="时间",
                          help="统计时刻，格式 'YYYY-MM-DD' 或 'YYYY-MM-DD HH:MM'；不写时取库内数据截至时间")
    problems.add_argument("--out", required=True, type=Path, metavar="文件", help="输出文件，扩展名 .csv 或 .xlsx")
    problems.set_defaults(handler=_cmd_export_problems)

    brief = add("brief", "生成周通报：幻灯片（PPTX）或 Word 文稿（DOCX，可转 PDF）",
                "按统计时刻生成通报：16:9 幻灯片（名次走势、板块差距、红黑榜、热点地图、逾期、反弹、与上期相比），"
                "或按模板写成的 Word 文稿（版头、期号、红线、正文、红黑榜与逾期表、附件；装了 LibreOffice 时可再转 PDF）。\n"
                "只读，不修改数据库；文件记录统计时刻和数据指纹，同一统计时刻重新生成数字相同。"
                "生成（成功或失败）记一条审计（操作系统用户、页面“命令行”、文件 SHA-256）。")
    brief.add_argument("--out", required=True, type=Path, metavar="文件", help="输出文件，扩展名 .pptx、.docx 或 .pdf")
    brief.add_argument("--format", choices=("pptx", "docx", "pdf"), default=None, metavar="格式",
                       help="pptx（幻灯片）、docx（Word 文稿）、pdf（Word 文稿转 PDF）；不写时按 --out 的扩展名")
    brief.add_argument("--as-of", type=_cutoff, default=None, metavar="时间",
                       help="统计时刻，格式 'YYYY-MM-DD' 或 'YYYY-MM-DD HH:MM'；不写时取库内数据截至时间")
    brief.add_argument("--period", choices=("week", "month", "round"), default="week", metavar="周期",
                       help="通报周期：week（前 7 天，默认）、month（前 30 天）、round（最近一轮测评开始至统计时刻）")
    brief.add_argument("--issue-no", type=_positive_int, default=None, metavar="期数",
                       help="第几期；不写时按统计时刻推算（当年第几周/第几月/第几轮）")
    brief.set_defaults(handler=_cmd_brief)

    snaps = add("snapshots", "列出发布过的数据版本（快照）",
                "只读列出库旁快照目录里的各个版本：版本号、是否当前、发布时间、操作、操作人、大小。")
    snaps.set_defaults(handler=_cmd_snapshots)
    rep = add("republish", "把一个旧版本重新发布成当前版本",
              "把快照目录里的某个旧版本重新发布为当前版本（得到一个新版本号，历史不改写）；看板下一次刷新即读它。")
    rep.add_argument("version", type=_positive_int, metavar="版本号", help="要重新发布的版本号（见 chuangwen snapshots）")
    rep.set_defaults(handler=_cmd_republish)
    bk = add("backup", "备份当前数据版本与导入存档",
             "把当前发布的快照（本身不可变，复制即一致）和导入存档复制到 --out 下新建的目录，附各文件的 SHA-256 清单。")
    bk.add_argument("--out", required=True, type=Path, metavar="目录", help="备份放到这个目录下（自动新建子目录）")
    bk.set_defaults(handler=_cmd_backup)
    rs = add("restore", "从备份恢复（发布为新版本）",
             "校验备份清单与文件后，把备份发布为新的当前版本（恢复前的版本保留，可重新发布），并记入导入记录。")
    rs.add_argument("--from", dest="source", required=True, type=Path, metavar="备份目录",
                    help="chuangwen backup 生成的备份目录")
    rs.set_defaults(handler=_cmd_restore)

    user = sub.add_parser("user", help="管理看板账号（新建、列出、改口令、停用）",
                          description="管理登录看板的账号。账号放在库旁的状态库（<库文件名>.app.sqlite），口令只存 argon2id 散列。\n"
                                      "角色：领导（看全部、导出）、创建办（看全部、导出、导入）、责任单位（只看本单位，须 --unit）、"
                                      "管理员（另管账号、回滚、恢复、审计）。口令从终端输入两次；脚本里可用 --password-stdin 从标准输入读一行。",
                          formatter_class=_ChineseHelpFormatter)
    user_sub = user.add_subparsers(title="操作", dest="what", metavar="操作", required=True)

    def user_cmd(name: str, summary: str) -> argparse.ArgumentParser:
        p = user_sub.add_parser(name, help=summary, description=summary, formatter_class=_ChineseHelpFormatter)
        p.add_argument("--db", required=True, type=Path, metavar="路径", help="数据库文件路径（.duckdb）")
        return p

    ua = user_cmd("add", "新建账号")
    ua.add_argument("name", metavar="登录名")
    ua.add_argument("--role", required=True, choices=accounts.ROLES, metavar="角色", help="领导、创建办、责任单位、管理员")
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

    audit = sub.add_parser("audit", help="核对、导出审计记录",
                           description="审计记录在库旁的状态库（<库文件名>.app.sqlite）里，只追加，每条带前一条的散列（散列链）。\n"
                                       "verify 逐条重算散列链：完整时退出码 0；有记录被改、删、替换时退出码 1，写明第一条对不上的记录。\n"
                                       "export 按日期导出成 Excel 或 CSV（导出本身也记一条审计）。",
                           formatter_class=_ChineseHelpFormatter)
    audit_sub = audit.add_subparsers(title="操作", dest="what", metavar="操作", required=True)
    av = audit_sub.add_parser("verify", help="重算审计记录的散列链，报出第一条对不上的记录",
                              description="重算审计记录的散列链（只读）：完整时显示条数与末条散列（可另行抄存，之后比对）；"
                                          "断了时退出码 1，写明第一条对不上的记录（编号、时间、谁、操作）以及是内容被改还是与前一条的链接断了。",
                              formatter_class=_ChineseHelpFormatter)
    av.add_argument("--db", required=True, type=Path, metavar="路径", help="数据库文件路径（.duckdb）")
    av.set_defaults(handler=_cmd_audit_verify)
    ae = audit_sub.add_parser("export", help="导出审计记录（.xlsx 或 .csv）",
                              description="导出审计记录，新的在前，列与“账号与审计”页导出的相同。CSV 为 UTF-8（带 BOM），"
                                          "可能被表格软件当成公式的文字前加单引号。",
                              formatter_class=_ChineseHelpFormatter)
    ae.add_argument("--db", required=True, type=Path, metavar="路径", help="数据库文件路径（.duckdb）")
    ae.add_argument("--since", type=_day, default=None, metavar="日期", help="从这一天（含）起，格式 'YYYY-MM-DD'；不写时从最早的起")
    ae.add_argument("--until", type=_day, default=None, metavar="日期", help="到这一天（含）为止，格式 'YYYY-MM-DD'；不写时到最新的")
    ae.add_argument("--out", required=True, type=Path, metavar="文件", help="输出文件，扩展名 .xlsx 或 .csv")
    ae.set_defaults(handler=_cmd_audit_export)

    store_settings.add_parser(sub, _ChineseHelpFormatter, _cmd_settings)

    serve = sub.add_parser(
        "serve", help="用发布的加固设置启动看板",
        description="启动看板服务器。监听地址、端口与全部加固设置（不显示堆栈、不发使用统计、离线素材、上传上限、XSRF）"
                    "都写在传给 Streamlit 的命令行上，从任何目录启动都一样，不受当前目录或 ~/.streamlit 里的 config.toml 影响。",
        formatter_class=_ChineseHelpFormatter)
    serve.add_argument("--db", type=Path, metavar="路径",
                       help="数据库文件路径；不写时用环境变量 CHUANGWEN_DB，再没有时用示例库（首次启动自动生成）")
    serve.add_argument("--address", metavar="地址", help="监听地址；不写时用 CHUANGWEN_ADDRESS（默认 127.0.0.1，只听本机）")
    serve.add_argument("--port", type=_port_arg, metavar="端口", help="监听端口；不写时用 CHUANGWEN_PORT（默认 8501）")
    serve.add_argument("--workers", type=_positive_int, default=1, metavar="N",
                       help="启动 N 个看板进程（只听本机，端口接在 --port 之后），前面用 nginx 反向代理、同一浏览器固定到同一进程；"
                            "默认 1（不用代理）。需要 Debian 的 nginx")
    serve.add_argument("--proxy", action="store_true",
                       help="只有一个进程也经 nginx 反向代理（安全响应头、可选 HTTPS、上传上限、清掉伪造的身份请求头）；"
                            "--workers 大于 1 时总是经代理。正式部署请用它")
    serve.set_defaults(handler=_cmd_serve)

    from chuangwen.imports import command as import_command  # 导入子命令由导入模块注册

    import_command.register(sub, _ChineseHelpFormatter)
    return parser


def _read_version(path: Path) -> int:
    db._check_is_duckdb_file(path)
    con = db._connect(path, read_only=True)
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
        raise _UsageError(str(exc)) from exc
    seconds = time.perf_counter() - started

    con = db._connect(path, read_only=True)
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


def _rebuild_replacing(path: Path, build, kwargs: dict) -> None:
    """--force：新库先写到同目录临时文件，成功后发布成新快照（旧版本保留、可重新发布）；任何失败都不动原库。"""
    from chuangwen import store

    # 只覆盖 DuckDB 文件：--db 写错成别的文件时不误删
    db._check_is_duckdb_file(path)
    con = db._connect(store.current(path).file, read_only=True)
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


def _refuse_real_data(con, path: Path) -> None:
    """--force 只替换示例库或空库：真实台账被示例数据覆盖就找不回来了。"""
    if db.schema_version(con) == 0:
        raise db.DatabaseError(f"DuckDB 文件里没有创文看板的表结构，--force 也不会覆盖：{path}")
    is_demo = db.read_meta(con).get("is_demo")
    problems = con.execute("select count(*) from problem").fetchone()[0]
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


def _open_current(path: Path):
    """只读打开结构版本正好是本程序版本的库（导出、通报用）；规则在 dbinfo.open_checked。"""
    return dbinfo.open_checked(path, current=True)[0]


def _cmd_export_problems(args: argparse.Namespace) -> int:
    from chuangwen import supervision

    if args.out.suffix.lower() not in (".csv", ".xlsx"):
        raise _UsageError(f"输出文件扩展名应为 .csv 或 .xlsx，实际为 {args.out.name!r}")
    path: Path = args.db
    con = _open_current(path)
    asked = f"统计时刻 {args.as_of:%Y-%m-%d %H:%M}" if args.as_of else "统计时刻 数据截至"
    with _audited_export(path, f"问题台账：{args.out}", asked) as outcome:
        try:
            try:
                view = View.of_store(con, as_of=args.as_of, chosen=appstate.store_settings(path))
            except NoData:
                raise db.DatabaseError(f"库里没有问题与整改记录，也没有写明数据截至时间，请用 --as-of 指定统计时刻：{path}") from None
            as_of = view.as_of
            outcome["filters"] = f"统计时刻 {as_of:%Y-%m-%d %H:%M}"
            frame = supervision.export_problems(con, view)
        finally:
            con.close()
        supervision.write_export(frame, args.out)
        outcome.update(rows=len(frame), file_sha256=_file_sha256(args.out))
    print(f"已导出问题台账：{args.out}（{len(frame):,} 条，统计时刻 {as_of:%Y-%m-%d %H:%M}）")
    return 0


COMMAND_LINE = "命令行"     # 命令行操作在审计里的“页面”


def _audited_export(path: Path, what: str, filters: str):
    """命令行的一次导出（问题台账、通报、审计记录）恰好留一条审计：操作系统用户，操作“下载”（与页面的下载同名，
    审计里按操作筛选时在一起），页面“命令行”；失败时记“下载失败”与原因。库打开之后才算一次导出：--db 写错时不留记录，
    也不在不存在的库旁边建状态库。"""
    return appstate.audited(path, appstate.os_user(), "下载", what, page=COMMAND_LINE, filters=filters)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_replacing(out: Path, data: bytes) -> None:
    """先写同目录的临时文件再改名：失败时不留半个文件。"""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def _cmd_brief(args: argparse.Namespace) -> int:
    from chuangwen import briefing

    fmt = args.format or args.out.suffix.lower().lstrip(".")
    if fmt not in ("pptx", "docx", "pdf") or args.out.suffix.lower() != f".{fmt}":
        raise _UsageError(f"输出文件扩展名应为 .pptx、.docx 或 .pdf，且与 --format 一致，实际为 {args.out.name!r}")
    path: Path = args.db
    con = _open_current(path)
    asked = (f"统计时刻 {args.as_of:%Y-%m-%d %H:%M}" if args.as_of else "统计时刻 数据截至") + f"；周期 {args.period}"
    with _audited_export(path, f"通报（{fmt}）：{args.out}", asked) as outcome:
        try:
            brief = briefing.collect(con, as_of=args.as_of, period=args.period, issue_no=args.issue_no,
                                     chosen=appstate.store_settings(path))
            outcome["filters"] = f"统计区间 {brief.period_text}；第{brief.issue_no}期；数据指纹 {brief.short_digest}"
            data = briefing.deck(brief) if fmt == "pptx" else briefing.document.build(brief)
            data = briefing.document.to_pdf(data) if fmt == "pdf" else data
        except (briefing.NoData, briefing.document.TemplateError, RuntimeError) as exc:
            raise _UsageError(str(exc)) from exc     # 模板写错、转不了 PDF：什么也不写
        finally:
            con.close()
        _write_replacing(args.out, data)
        outcome["file_sha256"] = hashlib.sha256(data).hexdigest()
    print(f"已生成通报：{args.out}（{brief.title} 第{brief.issue_no}期，统计时刻 {brief.as_of:%Y-%m-%d %H:%M}，"
          f"数据指纹 {brief.short_digest}）")
    for note in brief.notes:
        print(f"提示：{note}", file=sys.stderr)
    return 0


def _cmd_audit_verify(args: argparse.Namespace) -> int:
    """chuangwen audit verify：重算散列链；断了时退出码 1。"""
    if not appstate.state_path(args.db).exists():
        # 整个状态库不见了也是一种删除：不新建一个空库来报“完整”
        raise db.DatabaseError(f"找不到看板状态库 {appstate.state_path(args.db)}：这个库还没有任何审计记录，或状态库被移走、删除了。")
    check = appstate.verify_chain(args.db)
    if check.broken is not None:
        print(f"{PROG} audit verify：{check.text()}", file=sys.stderr)
        return 1
    print(check.text())
    return 0


def _cmd_audit_export(args: argparse.Namespace) -> int:
    """chuangwen audit export：按日期导出审计记录（.xlsx / .csv）；导出本身也记一条审计。"""
    suffix = args.out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise _UsageError(f"输出文件扩展名应为 .xlsx 或 .csv，实际为 {args.out.name!r}")
    if args.since and args.until and args.since > args.until:
        raise _UsageError(f"--since（{args.since}）晚于 --until（{args.until}）")
    if not appstate.state_path(args.db).exists():
        raise db.DatabaseError(f"找不到看板状态库 {appstate.state_path(args.db)}：这个库还没有任何审计记录。")
    since = appstate.day_window(args.since, args.since)[0] if args.since else None
    until = appstate.day_window(args.until, args.until)[1] if args.until else None
    span = f"{args.since or '最早'} 至 {args.until or '最新'}"
    with _audited_export(args.db, f"审计记录：{args.out}", f"日期 {span}") as outcome:
        rows = appstate.audit(args.db, None, since=since, until=until)
        data = appstate.audit_file(rows, suffix, note=f"创文看板审计记录　{span}　导出人 {appstate.os_user()}（命令行）")
        _write_replacing(args.out, data)
        outcome.update(rows=len(rows), file_sha256=hashlib.sha256(data).hexdigest())
    print(f"已导出审计记录：{args.out}（{len(rows):,} 条，{span}）")
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
    print(f"已备份到 {target}（快照、导入存档与校验清单 {backup.MANIFEST}）")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from chuangwen import backup

    print(backup.restore(args.db, args.source))
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("口令：")
    if getpass.getpass("再输一次：") != first:
        raise _UsageError("两次输入的口令不一样，什么都没改。")
    return first


def _operator() -> str:
    """命令行操作记在审计里的“谁”：本机登录名。"""
    import getpass

    try:
        return f"命令行：{getpass.getuser()}"
    except Exception:
        return "命令行"


def _db_units(path: Path) -> dict[str, str]:
    con = db.open_readonly(path)
    try:
        return dict(con.execute("select code, name from unit").fetchall())
    finally:
        con.close()


def _cmd_settings(args: argparse.Namespace) -> int:
    """chuangwen settings show / set / clear（校验与说明在 chuangwen.store_settings）。"""
    try:
        print(store_settings.run(args.db, args.what, getattr(args, "key", None), getattr(args, "value", None), _operator()))
    except ValueError as exc:
        raise _UsageError(str(exc)) from None
    return 0


def _cmd_user_add(args: argparse.Namespace) -> int:
    try:
        viewer = accounts.add(args.db, args.name, args.role, _read_password(args), unit_code=args.unit,
                              units=_db_units(args.db), by=_operator())
    except accounts.AccountError as exc:
        raise _UsageError(str(exc)) from None
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
        accounts.set_password(args.db, args.name, _read_password(args), by=_operator())
    except accounts.AccountError as exc:
        raise _UsageError(str(exc)) from None
    print(f"已改口令：{args.name}（它的全部登录已结束）。")
    return 0


def _cmd_user_disable(args: argparse.Namespace) -> int:
    try:
        accounts.set_disabled(args.db, args.name, not args.enable, by=_operator())
    except accounts.AccountError as exc:
        raise _UsageError(str(exc)) from None
    print(f"已{'恢复' if args.enable else '停用'}账号 {args.name}。")
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
        raise _UsageError(str(exc)) from None
    env = dict(os.environ)
    if args.db is not None:
        env["CHUANGWEN_DB"] = str(args.db.resolve())
    db_path = Path(env.get("CHUANGWEN_DB") or settings.DEFAULT_DEMO_DB)
    if db_path == settings.DEFAULT_DEMO_DB:
        if not db_path.exists():
            print("首次启动：正在生成示例县数据（约 20,000 条问题），请稍候……", flush=True)
            demo.ensure(db_path)   # 先生成好：几个进程同时开始时不必排队等
        # 内置示例库第一次启动：建一个演示管理员，随机口令只在这里显示一次（真实的库不会自动建账号）
        if (password := accounts.ensure_demo_admin(db_path, by=_operator())) is not None:
            print(f"示例库的登录账号：{accounts.DEMO_ADMIN}，口令：{password}（只显示这一次；"
                  f"可用 {PROG} user passwd {accounts.DEMO_ADMIN} --db {db_path} 改口令）", flush=True)
    if args.workers > 1 or args.proxy:
        try:
            return server.run_workers(address, port, args.workers, env,
                                      runtime=db_path.with_name(db_path.name + f".serve-{port}"))
        except server.ServeError as exc:
            raise _UsageError(str(exc)) from None
    cmd = server.command(address, port)
    if settings.get("trust_user_header"):
        print(f"提示：设了 CHUANGWEN_TRUST_USER_HEADER，但统一认证的请求头只在经本产品的代理来时才认；"
              f"不加 --proxy 时大家照常用口令登录。要用统一认证请加 --proxy。", file=sys.stderr, flush=True)
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
    except _UsageError as exc:
        print(f"{PROG} {args.command}：错误：{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}：已中断", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
