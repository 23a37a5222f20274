"""设置：一张声明表（名称、环境变量、默认值、说明），README 中逐项说明，测试检查一一对应。"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DEMO_DB = REPO_ROOT / "data" / "demo.duckdb"


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


def _text(raw: str) -> str:
    return raw.strip()


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: Any
    help: str
    parse: Callable[[str], Any] = _text


SETTINGS: tuple[Setting, ...] = (
    Setting("db_path", "CHUANGWEN_DB", str(DEFAULT_DEMO_DB),
            "数据库文件路径。默认是示例库 data/demo.duckdb，不存在时首次启动自动生成；指向其他路径时不会自动生成。"),
    Setting("target_rank", "CHUANGWEN_TARGET_RANK", None,
            "目标名次（如 10 表示“进入全省前10名”）。不设置时使用库内 meta.target_rank。", _positive_int),
    Setting("our_region_code", "CHUANGWEN_OUR_CODE", None,
            "本县在排名组中的地区代码。不设置时使用库内 meta.our_region_code。"),
    Setting("tiles_url", "CHUANGWEN_TILES_URL", "",
            "内网瓦片服务地址（如 http://10.0.0.8/tiles/{z}/{x}/{y}.png）。为空时地图不加底图，只画镇街边界。"),
    Setting("tiles_attr", "CHUANGWEN_TILES_ATTR", "",
            "瓦片署名文字；设置了瓦片地址时必须填写。"),
    Setting("cache_ttl_seconds", "CHUANGWEN_CACHE_TTL", 600,
            "查询结果缓存秒数。数据库文件更新后缓存会自动失效，与此值无关。", _positive_int),
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
