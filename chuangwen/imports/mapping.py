"""列映射：把另一种形状的文件对应到模板列（TOML）。

kind = "problems"                 # 可选，写了就与命令行的种类核对
date_format = "%m/%d/%Y %I:%M %p" # 可选，源文件的日期格式（strftime 写法）；其余常见写法仍会自动识别
crs = "wgs84"                     # 可选，坐标系
[columns]                         # 模板列 = "源列"
问题编号 = "case_id"
[values.整改状态]                 # 可选：源文件的取值 → 模板取值（状态/类别/单位/来源/严重程度/动作…）
"Closed" = "已销号"
[defaults]                        # 可选：源文件没有的列，整列取同一个值
来源 = "12345热线"
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from chuangwen.imports.kinds import KINDS


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
        def q(s: str) -> str:
            return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'

        lines = []
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
            lines.append(f"\n[values.{q(col)}]")
            lines += [f"{q(k)} = {q(v)}" for k, v in vm.items()]
        return "\n".join(lines) + "\n"


_BARE_KEY = re.compile(r"""^(\s*)([^\s"'=\[#][^=\n]*?)(\s*=)""", re.M)
_TABLE = re.compile(r"""^(\s*\[\s*values\s*\.\s*)([^\]"']+?)(\s*\])""", re.M)


def _quote_unicode_keys(text: str) -> str:
    """TOML 1.0 的裸键只能是 ASCII；为了让 `问题编号 = "case_id"` 这样的写法可用，给非 ASCII 的裸键加上引号。"""

    def key(m):
        k = m.group(2)
        return m.group(0) if k.isascii() else f'{m.group(1)}"{k.strip()}"{m.group(3)}'

    def table(m):
        k = m.group(2)
        return m.group(0) if k.isascii() else f'{m.group(1)}"{k.strip()}"{m.group(3)}'

    return _TABLE.sub(table, _BARE_KEY.sub(key, text))


def parse(text: str, kind: str | None = None, *, name: str = "映射文件") -> Mapping:
    try:
        doc = tomllib.loads(_quote_unicode_keys(text))
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{name} 不是有效的 TOML：{exc}") from None
    m = Mapping(
        columns={str(k): str(v) for k, v in (doc.get("columns") or {}).items()},
        values={str(c): {str(k): str(v) for k, v in (vm or {}).items()} for c, vm in (doc.get("values") or {}).items()},
        defaults={str(k): str(v) for k, v in (doc.get("defaults") or {}).items()},
        date_format=doc.get("date_format"),
        crs=doc.get("crs"),
        kind=doc.get("kind"),
    )
    if not isinstance(doc.get("columns", {}), dict) or not isinstance(doc.get("values", {}), dict):
        raise MappingError(f"{name}：[columns] 与 [values.列名] 必须是表。")
    if kind is not None:
        if m.kind and m.kind != kind:
            raise MappingError(f"{name} 是为“{m.kind}”写的，不能用于导入“{kind}”。")
        known = set(KINDS[kind].names)
        unknown = [c for c in [*m.columns, *m.defaults] if c not in known]
        if unknown:
            raise MappingError(
                f"{name} 中的列 {'、'.join(unknown)} 不是“{KINDS[kind].label}”模板的列；模板列为：{'、'.join(KINDS[kind].names)}。"
            )
    return m


def load(path: str | Path, kind: str | None = None) -> Mapping:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MappingError(f"映射文件不存在：{path}") from None
    except UnicodeDecodeError:
        raise MappingError(f"映射文件应为 UTF-8 编码：{path}") from None
    return parse(text, kind, name=f"映射文件 {path.name}")


def identity(kind: str) -> Mapping:
    """没有映射文件时：模板列名即源列名。"""
    return Mapping(columns={c: c for c in KINDS[kind].names}, kind=kind)
