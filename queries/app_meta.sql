-- name: app_meta
-- 用途: 库级元数据（是否示例数据、数据截至、本县代码与名称、目标名次、结构版本）；库内未写数据截至时，取最晚的发现或整改时间
-- params:
select key, value
from meta
union all
select 'schema_version', max(version)::varchar
from schema_version
union all
select 'data_cutoff_derived', strftime(max(t), '%Y-%m-%d %H:%M:%S')
from (
    select max(found_at) as t from problem
    union all
    select max(event_at) from rectify_event
)
having max(t) is not null
order by key
