"""列映射：把另一种形状的文件对应到模板列（TOML）。命令行（--mapping）读它，数据管理页读它也写它（预设、下载、上传）。

kind = "problems"                 # 可选，写了就与命令行的种类核对
date_format = "%m/%d/%Y %I:%M %p" # 可选，源文件的日期格式（strftime 写法）；其余常见写法仍会自动识别
crs = "wgs84"                     # 可选，坐标系
[columns]                         # 模板列 = "源列"
问题编号 = "case_id"
[values.整改状态]                 # 可选：源文件的取值 → 模板取值（状态/类别/单位/来源/严重程度/动作…）
"Closed" = "已销号"
[defaults]                        # 可选：源文件没有的列，整列取同一个值
来源 = "12345热线"

写错的映射（不是模板的列、对照到允许取值以外或空值、一个模板列两个源列、同一列既有源列又有整列的值）
一律拒绝，逐条写明是哪一列、哪个值（check）；不会带着错的映射去校验、写入。
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from chuangwen.imports.cells import halfwidth
from chuangwen.imports.kinds import CHOICES, CRS_NAMES, KINDS


class MappingError(Exception):
    """映射文件有误；消息为中文。"""


@dataclass
class Mapping:
    columns: dict[str, str] = field(default_factory=dict)  # 模板列 → 源列
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None
    crs: str | None = None
    kind: str | None = None

    def source_headers(self) -> list[str]:
        return list(self.columns.values())

    def to_toml(self) -> str:
        """写成映射文件（命令行 --mapping 读的就是它）；parse(to_toml()) 得到同一个映射。"""

        def q(s: str) -> str:
            return (
                '"'
                + _CONTROL.sub(lambda c: f"\\u{ord(c.group()):04X}", str(s).replace("\\", "\\\\").replace('"', '\\"'))
                + '"'
            )

        label = KINDS[self.kind].label if self.kind in KINDS else "导入"
        lines = [
            f"# 创文看板列映射（{label}）：命令行 chuangwen import {self.kind or '种类'} 文件 --mapping 本文件 --db 库；"
            "数据管理页也可上传本文件",
        ]
        if self.kind:
            lines.append(f"kind = {q(self.kind)}")
        if self.date_format:
            lines.append(f"date_format = {q(self.date_format)}")
        if self.crs:
            lines.append(f"crs = {q(self.crs)}")
        lines.append("\n[columns]")
        lines += [f"{q(k)} = {q(v)}" for k, v in self.columns.items()]
        if self.defaults:
            lines.append("\n[defaults]")
            lines += [f"{q(k)} = {q(v)}" for k, v in self.defaults.items()]
        for col, vm in self.values.items():
            if vm:
                lines.append(f"\n[values.{q(col)}]")
                lines += [f"{q(k)} = {q(v)}" for k, v in vm.items()]
        return "\n".join(lines) + "\n"


# TOML 的基本字符串里不能直接写的控制字符（单元格里的换行、制表符等）：写成 \uXXXX
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BARE_KEY = re.compile(r"""^(\s*)([^\s"'=\[#][^=\n]*?)(\s*=)""", re.M)
_TABLE = re.compile(r"""^(\s*\[\s*values\s*\.\s*)([^\]"']+?)(\s*\])""", re.M)
_HEADER_LINE = re.compile(r"""^\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$""")
_KEY_LINE = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^\s=#"'][^=#]*?)\s*=""")
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
# tomllib 的英文报错 → 中文（常见的几种；其余只说位置）
_TOML_REASONS = (
    ("Cannot overwrite a value", "同一个键写了两次"),
    ("Cannot declare", "同一个表（方括号里的名字）写了两次"),
    ("Invalid value", "值写得不对：文字要用英文双引号括起来"),
    ("Expected '=' after a key", "键后面缺少等号“=”"),
    ("Unclosed", "括号或引号没有配对"),
    ("Illegal character", "有不允许的字符"),
)


def _quote_unicode_keys(text: str) -> str:
    """TOML 1.0 的裸键只能是 ASCII；为了让 `问题编号 = "case_id"` 这样的写法可用，给非 ASCII 的裸键加上引号。"""

    def key(m: re.Match[str]) -> str:
        k = m.group(2)
        return m.group(0) if k.isascii() else f'{m.group(1)}"{k.strip()}"{m.group(3)}'

    def table(m: re.Match[str]) -> str:
        k = m.group(2)
        return m.group(0) if k.isascii() else f'{m.group(1)}"{k.strip()}"{m.group(3)}'

    return _TABLE.sub(table, _BARE_KEY.sub(key, text))


def _unquote(key: str) -> str:
    key = key.strip()
    if len(key) >= 2 and key[0] == key[-1] and key[0] in "\"'":
        return key[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return key


def _repeated_keys(text: str, name: str) -> list[str]:
    """同一个表里写了两次的键（一个模板列两个源列、一个取值对照两次）：tomllib 只说“不能覆盖”，这里写明是哪一列。"""
    seen: dict[tuple[str, str], list[int]] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if m := _HEADER_LINE.match(line):
            table = ".".join(_unquote(p) for p in m.group(1).split(".", 1))
            continue
        if (m := _KEY_LINE.match(line)) and table:
            seen.setdefault((table, _unquote(m.group(1))), []).append(number)
    problems = []
    for (table, key), lines in seen.items():
        if len(lines) < 2:
            continue
        at = "、".join(map(str, lines))
        if table == "columns":
            problems.append(
                f"{name}的 [columns] 里模板列“{key}”写了 {len(lines)} 次（第 {at} 行）：一个模板列只能对应一个源列。"
            )
        elif table == "defaults":
            problems.append(f"{name}的 [defaults] 里“{key}”写了 {len(lines)} 次（第 {at} 行）：整列的值只能有一个。")
        else:
            problems.append(
                f"{name}的 [{table}] 里取值“{key}”写了 {len(lines)} 次（第 {at} 行）：一个取值只能对照到一个。"
            )
    return problems


def _toml_reason(exc: tomllib.TOMLDecodeError) -> str:
    text = str(exc)
    reason = next((zh for en, zh in _TOML_REASONS if en in text), "格式不对")
    if m := _TOML_POSITION.search(text):  # 只报行：中文的键加了引号再交给 tomllib，列号会错开
        return f"第 {m.group(1)} 行{reason}"
    return reason


def _texts(table: object, where: str, name: str, problems: list[str], *, what: str) -> dict[str, str]:
    """[columns] / [defaults] / [values.列] 表：键与值都是文字；一个键给了几个值（数组）或不是文字的，写明是哪个键。"""
    if table is None:
        return {}
    if not isinstance(table, dict):
        problems.append(f'{name}的 {where} 应是一个表（方括号标题下一行一个 键 = "值"）。')
        return {}
    out: dict[str, str] = {}
    for k, v in table.items():
        if isinstance(v, list):
            shown = "、".join(f"“{x}”" for x in v)
            problems.append(
                f"{name}的 {where} 里{what}“{k}”写了几个值（{shown}）：一个{what}只能对应一个"
                + ("源列。" if what == "模板列" else "值。")
            )
        elif isinstance(v, dict):
            problems.append(f"{name}的 {where} 里“{k}”不是一个值，而是一个表。")
        else:
            out[str(k)] = str(v)
    return out


def parse(text: str, kind: str | None = None, *, name: str = "映射文件") -> Mapping:
    """读映射文件的文字；kind 给出时按这种导入的模板核对（check）。写错时抛 MappingError，逐条写明哪一列、哪个值。"""
    problems = _repeated_keys(text, name)
    if problems:
        raise MappingError("\n".join(problems))
    try:
        doc = tomllib.loads(_quote_unicode_keys(text))
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{name}不是有效的 TOML：{_toml_reason(exc)}。") from None
    values_doc = doc.get("values")
    if values_doc is not None and not isinstance(values_doc, dict):
        problems.append(f"{name}的 values 应写成 [values.列名] 表。")
        values_doc = None
    m = Mapping(
        columns=_texts(doc.get("columns"), "[columns]", name, problems, what="模板列"),
        values={
            str(c): _texts(vm, f"[values.{c}]", name, problems, what="取值") for c, vm in (values_doc or {}).items()
        },
        defaults=_texts(doc.get("defaults"), "[defaults]", name, problems, what="列"),
        date_format=_optional_text(doc, "date_format", name, problems),
        crs=_optional_text(doc, "crs", name, problems),
        kind=_optional_text(doc, "kind", name, problems),
    )
    if problems:
        raise MappingError("\n".join(problems))
    if kind is not None:
        check(m, kind, name=name)
    return m


def _optional_text(doc: dict, key: str, name: str, problems: list[str]) -> str | None:
    value = doc.get(key)
    if value is None or isinstance(value, str):
        return value
    problems.append(f"{name}里 {key} 应是一段文字（用英文双引号括起来），实际为 {value!r}。")
    return None


def crs_name(value: str | None) -> str | None:
    """坐标系的写法（wgs84、GPS、高德、BD-09……）→ 规范的名称（WGS84、GCJ02……）；不认识时 None。"""
    if not value:
        return None
    key = halfwidth(value).strip().upper().replace(" ", "")
    return CRS_NAMES.get(key) or CRS_NAMES.get(value.strip()) or CRS_NAMES.get(key.replace("-", ""))


def _crs_known(value: str) -> bool:
    return crs_name(value) is not None


def allowed_value(column: str, value: str, allowed: tuple[str, ...]) -> bool:
    """value 是不是 column 允许的取值（坐标系另认 GPS、高德、百度等写法）。"""
    return value in allowed or (column == "坐标系" and _crs_known(value))


def problems(m: Mapping, kind: str, *, name: str = "映射文件") -> list[str]:
    """按模板核对一个映射，返回每一处问题（中文，写明哪一列、哪个值）；没有问题时为空列表。"""
    if kind not in KINDS:
        return [f"不认识的导入种类“{kind}”，应为：{'、'.join(KINDS)}。"]
    label = KINDS[kind].label
    if m.kind and m.kind != kind:
        given = KINDS[m.kind].label if m.kind in KINDS else m.kind
        return [f"{name}是为“{given}”写的，不能用于导入“{label}”。"]
    known = KINDS[kind].names
    found: list[str] = []
    unknown = [
        f"“{c}”（{where}）"
        for where, cols in (("[columns]", m.columns), ("[defaults]", m.defaults), ("[values.列名]", m.values))
        for c in cols
        if c not in known
    ]
    if unknown:
        found.append(f"{name}中的列 {'、'.join(unknown)} 不是“{label}”模板的列；模板列为：{'、'.join(known)}。")
    for col, src in m.columns.items():
        if not src.strip():
            found.append(f"{name}的 [columns] 里模板列“{col}”的源列是空的：写上文件里的列名，或删掉这一行。")
        if col in m.defaults:
            found.append(
                f"{name}里模板列“{col}”既对应源列“{src}”（[columns]），又给了整列的值“{m.defaults[col]}”（[defaults]）："
                "只能二选一。"
            )
    choices = CHOICES.get(kind, {})
    for col, value in m.defaults.items():
        if not value.strip():
            found.append(f"{name}的 [defaults] 里“{col}”的值是空的：写上整列要用的值，或删掉这一行。")
        elif col in choices and not allowed_value(col, value, choices[col]):
            found.append(
                f"{name}的 [defaults] 里“{col}”的值“{value}”不在允许的取值内，应为：{'、'.join(choices[col])}。"
            )
    for col, vm in m.values.items():
        for source, target in vm.items():
            if not target.strip():
                hint = f"（应为：{'、'.join(choices[col])}）" if col in choices else ""
                found.append(f"{name}的 [values.{col}] 把“{source}”对照成了空值：请写明对照到哪个取值{hint}。")
            elif col in choices and not allowed_value(col, target, choices[col]):
                found.append(
                    f"{name}的 [values.{col}] 把“{source}”对照为“{target}”，不在允许的取值内，"
                    f"应为：{'、'.join(choices[col])}。"
                )
    if m.crs and not _crs_known(m.crs):
        found.append(f"{name}里 crs = “{m.crs}” 不是认识的坐标系，应为 wgs84、cgcs2000、gcj02 或 bd09。")
    return found


def check(m: Mapping, kind: str, *, name: str = "映射文件") -> None:
    """按模板核对映射；有问题时抛 MappingError（每处问题一行）。"""
    found = problems(m, kind, name=name)
    if found:
        raise MappingError("\n".join(found))


def missing_sources(m: Mapping, columns: Iterable[str]) -> dict[str, str]:
    """映射指向、文件里却没有的源列：模板列 → 源列（预设是为别的表头存的，或导出的格式变了）。"""
    have = {_header_key(c) for c in columns}
    return {col: src for col, src in m.columns.items() if _header_key(src) not in have}


def _header_key(name: str) -> str:
    return "".join(halfwidth(str(name)).split()).casefold()


def header_signature(columns: Iterable[str]) -> str:
    """一种导出的“表头样子”：规范化（全角转半角、去空白、不分大小写）之后的列名集合的 SHA-256。
    列的先后换了还是同一种导出；多一列、少一列、改了名就是另一种。预设按它记住，同样的表头再来时自动选上。"""
    names = sorted({_header_key(c) for c in columns if str(c).strip()})
    return hashlib.sha256("\n".join(names).encode("utf-8")).hexdigest()


def load(path: str | Path, kind: str | None = None) -> Mapping:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MappingError(f"映射文件不存在：{path}") from None
    except IsADirectoryError:
        raise MappingError(f"映射文件是一个目录：{path}") from None
    except UnicodeDecodeError:
        raise MappingError(f"映射文件应为 UTF-8 编码：{path}") from None
    return parse(text, kind, name=f"映射文件“{path.name}”")


def identity(kind: str) -> Mapping:
    """没有映射文件时：模板列名即源列名。"""
    return Mapping(columns={c: c for c in KINDS[kind].names}, kind=kind)
