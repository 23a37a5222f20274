"""结构约束：核心包 chuangwen（chuangwen.ui 除外）不依赖 streamlit。"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "chuangwen"


def core_modules() -> list[str]:
    """chuangwen 下除 chuangwen.ui 以外的全部模块（按文件找，不导入）。"""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts[:2] != ("chuangwen", "ui"):
            names.append(".".join(parts))
    return names


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)


def test_import_linter_contracts_are_kept():
    # 与命令行 `lint-imports` 相同，规则来自 pyproject.toml；--no-cache 不在仓库里留下缓存目录
    result = run_python(
        "import sys; from importlinter.cli import lint_imports_command; "
        "sys.argv = ['lint-imports', '--no-cache']; lint_imports_command()"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pyproject_declares_the_streamlit_contract():
    contracts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"][
        "contracts"
    ]
    forbidden = [c for c in contracts if c["type"] == "forbidden"]
    layers = [c for c in contracts if c["type"] == "layers"]
    assert [(c["source_modules"], c["forbidden_modules"]) for c in forbidden] == [(["chuangwen.*"], ["streamlit"])]
    assert [(c["containers"], c["exhaustive"], c["layers"][0], c["layers"][-1].split(" : ")[:3]) for c in layers] == [
        (["chuangwen"], True, "ui", ["settings", "formats", "escape"])
    ]


def test_db_queries_settings_import_without_streamlit():
    result = run_python(
        "import sys; sys.modules['streamlit'] = None\n"
        "import chuangwen.db, chuangwen.queries, chuangwen.settings\n"
        "print('ok')"
    )
    assert (result.returncode, result.stdout.strip()) == (0, "ok"), result.stderr


IMPORT_EACH = """
import importlib, json, sys, traceback
sys.modules["streamlit"] = None
errors = {}
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
        errors[name] = None
    except BaseException:
        errors[name] = traceback.format_exc(limit=4)
print(json.dumps(errors))
"""


@pytest.fixture(scope="module")
def import_errors_without_streamlit() -> dict:
    # 一个子进程依次导入全部核心模块（每个模块一个子进程太慢）
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EACH, *core_modules()], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", core_modules())
def test_core_module_imports_without_streamlit(import_errors_without_streamlit, module):
    # 动态导入（函数内 import）import-linter 看不到，这里真的导入一次
    assert import_errors_without_streamlit[module] is None, import_errors_without_streamlit[module]


# ---------------------------------------------------------------- 没有循环导入（连函数里的导入也算）


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """chuangwen 内模块之间的导入（模块级与函数内的都算）：模块 → 它导入的 chuangwen 模块。"""
    import ast

    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(
                        package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                    )
                # from 包 import 子模块 → 依赖子模块；from 模块 import 名字 → 依赖模块
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """强连通分量里多于一个模块的（Tarjan）。"""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles_counting_function_level_imports():
    graph = import_graph()
    # 图确实读到了导入：函数里的（cli 的 serve 里导入 demo）与“from 包 import 子模块”的（validate 导入 assessment）
    assert {"chuangwen.demo", "chuangwen.server"} <= graph["chuangwen.cli"]
    assert "chuangwen.imports.assessment" in graph["chuangwen.imports.validate"]
    assert cycles(graph) == []


def test_the_vocabulary_imports_nothing_from_chuangwen():
    # 固定词（角色、状态、轮次类型、周期）谁都可以用，所以它在分层的最底下
    assert import_graph()["chuangwen.vocabulary"] == set()


def test_no_module_under_chuangwen_is_over_700_lines():
    long = {
        str(p.relative_to(REPO)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 700
    }
    assert long == {}


# ---------------------------------------------------------------- 页面很薄：不算数、不循环查询

PAGES = REPO / "app_pages"
ARITHMETIC = (ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.BitAnd, ast.BitOr, ast.MatMult)
QUERY_CALLS = {"data.query", "queries.run"}


def _is_text(node: ast.AST) -> bool:
    if isinstance(node, ast.IfExp):
        return _is_text(node.body) and _is_text(node.orelse)
    return (
        (isinstance(node, ast.Constant) and isinstance(node.value, str))
        or isinstance(node, ast.JoinedStr)
        or (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Add)
            and (_is_text(node.left) or _is_text(node.right))
        )
    )


def page_findings(source: str) -> list[str]:
    """页面里的算术（文字拼接除外）和循环里的查询：这些属于 chuangwen/ 的纯函数或 queries/ 的 SQL。"""
    found = []
    tree = ast.parse(source)
    # 类型注解里的 X | None 不是算术
    annotations = {
        id(n)
        for a in ast.walk(tree)
        for ann in (
            [a.annotation]
            if isinstance(a, (ast.arg, ast.AnnAssign))
            else [a.returns]
            if isinstance(a, ast.FunctionDef)
            else []
        )
        if ann is not None
        for n in ast.walk(ann)
    }
    for node in ast.walk(tree):
        if id(node) in annotations:
            continue
        if isinstance(node, ast.BinOp) and (
            isinstance(node.op, ARITHMETIC) or (isinstance(node.op, ast.Add) and not _is_text(node))
        ):
            found.append((node.lineno, f"第 {node.lineno} 行算术：{ast.unparse(node)}"))
        if isinstance(node, (ast.For, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            for call in ast.walk(node):
                if isinstance(call, ast.Call) and ast.unparse(call.func) in QUERY_CALLS:
                    found.append((call.lineno, f"第 {call.lineno} 行循环里查询：{ast.unparse(call)[:60]}"))
    return [text for _, text in sorted(set(found))]


def test_the_page_checker_finds_arithmetic_and_query_loops():
    bad = (
        "x = rows['a'] - rows['b']\nn = len(a) + len(b)\n"
        "for at in weeks:\n    data.query('league_units', at)\nlabel = '按' + name\n"
    )
    assert page_findings(bad) == [
        "第 1 行算术：rows['a'] - rows['b']",
        "第 2 行算术：len(a) + len(b)",
        "第 4 行循环里查询：data.query('league_units', at)",
    ]


@pytest.mark.parametrize("page", sorted(p.name for p in PAGES.glob("*.py")))
def test_pages_do_no_arithmetic_and_no_query_loops(page):
    assert page_findings((PAGES / page).read_text(encoding="utf-8")) == []


# ---------------------------------------------------------------- 每个下载都留审计：页面不直接调 st.download_button


def direct_downloads(source: str) -> list[int]:
    """直接调 st.download_button（绕过 export.download 的审计）的行号。"""
    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("download_button")
    )


def test_the_download_checker_finds_a_direct_download_button():
    assert direct_downloads(
        "st.download_button('x', b'')\ncol.download_button('y', b'')\nexport.download('z', f)\n"
    ) == [1, 2]


@pytest.mark.parametrize("source", sorted([*(p.name for p in PAGES.glob("*.py")), "dashboard.py"]))
def test_pages_download_only_through_the_audited_helper(source):
    path = PAGES / source if (PAGES / source).exists() else REPO / source
    assert direct_downloads(path.read_text(encoding="utf-8")) == []


# ---------------------------------------------------------------- 网页上的图不带英文的 plotly 工具条


def charts_without_config(source: str) -> list[int]:
    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and ast.unparse(node.func).endswith("plotly_chart")
        and not any(k.arg == "config" and ast.unparse(k.value) == "charts.PLOTLY_CONFIG" for k in node.keywords)
    )


def test_the_chart_checker_finds_a_chart_without_the_shared_config():
    assert charts_without_config(
        "st.plotly_chart(f, key='a')\nst.plotly_chart(f, key='b', config=charts.PLOTLY_CONFIG)\n"
    ) == [1]


@pytest.mark.parametrize("page", sorted(p.name for p in PAGES.glob("*.py")))
def test_every_chart_hides_the_english_plotly_toolbar(page):
    assert charts_without_config((PAGES / page).read_text(encoding="utf-8")) == []
