-- name: app_meta
-- 用途: 库级元数据（是否示例数据、数据截至、本县代码与名称、目标名次、结构版本），页面框架和横幅使用
-- params:
select key, value
from meta
union all
select 'schema_version', max(version)::varchar
from schema_version
order by key
