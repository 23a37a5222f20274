"""导入真实数据：读取（readers）、列映射（mapping）、逐行校验（validate）、整批或部分写入与回滚（write）、模板（templates）。

不依赖 streamlit；命令行 `chuangwen import …` 与数据管理页都调用这里。
"""

from chuangwen.imports.checks import CLI, PAGE, Place
from chuangwen.imports.kinds import KINDS
from chuangwen.imports.mapping import Mapping, MappingError, header_signature
from chuangwen.imports.mapping import load as load_mapping
from chuangwen.imports.mapping import parse as parse_mapping
from chuangwen.imports.readers import MAX_BYTES, MAX_MB, ReadError
from chuangwen.imports.write import (
    ImportFailed,
    ImportResult,
    list_imports,
    preset_for_layout,
    presets,
    rollback,
    rollbackable,
    run_import,
    save_preset,
    validate_only,
    validate_table,
)

__all__ = [
    "CLI",
    "KINDS",
    "MAX_BYTES",
    "MAX_MB",
    "ImportFailed",
    "ImportResult",
    "Mapping",
    "MappingError",
    "PAGE",
    "Place",
    "ReadError",
    "header_signature",
    "list_imports",
    "load_mapping",
    "parse_mapping",
    "preset_for_layout",
    "presets",
    "rollback",
    "rollbackable",
    "run_import",
    "save_preset",
    "validate_only",
    "validate_table",
]
