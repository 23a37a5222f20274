"""命令行 `chuangwen import …`：种类 + 文件，或 `chuangwen import rollback 编号`。由 chuangwen/cli.py 注册。"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from chuangwen.imports import mapping as mapping_mod
from chuangwen.imports import write
from chuangwen.imports.checks import Prepared
from chuangwen.imports.kinds import KINDS

CRS_CHOICES = {"wgs84": "WGS84", "cgcs2000": "CGCS2000", "gcj02": "GCJ02", "bd09": "BD09"}
REPORT_LINES = 40

# 终端会执行的字符：C0 控制字符（含 ESC、回车、退格、制表）、DEL、C1 控制字符（含 CSI \x9b），
# 以及能把一行文字倒过来显示的双向控制符与行/段分隔符。文件里的值、文件名都可能带着它们：
# 一格 "\x1b]0;…\x07\x1b[2J" 就能改掉操作员终端的标题并清屏
_TERMINAL_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_TERMINAL_CONTROL_BUT_NEWLINE = re.compile(
    r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(value: object, *, keep_newlines: bool = False) -> str:
    """打印到终端的文字：控制字符换成看得见的转义（ESC → \\x1b）。keep_newlines 时保留换行（多行的说明）；
    报告里的一格照样转义换行，免得一个值冒充报告的下一行。"""
    pattern = _TERMINAL_CONTROL_BUT_NEWLINE if keep_newlines else _TERMINAL_CONTROL
    return pattern.sub(_escape, str(value))


def _say(text: str, stream: TextIO | None = None) -> None:
    """打印一段说明（可多行）：每个字都经 terminal_safe。"""
    print(terminal_safe(text, keep_newlines=True), file=stream or sys.stdout)


def register(
    sub: argparse._SubParsersAction[Any],
    formatter_class: type[argparse.HelpFormatter],
    db_help: str = "数据库文件路径（.duckdb）",
) -> None:
    imp = sub.add_parser(
        "import",
        help="导入台账、整改记录、单位等（Excel/CSV），或回滚一次导入",
        description="导入数据：先逐行校验，默认整批写入（有任何错误就什么都不写）；加 --partial 只导入通过校验的行。\n"
        "同一文件重复导入不会重复添加；每次导入有编号，可用 chuangwen import rollback 编号 --db 路径 回滚。",
        formatter_class=formatter_class,
    )
    kinds = imp.add_subparsers(title="导入种类", dest="what", metavar="种类", required=True)
    for key, kind in KINDS.items():
        p = kinds.add_parser(
            key,
            help=kind.label,
            description=f"导入{kind.label}。模板列：{'、'.join(kind.names)}。{kind.note}",
            formatter_class=formatter_class,
        )
        p.add_argument("file", type=Path, metavar="文件", help="要导入的 .xlsx / .xls / .csv 文件")
        p.add_argument("--db", required=True, type=Path, metavar="路径", help=db_help)
        p.add_argument(
            "--mapping",
            type=Path,
            metavar="映射文件",
            help='列映射（TOML）：模板列 = "源列"，可含取值对照、整列默认值与日期格式；数据管理页“下载映射文件”得到的就是它',
        )
        p.add_argument(
            "--preset",
            metavar="预设名称",
            help="用数据管理页存的列映射预设（与 --mapping 同一种内容，二者只能用一个）",
        )
        p.add_argument(
            "--crs",
            choices=list(CRS_CHOICES),
            metavar="坐标系",
            help="文件中坐标的坐标系：wgs84 / cgcs2000 / gcj02（高德、腾讯）/ bd09（百度）；默认 wgs84",
        )
        p.add_argument("--partial", action="store_true", help="只导入通过校验的行，被拒的行写入报告")
        p.add_argument(
            "--create-missing", action="store_true", help="自动新增文件中出现、库中还没有的单位、镇街、社区与问题类别"
        )
        p.add_argument("--report", type=Path, metavar="报告文件", help="把逐行校验报告另存为 .xlsx 或 .csv")
        p.set_defaults(handler=_cmd_import, kind=key)
    bd = kinds.add_parser(
        "boundaries",
        help="镇街边界（GeoJSON / 压缩的 Shapefile）",
        description="导入镇街边界：GeoJSON 或压缩的 Shapefile（.zip），按名称字段对应镇街，换算到 WGS-84，"
        "按版本保存（不覆盖旧版本）；与库中最新版本相同的跳过。",
        formatter_class=formatter_class,
    )
    bd.add_argument("file", type=Path, metavar="文件", help=".geojson / .json / .zip（Shapefile）")
    bd.add_argument("--db", required=True, type=Path, metavar="路径", help=db_help)
    bd.add_argument("--name-field", metavar="字段", help="镇街名称所在的字段；不写时依次尝试 镇街、名称、name、XZMC 等")
    bd.add_argument(
        "--crs",
        choices=list(CRS_CHOICES),
        metavar="坐标系",
        help="文件没有写明坐标系时的坐标系：wgs84 / cgcs2000 / gcj02 / bd09；写明了的按文件换算",
    )
    bd.add_argument(
        "--valid-from",
        type=date.fromisoformat,
        metavar="日期",
        help="新版本的生效日期，YYYY-MM-DD；不写时取文件的“生效日期”字段，"
        "都没有时首版按数据的第一天（已有边界的镇街的新一版必须有日期）",
    )
    bd.add_argument("--create-missing", action="store_true", help="库中没有的镇街自动新增（挂在本县下）")
    bd.add_argument(
        "--force",
        action="store_true",
        help="跳过合理性检查照样导入：默认新边界大半落在本县现有范围之外、比全县还大、几乎盖住全县、"
        "或镇街之间大面积重叠时拒绝导入",
    )
    bd.add_argument("--mapping", type=Path, help=argparse.SUPPRESS)
    bd.add_argument("--partial", action="store_true", help=argparse.SUPPRESS)
    bd.set_defaults(handler=_cmd_boundaries)
    rb = kinds.add_parser(
        "rollback",
        help="回滚一次导入",
        description="按导入编号回滚：删除该次导入写入的数据，导入日志保留并标记为已回滚。",
        formatter_class=formatter_class,
    )
    rb.add_argument("import_id", type=int, metavar="导入编号")
    rb.add_argument("--db", required=True, type=Path, metavar="路径", help=db_help)
    rb.set_defaults(handler=_cmd_rollback)


def _print_report(prep: Prepared | None, stream: TextIO) -> None:
    if prep is None:
        return
    report = prep.report()
    if report.empty:
        return
    print(f"校验报告（{len(report):,} 条）：", file=stream)
    safe = terminal_safe
    for r in report.head(REPORT_LINES).itertuples(index=False):
        # 每一格（文件名、工作表、列名、值、原因）都来自文件或含有文件里的文字：逐格转义，一格一行
        where = safe(r.文件) + (f"［{safe(r.工作表)}］" if r.工作表 else "")
        if isinstance(r.行, str) and r.行:
            where += f" {safe(r.行)}"
        elif r.行 != "":
            where += f" 第 {safe(r.行)} 行"
        value = f"值“{safe(r.值)}”：" if r.值 else ""
        print(f"  {safe(r.级别)}｜{where}｜{safe(r.列)}｜{value}{safe(r.原因)}", file=stream)
    if len(report) > REPORT_LINES:
        print(f"  ……另有 {len(report) - REPORT_LINES:,} 条，完整报告请加 --report 文件.xlsx 保存", file=stream)


def _save_report(prep: Prepared | None, path: Path | None) -> None:
    if path is None or prep is None:
        return
    from chuangwen import excel

    report = prep.report()
    if path.suffix.lower() == ".csv":
        report.to_csv(path, index=False, encoding="utf-8-sig")
    else:
        sheets = {"校验报告": report}
        rejects = prep.rejects()
        if len(rejects):
            sheets["被拒的行"] = rejects
        path.write_bytes(excel.to_xlsx(sheets))
    _say(f"报告已保存：{path}")


def _cmd_import(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.exists():
        _say(f"chuangwen import：错误：文件不存在：{path}", sys.stderr)
        return 1
    if path.is_dir():
        _say(f"chuangwen import：错误：这是一个目录，不是文件：{path}", sys.stderr)
        return 1
    try:
        mp = _mapping(args)
    except mapping_mod.MappingError as exc:
        _say(f"chuangwen import：错误：{exc}", sys.stderr)
        return 2
    from chuangwen.imports.readers import MAX_BYTES

    size = path.stat().st_size
    if size > MAX_BYTES:
        _say(
            f"chuangwen import：错误：文件过大：{path.name} 有 {size / 1024 / 1024:.1f} MB，上限 {MAX_BYTES // 1024 // 1024} MB。"
            "请按年份或镇街拆成几个文件分别导入。未写入任何数据。",
            sys.stderr,
        )
        return 1
    raw = path.read_bytes()
    crs = CRS_CHOICES.get(args.crs) if args.crs else None
    try:
        result = write.run_import(
            args.db, raw, path.name, args.kind, mp, crs=crs, partial=args.partial, create_missing=args.create_missing
        )
    except write.ImportFailed as exc:
        _say(f"chuangwen import：错误：{exc}", sys.stderr)
        _print_report(exc.prepared, sys.stderr)
        _save_report(exc.prepared, args.report)
        if mp is None:
            _suggest_preset(args, exc.prepared, raw, path.name)
        return 1
    _say(result.summary())
    _print_report(result.prepared, sys.stdout)
    _save_report(result.prepared, args.report)
    return 0


def _mapping(args: argparse.Namespace) -> mapping_mod.Mapping | None:
    """--mapping 的映射文件或 --preset 的预设（同一种 TOML）；都没给时 None（按模板列名读）。"""
    if args.mapping and args.preset:
        raise mapping_mod.MappingError("--mapping 与 --preset 只能用一个（预设就是存在看板里的映射文件）。")
    if args.mapping:
        return mapping_mod.load(args.mapping, args.kind)
    if not args.preset:
        return None
    from chuangwen import db

    db.check_is_duckdb_file(args.db)  # 库写错时不在它旁边建状态库
    saved = write.presets(args.db, args.kind)
    if args.preset not in saved:
        have = "、".join(f"“{n}”" for n in saved) or "（还没有）"
        raise mapping_mod.MappingError(
            f"没有名为“{args.preset}”的{KINDS[args.kind].label}预设；数据管理页存过的{KINDS[args.kind].label}预设：{have}。"
        )
    return mapping_mod.parse(saved[args.preset], args.kind, name=f"预设“{args.preset}”")


def _suggest_preset(args: argparse.Namespace, prep: Prepared | None, raw: bytes, file_name: str) -> None:
    """没给映射、表头又对不上（缺列，或前几行里找不到模板的列名）时：数据管理页为这种表头存过预设的，提示用它。"""
    if prep is not None:
        if not any(i["行"] == "表头" for i in prep.issues):
            return
        columns = prep.table.columns
    else:
        from chuangwen.imports import page_mapping, readers

        try:  # 与数据管理页读表头的方法相同，算出的表头样子才对得上
            columns = page_mapping.read_source(raw, file_name, args.kind).columns
        except readers.ReadError:
            return
    name = write.preset_for_layout(args.db, args.kind, mapping_mod.header_signature(columns))
    if name:
        _say(
            f"提示：这个文件的表头与数据管理页存的预设“{name}”相同，可加 --preset {name} 用它"
            "（或用页面上“下载映射文件”得到的 .mapping.toml：--mapping 文件）。",
            sys.stderr,
        )


def _cmd_boundaries(args: argparse.Namespace) -> int:
    from chuangwen.imports import boundaries

    path: Path = args.file
    if not path.is_file():
        _say(f"chuangwen import：错误：文件不存在：{path}", sys.stderr)
        return 1
    try:
        result = boundaries.run_boundaries(
            args.db,
            path.read_bytes(),
            path.name,
            name_field=args.name_field,
            crs=CRS_CHOICES.get(args.crs) if args.crs else None,
            create_missing=args.create_missing,
            valid_from=args.valid_from,
            force=args.force,
        )
    except write.ImportFailed as exc:
        _say(f"chuangwen import：错误：{exc}", sys.stderr)
        _print_report(exc.prepared, sys.stderr)
        return 1
    _say(result.summary())
    return 0


def _cmd_rollback(args: argparse.Namespace) -> int:
    try:
        _say(write.rollback(args.db, args.import_id))  # 说明里有导入时的文件名
    except write.ImportFailed as exc:
        _say(f"chuangwen import rollback：错误：{exc}", sys.stderr)
        return 1
    return 0
