"""设置：一张声明表（名称、环境变量、默认值、说明），README 中逐项说明，测试检查一一对应。"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

REPO_ROOT = Path(__file__).resolve().parent.parent


def _app_root() -> Path:
    """画框 dashboard.py、页面、查询、部署模板、离线素材所在的目录：检出的仓库里是仓库根目录，
    装好的轮子里是包内的 chuangwen/_app/（pyproject.toml 把这些目录映射进去）。"""
    if (REPO_ROOT / "dashboard.py").is_file() and (REPO_ROOT / "queries").is_dir():
        return REPO_ROOT
    return Path(__file__).resolve().parent / "_app"


def _data_dir(app_root: Path) -> Path:
    """默认的库与示例放在哪：检出的仓库里是 data/；装好的轮子里不往安装目录写，用 $XDG_DATA_HOME/chuangwen（默认 ~/.local/share/chuangwen）。"""
    if app_root == REPO_ROOT:
        return REPO_ROOT / "data"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "chuangwen"


APP_ROOT = _app_root()
DATA_DIR = _data_dir(APP_ROOT)
DEFAULT_DEMO_DB = DATA_DIR / "demo.duckdb"


class SettingError(ValueError):
    """设置值无效；消息为中文。"""


def _positive_int(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingError(f"应为正整数，实际为 {raw!r}") from None
    if value < 1:
        raise SettingError(f"应为正整数，实际为 {raw!r}")
    return value


def _port(raw: str) -> int:
    value = _positive_int(raw)
    if value > 65535:
        raise SettingError(f"端口应在 1 到 65535 之间，实际为 {raw!r}")
    return value


def _text(raw: str) -> str:
    return raw.strip()


# 红黑榜综合得分的权重：键为中文短名，值为非负数；前四项是比率的权重，“丢分”是每丢 1 分测评分扣多少综合分
LEAGUE_WEIGHT_KEYS = {"按期": "on_time", "逾期": "overdue", "反弹": "rebound", "退回": "reject", "丢分": "points"}


def _league_weights(raw: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for part in raw.replace("，", ",").split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in LEAGUE_WEIGHT_KEYS:
            raise SettingError(f"应写成“按期=40,逾期=30,反弹=15,退回=15,丢分=2”，无法识别 {part.strip()!r}")
        try:
            number = float(value)
        except ValueError:
            raise SettingError(f"{key} 的权重应为数字，实际为 {value.strip()!r}") from None
        if not number >= 0 or number == float("inf"):
            raise SettingError(f"{key} 的权重不能为负数，实际为 {value.strip()!r}")
        weights[LEAGUE_WEIGHT_KEYS[key]] = number
    missing = [k for k, v in LEAGUE_WEIGHT_KEYS.items() if v not in weights]
    if missing:
        raise SettingError(f"缺少权重：{'、'.join(missing)}")
    if weights["on_time"] + weights["overdue"] + weights["rebound"] + weights["reject"] <= 0:
        raise SettingError("按期、逾期、反弹、退回四项权重不能全为 0")
    return weights


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: Any
    help: str
    parse: Callable[[str], Any] = _text


SETTINGS: tuple[Setting, ...] = (
    Setting("db_path", "CHUANGWEN_DB", str(DEFAULT_DEMO_DB),
            "数据库文件路径。默认是示例库：检出的仓库里是 data/demo.duckdb，装好的轮子是 ~/.local/share/chuangwen/demo.duckdb；"
            "不存在时首次启动自动生成，指向其他路径时不会自动生成。"),
    Setting("server_address", "CHUANGWEN_ADDRESS", "127.0.0.1",
            "chuangwen serve 监听的地址。默认只听本机：对外由内网反向代理在登录认证后转发；确需直接对外时才改成本机的内网地址。"),
    Setting("server_port", "CHUANGWEN_PORT", 8501, "chuangwen serve 监听的端口（1–65535）。", _port),
    Setting("keep_snapshots", "CHUANGWEN_KEEP_SNAPSHOTS", 10,
            "保留最近几个发布的快照（含当前）。更早的自动删除；正被读者打开的旧快照删除后仍读到关闭为止。", _positive_int),
    Setting("write_wait_seconds", "CHUANGWEN_WRITE_WAIT", 120,
            "写入（导入、回滚、恢复）遇到另一个写入正在进行时最多等待的秒数；超过则报错、不写入，并写明谁在写、从何时起。",
            _positive_int),
    Setting("target_rank", "CHUANGWEN_TARGET_RANK", None,
            "目标名次（如 10 表示“进入全省前10名”）。不设置时使用库内 meta.target_rank。", _positive_int),
    Setting("our_region_code", "CHUANGWEN_OUR_CODE", None,
            "本县在排名组中的地区代码。不设置时使用库内 meta.our_region_code。"),
    Setting("tiles_url", "CHUANGWEN_TILES_URL", "",
            "内网瓦片服务地址（如 http://10.0.0.8/tiles/{z}/{x}/{y}.png）。为空时地图不加底图，只画镇街边界。"),
    Setting("tiles_attr", "CHUANGWEN_TILES_ATTR", "",
            "瓦片署名文字；设置了瓦片地址时必须填写。"),
    Setting("cache_ttl_seconds", "CHUANGWEN_CACHE_TTL", 600,
            "查询结果在内存里闲置多少秒后丢掉。结果按数据版本记住，发布新版本后页面自动读新结果，与此值无关。", _positive_int),
    Setting("league_weights", "CHUANGWEN_LEAGUE_WEIGHTS",
            {"on_time": 40.0, "overdue": 30.0, "rebound": 15.0, "reject": 15.0, "points": 2.0},
            "红黑榜综合得分的权重，写成“按期=40,逾期=30,反弹=15,退回=15,丢分=2”（默认即此值）："
            "前四项是按期销号率、1−逾期率、1−反弹率、1−退回率的权重，“丢分”是每丢 1 分测评分扣减的综合得分。",
            _league_weights),
    Setting("min_sample", "CHUANGWEN_MIN_SAMPLE", 5,
            "红黑榜最少样本数：区间内经手问题少于此数的单位或镇街显示“样本不足”，不按比率排名。", _positive_int),
    Setting("rebound_days", "CHUANGWEN_REBOUND_DAYS", 30,
            "问题热点页“反弹”的天数 N：同一点位、同一类别的问题在上一条销号后 N 天内再次发现（或本条销号后 N 天内被反弹重开），记为反弹。", _positive_int),
    # 导入文件的上限：上传的文件不可信，先检查再在限了内存与时间的子进程里解析（chuangwen/imports/readers.py）
    Setting("import_max_rows", "CHUANGWEN_IMPORT_MAX_ROWS", 1_000_000,
            "导入文件（Excel 工作表或 CSV）最多的行数（含表头），超过时拒绝并提示拆分。", _positive_int),
    Setting("import_max_columns", "CHUANGWEN_IMPORT_MAX_COLUMNS", 200,
            "导入文件最多的列数，超过时拒绝。", _positive_int),
    Setting("import_max_cell_chars", "CHUANGWEN_IMPORT_MAX_CELL_CHARS", 32_767,
            "一个单元格最多的字数（默认与 Excel 的上限相同），超过时拒绝并指出哪一行哪一列。", _positive_int),
    Setting("import_max_cells", "CHUANGWEN_IMPORT_MAX_CELLS", 20_000_000,
            "工作表数据区域（从 A1 到最远的单元格，行数 × 列数）最多的单元格数：读表时按这块区域分配内存，"
            "远处一个孤立的单元格就能让一个小文件要几百 GB。", _positive_int),
    Setting("import_max_unzipped_mb", "CHUANGWEN_IMPORT_MAX_UNZIPPED_MB", 2048,
            ".xlsx 解压后的总大小上限（MB）。", _positive_int),
    Setting("import_child_memory_mb", "CHUANGWEN_IMPORT_CHILD_MEMORY_MB", 4096,
            "解析导入文件的子进程的内存上限（MB，RLIMIT_DATA）。", _positive_int),
    Setting("import_child_seconds", "CHUANGWEN_IMPORT_CHILD_SECONDS", 300,
            "解析一个导入文件最多的秒数，超时停止解析并报错。", _positive_int),
)


def get(name: str) -> Any:
    """读取一个设置：环境变量优先，否则默认值。"""
    for s in SETTINGS:
        if s.name == name:
            raw = os.environ.get(s.env)
            if raw is None or raw.strip() == "":
                return s.default
            try:
                return s.parse(raw)
            except SettingError as exc:
                raise SettingError(f"环境变量 {s.env} 无效：{exc}") from None
    raise KeyError(name)
