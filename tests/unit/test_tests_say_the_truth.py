"""测试说真话：每个测试函数都有能失败的断言；不许 `assert True`、常量、自己和自己比；pytest.raises 要核对消息。

按 AST 检查 tests/ 下全部测试文件（不导入它们）。“能失败的断言”是：一条 assert、带 match 的 pytest.raises（或
`as 名字` 之后断言了它）、pandas/numpy 的 assert_* 比较、Playwright 的 wait_for 等待，或调用同一文件里含这些的辅助函数。
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
FILES = sorted(p for p in TESTS.rglob("test_*.py"))
CHECKING_CALLS = {
    "assert_frame_equal",
    "assert_series_equal",
    "assert_array_equal",
    "assert_allclose",
    "wait_for",
    "fail",
}


def _name(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def _is_raises(node) -> bool:
    return isinstance(node, ast.Call) and _name(node) == "raises"


def _tautology(test: ast.expr) -> bool:
    if isinstance(test, ast.Constant):
        return True
    if isinstance(test, ast.Compare) and len(test.comparators) == 1 and isinstance(test.ops[0], (ast.Eq, ast.Is)):
        return ast.dump(test.left) == ast.dump(test.comparators[0])
    return False


def _checks(fn: ast.AST, helpers: set[str]) -> bool:
    for node in ast.walk(fn):
        if isinstance(node, ast.Assert) and not _tautology(node.test):
            return True
        if isinstance(node, ast.Call):
            name = _name(node)
            if name in CHECKING_CALLS or name in helpers:
                return True
            if name == "raises" and any(k.arg == "match" for k in node.keywords):
                return True
    return False


def problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    helpers: set[str] = set()
    for _ in range(3):  # 辅助函数调用辅助函数
        helpers |= {f.name for f in functions if not f.name.startswith("test_") and _checks(f, helpers)}
    out = []
    for fn in functions:
        where = f"{path.relative_to(TESTS)}::{fn.name}"
        for node in ast.walk(fn):
            if isinstance(node, ast.Assert) and _tautology(node.test):
                out.append(f"{where}：第 {node.lineno} 行的断言永远成立")
            if isinstance(node, ast.With):
                for item in node.items:
                    call = item.context_expr
                    if _is_raises(call) and not any(k.arg == "match" for k in call.keywords):
                        alias = item.optional_vars.id if isinstance(item.optional_vars, ast.Name) else None
                        # `as 名字` 之后用到了它（断言它的消息，或交给调用者去断言）
                        used = alias and sum(isinstance(n, ast.Name) and n.id == alias for n in ast.walk(fn)) > 1
                        if not used:
                            out.append(f"{where}：第 {call.lineno} 行的 pytest.raises 没有核对消息（加 match=）")
        if fn.name.startswith("test_") and not _checks(fn, helpers):
            out.append(f"{where}：没有能失败的断言")
    return out


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(TESTS)))
def test_every_test_checks_something_that_can_fail(path):
    assert problems(path) == []


def test_the_checker_catches_what_it_should(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "import pytest\n"
        "def test_nothing():\n    x = 1\n"
        "def test_true():\n    assert True\n"
        "def test_self(a):\n    assert a == a\n"
        "def test_raises_any():\n    with pytest.raises(ValueError):\n        int('x')\n"
        "def test_good():\n    with pytest.raises(ValueError, match='invalid'):\n        int('x')\n"
        "def _helper(v):\n    assert v == 2\n"
        "def test_via_helper():\n    _helper(2)\n",
        encoding="utf-8",
    )
    global TESTS
    saved, TESTS = TESTS, tmp_path
    try:
        found = problems(sample)
    finally:
        TESTS = saved
    assert found == [
        "test_sample.py::test_nothing：没有能失败的断言",
        "test_sample.py::test_true：第 5 行的断言永远成立",
        "test_sample.py::test_true：没有能失败的断言",
        "test_sample.py::test_self：第 7 行的断言永远成立",
        "test_sample.py::test_self：没有能失败的断言",
        "test_sample.py::test_raises_any：第 9 行的 pytest.raises 没有核对消息（加 match=）",
        "test_sample.py::test_raises_any：没有能失败的断言",
    ]
