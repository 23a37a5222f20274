"""命令行的公共部件：中文的参数解析器与报错、参数类型、命令行导出的审计与落盘、操作人。各子命令模块（cli、cli_accounts、
imports.command……）都从这里取，彼此不互相导入。"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn

from chuangwen import db, osuser, statedb

PROG = "chuangwen"

# argparse 的英文报错 → 中文（Python 3.11–3.13 的措辞）
_TYPE_NAMES = {"int": "整数", "float": "数字", "str": "文本"}
_TRANSLATIONS: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
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


class UsageError(Exception):
    """参数本身合法、但被下游判为不合理（退出码 2）。"""


def translate_argparse_message(message: str) -> str:
    """把 argparse 的常见英文报错翻译成中文；不认识的原样返回。"""
    for pattern, replacement in _TRANSLATIONS:
        m = pattern.match(message)
        if m:
            return replacement(m) if callable(replacement) else m.expand(replacement)
    return message


class ChineseHelpFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class ChineseParser(argparse.ArgumentParser):
    """报错与帮助均为中文的参数解析器；用法错误退出码 2。"""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("add_help", False)
        kwargs.setdefault("allow_abbrev", False)
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{translate_argparse_message(message)}\n")


def positive_int(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正整数，实际为 {raw!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为正整数（至少为 1），实际为 {raw!r}")
    return value


def integer(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为整数，实际为 {raw!r}") from None


def cutoff(raw: str) -> datetime:
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(raw.strip(), fmt)
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"时间格式应为 'YYYY-MM-DD' 或 'YYYY-MM-DD HH:MM'，实际为 {raw!r}")


def day(raw: str) -> date:
    try:
        return datetime.strptime(raw.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 'YYYY-MM-DD'，实际为 {raw!r}") from None


COMMAND_LINE = "命令行"  # 命令行操作在审计里的“页面”


def audited_export(path: Path, what: str, filters: str) -> AbstractContextManager[dict[str, Any]]:
    """命令行的一次导出（问题台账、通报、审计记录）恰好留一条审计：操作系统用户，操作“下载”（与页面的下载同名，
    审计里按操作筛选时在一起），页面“命令行”；失败时记“下载失败”与原因。库打开之后才算一次导出：--db 写错时不留记录，
    也不在不存在的库旁边建状态库。"""
    return statedb.audited(path, osuser.name(), "下载", what, page=COMMAND_LINE, filters=filters)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_replacing(out: Path, data: bytes) -> None:
    """先写同目录的临时文件再改名：失败时不留半个文件。"""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("口令：")
    if getpass.getpass("再输一次：") != first:
        raise UsageError("两次输入的口令不一样，什么都没改。")
    return first


def operator() -> str:
    """命令行改设置、管账号时记在审计里的“谁”：“命令行：操作系统用户名”。"""
    return f"命令行：{osuser.name()}"


def db_units(path: Path) -> dict[str, str]:
    con = db.open_readonly(path)
    try:
        return dict(con.execute("select code, name from unit").fetchall())
    finally:
        con.close()
