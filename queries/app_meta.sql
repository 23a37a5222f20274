-- name: app_meta
-- 用途: 库级元数据（是否示例数据、数据截至、本县代码与名称、目标名次、结构版本、排名组各县级单位的名称 region_name:代码）；库内未写数据截至时，取最晚的发现或整改时间，
--       只有测评成绩时取有成绩的最晚一轮测评的结束日；最早的发现、整改或测评开始时间（网址里的日期夹到这个范围内）
-- params:
select key, value
from meta
union all
-- 有没有问题台账、测评成绩（各页据此说“先导入什么”，而不是显示一片 0）
select 'has_problems', (exists (select 1 from problem))::varchar
union all
select 'has_scores', (exists (select 1 from score where total is not null))::varchar
union all
-- 本县的名称一律取地区表（选了别的县、或导入的库里 meta 没有名称时也对）
select 'region_name:' || code, name
from region
where level = '县级'
union all
select 'schema_version', max(version)::varchar
from schema_version
union all
select 'data_cutoff_derived', strftime(max(t), '%Y-%m-%d %H:%M:%S')
from (
    select max(found_at) as t from problem
    union all
    select max(event_at) from rectify_event
    union all
    select max(r.end_date)::timestamp from round r where exists (select 1 from score s where s.round_code = r.code)
)
having max(t) is not null
union all
select 'data_first_at', strftime(min(t), '%Y-%m-%d %H:%M:%S')
from (
    select min(found_at) as t from problem
    union all
    select min(event_at) from rectify_event
    union all
    select min(start_date)::timestamp from round
)
having min(t) is not null
order by key
