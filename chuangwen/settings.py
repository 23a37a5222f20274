"""设置：一张声明表（名称、环境变量、默认值、说明），README 中逐项说明，测试检查一一对应。"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    shown: str | None = None  # README 表里默认值的写法；不给时由默认值生成

    def readme_row(self) -> str:
        shown = self.shown or ("（空）" if self.default in ("", None) else f"`{self.default}`")
        return f"| `{self.env}` | {shown} | {self.help} |"


def _non_negative_float(raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise SettingError(f"应为不小于 0 的数，实际为 {raw!r}") from None
    if not (value >= 0 and value < float("inf")):
        raise SettingError(f"应为不小于 0 的数，实际为 {raw!r}")
    return value


def _fraction(raw: str) -> float:
    value = _non_negative_float(raw)
    if value > 1:
        raise SettingError(f"应为 0 到 1 之间的比例（如 0.2 表示 20%），实际为 {raw!r}")
    return value


def _existing_file(raw: str) -> str:
    path = Path(raw.strip()).expanduser()
    if not path.is_file():
        raise SettingError(f"文件不存在：{raw.strip()}")
    return str(path.resolve())


def _header_name(raw: str) -> str:
    name = raw.strip()
    if not re.fullmatch(r"[A-Za-z0-9-]{1,64}", name):
        raise SettingError(f"请求头名称只能由字母、数字与连字符组成（如 X-Remote-User），实际为 {raw!r}")
    return name


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "db_path",
        "CHUANGWEN_DB",
        str(DEFAULT_DEMO_DB),
        "数据库文件路径。默认是示例库：检出的仓库里是 data/demo.duckdb，装好的轮子是 ~/.local/share/chuangwen/demo.duckdb；"
        "不存在时首次启动自动生成，指向其他路径时不会自动生成。",
        shown="`data/demo.duckdb`（仓库内）",
    ),
    Setting(
        "server_address",
        "CHUANGWEN_ADDRESS",
        "127.0.0.1",
        "chuangwen serve 监听的地址。默认只听本机：对外由内网反向代理在登录认证后转发；确需直接对外时才改成本机的内网地址。",
    ),
    Setting("server_port", "CHUANGWEN_PORT", 8501, "chuangwen serve 监听的端口（1–65535）。", _port),
    Setting(
        "keep_snapshots",
        "CHUANGWEN_KEEP_SNAPSHOTS",
        10,
        "保留最近几个发布的快照（含当前）。更早的自动删除；正被读者打开的旧快照删除后仍读到关闭为止。",
        _positive_int,
    ),
    Setting(
        "write_wait_seconds",
        "CHUANGWEN_WRITE_WAIT",
        120,
        "写入（导入、回滚、恢复）遇到另一个写入正在进行时最多等待的秒数；超过则报错、不写入，并写明谁在写、从何时起。",
        _positive_int,
    ),
    Setting(
        "target_rank",
        "CHUANGWEN_TARGET_RANK",
        None,
        "目标名次（如 10 表示“进入全省前10名”）。库的设置（看板里选定，或 chuangwen settings set target_rank）优先于它；都没有时使用库内 meta.target_rank，再没有就是“未设定目标”（各页一致）。",
        _positive_int,
    ),
    Setting(
        "our_region_code",
        "CHUANGWEN_OUR_CODE",
        None,
        "本县在排名组中的地区代码。库的设置（看板里选定，或 chuangwen settings set our_code）优先于它；都没有时使用库内 meta.our_region_code。",
    ),
    Setting(
        "tiles_url",
        "CHUANGWEN_TILES_URL",
        "",
        "内网瓦片服务地址（如 http://10.0.0.8/tiles/{z}/{x}/{y}.png）。为空时地图不加底图，只画镇街边界。",
    ),
    Setting("tiles_attr", "CHUANGWEN_TILES_ATTR", "", "瓦片署名文字；设置了瓦片地址时必须填写。"),
    Setting(
        "reader_memory_mb",
        "CHUANGWEN_READER_MEMORY_MB",
        2048,
        "看板读库的 DuckDB 内存上限（MB，一个服务进程内所有会话共用）。超出时大的排序、分组暂存到快照旁的临时目录，"
        "页面变慢但不会把服务器内存吃光（实测见 benchmarks/bench_pages.py）。",
        _positive_int,
    ),
    Setting(
        "cache_ttl_seconds",
        "CHUANGWEN_CACHE_TTL",
        600,
        "查询结果在内存里闲置多少秒后丢掉。结果按数据版本记住，发布新版本后页面自动读新结果，与此值无关。",
        _positive_int,
    ),
    Setting(
        "league_weights",
        "CHUANGWEN_LEAGUE_WEIGHTS",
        {"on_time": 40.0, "overdue": 30.0, "rebound": 15.0, "reject": 15.0, "points": 2.0},
        "红黑榜综合得分的权重：综合得分 = 100 × (按期×按期销号率 + 逾期×(1−逾期率) + 反弹×(1−反弹率) + 退回×(1−退回率)) ÷ (有分母的权重之和) − 丢分 × 测评丢分。"
        "五项都要写，不能为负，前四项不能全为 0。",
        _league_weights,
        shown="`按期=40,逾期=30,反弹=15,退回=15,丢分=2`",
    ),
    Setting(
        "min_sample",
        "CHUANGWEN_MIN_SAMPLE",
        5,
        "红黑榜最少样本数：统计区间内经手的问题（区间内交办、区间内销号或仍在办）少于此数的单位或镇街显示“样本不足”，不按比率排名。",
        _positive_int,
    ),
    Setting(
        "league_prior",
        "CHUANGWEN_LEAGUE_PRIOR",
        10.0,
        "小样本收缩强度（红黑榜）k：综合得分里的各项比率按 (分子 + k × 全县比率) ÷ (分母 + k) 计算，相当于每个单位先按全县平均补 k 条。"
        "越大越“稳”（小样本更靠近全县平均），0 = 不收缩。页面与表格显示的仍是原始比率。",
        _non_negative_float,
    ),
    Setting(
        "red_max_overdue_rate",
        "CHUANGWEN_RED_MAX_OVERDUE_RATE",
        0.2,
        "上红榜逾期率上限：上红榜的资格之一，截至统计时刻的逾期率（存量）不超过这个比例（0–1）。另一条资格是没有逾期 30 天以上的问题。",
        _fraction,
    ),
    Setting(
        "brief_template",
        "CHUANGWEN_BRIEF_TEMPLATE",
        None,
        "周通报文稿（Word）的模板文件：办公室复制内置的 chuangwen/briefing/tongbao.txt、改好文字后指向自己的那份；"
        "不设置时用内置模板。模板写错（不认识的数字名、花括号不配对）时不生成文稿，提示写明第几行。",
    ),
    Setting(
        "notice_template",
        "CHUANGWEN_NOTICE_TEMPLATE",
        None,
        "各责任单位整改督办单（Word）的模板文件：办公室复制内置的 chuangwen/briefing/duban.txt、改好文字后指向自己的那份；"
        "不设置时用内置模板。写法与通报模板相同，写错时一份也不生成，提示写明第几行。",
    ),
    Setting(
        "rebound_days",
        "CHUANGWEN_REBOUND_DAYS",
        30,
        "反弹认定天数 N（问题热点页的“反弹”）：同一点位、同一类别的问题在上一条销号后 N 天内再次发现（或本条销号后 N 天内被反弹重开）"
        "，记为反弹。",
        _positive_int,
    ),
    # 导入文件的上限：上传的文件不可信，先检查再在限了内存与时间的子进程里解析（chuangwen/imports/readers.py）
    Setting(
        "import_max_rows",
        "CHUANGWEN_IMPORT_MAX_ROWS",
        1000000,
        "导入文件（Excel 工作表或 CSV）最多的行数，含表头。超过时拒绝并提示按年份或镇街拆分。",
        _positive_int,
    ),
    Setting(
        "import_max_columns", "CHUANGWEN_IMPORT_MAX_COLUMNS", 200, "导入文件最多的列数，超过时拒绝。", _positive_int
    ),
    Setting(
        "import_max_cell_chars",
        "CHUANGWEN_IMPORT_MAX_CELL_CHARS",
        32767,
        "一个单元格最多的字数（与 Excel 的上限相同）。超过时拒绝，并指出是哪个工作表的哪一行哪一列。",
        _positive_int,
    ),
    Setting(
        "import_max_cells",
        "CHUANGWEN_IMPORT_MAX_CELLS",
        20000000,
        "工作表数据区域（从 A1 到最远的单元格，行数 × 列数）最多的单元格数。读表时按这块区域一次分配内存：远处一个孤立的单元格（例如 XFD1048576）"
        "就能让 2 KB 的文件要几百 GB，所以读之前先检查。默认值就是 100 万行 × 20 列的台账，写满时解析实测要 3.1–3.3 GB 内存，"
        "与下面的内存上限相配。",
        _positive_int,
    ),
    Setting(
        "import_max_unzipped_mb",
        "CHUANGWEN_IMPORT_MAX_UNZIPPED_MB",
        2048,
        ".xlsx 解压后的总大小上限（MB）。100 MB 的正常工作簿解压后约 1 GB；另外，压缩比超过 100:1 的大部件、"
        "声明大小与实际不符的部件一律拒绝。",
        _positive_int,
    ),
    Setting(
        "import_child_memory_mb",
        "CHUANGWEN_IMPORT_CHILD_MEMORY_MB",
        4096,
        "解析导入文件的子进程的内存上限（MB，按 RLIMIT_DATA 计）。解析在单独的子进程里进行，超过上限时只有这次导入失败并显示中文原因，"
        "看板与其他用户不受影响。",
        _positive_int,
    ),
    Setting(
        "import_child_seconds",
        "CHUANGWEN_IMPORT_CHILD_SECONDS",
        300,
        "解析一个导入文件最多的秒数，超时停止解析并报错。",
        _positive_int,
    ),
    # 登录（chuangwen.accounts）：账号与会话在库旁的状态库里，口令只存 argon2id 散列
    Setting(
        "login_free_attempts",
        "CHUANGWEN_LOGIN_FREE_ATTEMPTS",
        3,
        "登录限速：同一登录名从同一地址连续输错这么多次之后，每再错一次要等的时间翻倍（2、4、8……秒，最长见下一项）；"
        "同一地址不论登录名连续错到这个数的 4 倍也一样。不锁账号：别处来的人照常登录，外人没法把管理员关在门外。等待与限速都记审计。",
        _positive_int,
    ),
    Setting("login_max_delay_seconds", "CHUANGWEN_LOGIN_MAX_DELAY", 300, "登录限速时最长要等多少秒。", _positive_int),
    Setting(
        "session_idle_minutes",
        "CHUANGWEN_SESSION_IDLE_MINUTES",
        30,
        "登录后闲置多少分钟自动退出（每次打开页面、操作都从头算）。退出、改口令、改角色、停用账号都立即结束会话。"
        "默认 30 分钟（等保二级常用的要求）。",
        _positive_int,
    ),
    Setting("password_min_length", "CHUANGWEN_PASSWORD_MIN_LENGTH", 8, "口令最少几个字符。", _positive_int),
    Setting(
        "password_min_kinds",
        "CHUANGWEN_PASSWORD_MIN_KINDS",
        3,
        "口令至少含几类字符（大写字母、小写字母、数字、其他字符如符号与汉字，共四类）。默认 3 类。",
        _positive_int,
    ),
    Setting(
        "trust_user_header",
        "CHUANGWEN_TRUST_USER_HEADER",
        "",
        "内网统一认证（SSO）：反向代理认证后在这个请求头里写登录名（如 X-Remote-User），看板就按这个名字的账号登录，不再要口令。"
        "默认为空（不信任任何请求头）。只认经本产品自己的代理（chuangwen serve --proxy 或 --workers N 启动的 nginx）来的请求："
        "代理每次启动生成一个暗号加在请求上，直接连看板进程端口的请求即使带了这个请求头也不认。见“部署”一节。",
        _header_name,
    ),
    Setting(
        "tls_cert",
        "CHUANGWEN_TLS_CERT",
        "",
        "多进程模式（chuangwen serve --workers N 或 --proxy）的 nginx 用 HTTPS：本单位证书文件（PEM，含中间证书）的路径。"
        "与 CHUANGWEN_TLS_KEY 一起给；为空时用 HTTP。",
        _existing_file,
    ),
    Setting(
        "tls_key",
        "CHUANGWEN_TLS_KEY",
        "",
        "HTTPS 证书的私钥文件（PEM）路径；nginx 以启动看板的用户读取，文件应只有该用户可读。",
        _existing_file,
    ),
    Setting(
        "browser_path",
        "BROWSER_PATH",
        "",
        "PNG 与幻灯片里的图由 kaleido 驱动本机的 Chrome/Chromium 画出：这里写它的可执行文件路径。为空时在 PATH 上找 "
        "chromium、chromium-browser、google-chrome、google-chrome-stable、chrome。变量名沿用 kaleido 自己认的 BROWSER_PATH。",
    ),
    Setting(
        "png_timeout_seconds",
        "CHUANGWEN_PNG_TIMEOUT",
        60,
        "导出一张图片（“导出图片”按钮、通报里的图）最多等多少秒：超过时这次导出报错（中文说明），画图用的浏览器整个重启，"
        "下一次导出重新开始；同时导出的人排队等前一张也按这个时限。浏览器中途退出时不必等到时限：下一次导出自动重新启动它"
        "（冷启动约 4 秒，另计，最多 60 秒）。",
        _positive_int,
    ),
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


def our_county(chosen: Mapping[str, str] | None, meta: Mapping[str, str]) -> str:
    """本县的地区代码，唯一的规则（看板、导入、chuangwen info、通报都经这里）：库的设置（看板里或 chuangwen settings set
    选的，存于状态库）优先，其次环境变量 CHUANGWEN_OUR_CODE，再次库内 meta 的 our_region_code；都没有时为空串。"""
    return (chosen or {}).get("our_region_code") or get("our_region_code") or meta.get("our_region_code", "")


def current() -> list[dict[str, str]]:
    """每项设置此刻的取值（管理员页面看）：环境变量、当前值（无效时写明原因）、默认值、说明。"""
    rows = []
    for s in SETTINGS:
        try:
            value = get(s.name)
            shown = "（空）" if value in ("", None) else str(value)
        except SettingError as exc:
            shown = f"无效：{exc}"
        rows.append(
            {
                "环境变量": s.env,
                "当前值": shown,
                "来自": "环境变量" if (os.environ.get(s.env) or "").strip() else "默认值",
                "说明": s.help,
            }
        )
    return rows


# ---------------------------------------------------------------- README 的设置表由上面的声明生成

README = REPO_ROOT / "README.md"
TABLE_BEGIN = "<!-- 设置表：由 python -m chuangwen.settings 按 chuangwen/settings.py 的声明生成，不要手改 -->"
TABLE_END = "<!-- 设置表结束 -->"


def readme_table() -> str:
    rows = ["| 环境变量 | 默认值 | 说明 |", "| --- | --- | --- |", *(s.readme_row() for s in SETTINGS)]
    return "\n".join([TABLE_BEGIN, *rows, TABLE_END])


def write_readme_table(readme: Path = README) -> bool:
    """把 README 里两个标记之间的表换成按声明生成的；返回是否有改动。"""
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(TABLE_BEGIN), text.index(TABLE_END) + len(TABLE_END)
    new = text[:start] + readme_table() + text[end:]
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    print("README 的设置表已更新。" if write_readme_table() else "README 的设置表已是最新。")
