"""chuangwen/ 的每个公开函数都写了参数与返回值的类型（mypy 只查半截的定义，整个没写的它不报）。"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "chuangwen"

Function = ast.FunctionDef | ast.AsyncFunctionDef


def _missing(func: Function, *, method: bool) -> list[str]:
    """func 缺类型的参数名，缺返回值类型时加上 "return"；方法的 self/cls 不算。"""
    args = func.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    if args.vararg:
        params.append(args.vararg)
    if args.kwarg:
        params.append(args.kwarg)
    missing = [p.arg for p in params if p.annotation is None and not (method and p.arg in ("self", "cls"))]
    if func.returns is None:
        missing.append("return")
    return missing


def unannotated_public_functions(source: str, module: str) -> list[str]:
    """模块里缺类型的公开函数：模块顶层的函数与公开类的公开方法，名字不以 _ 开头。"""
    found = []
    for node in ast.parse(source).body:
        if isinstance(node, Function) and not node.name.startswith("_"):
            if missing := _missing(node, method=False):
                found.append(f"{module}.{node.name}: {', '.join(missing)}")
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for item in node.body:
                if isinstance(item, Function) and not item.name.startswith("_"):
                    if missing := _missing(item, method=True):
                        found.append(f"{module}.{node.name}.{item.name}: {', '.join(missing)}")
    return found


def test_every_public_function_in_chuangwen_is_annotated():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(REPO).with_suffix("").parts)
        found += unannotated_public_functions(path.read_text(encoding="utf-8"), module)
    assert found == []


def test_the_check_finds_a_missing_parameter_or_return_annotation():
    source = """
def whole(a: int) -> int: ...
def no_return(a: int): ...
def bare_param(a, *args: int, b: str = "", **kw) -> None: ...
def _private(a): ...
class Office:
    def method(self, when) -> None: ...
    @classmethod
    def make(cls) -> "Office": ...
    def _helper(self, x): ...
class _Hidden:
    def method(self, x): ...
"""
    assert unannotated_public_functions(source, "m") == [
        "m.no_return: return",
        "m.bare_param: a, kw",
        "m.Office.method: when",
    ]
