-- name: ref_filter_options
-- 用途: 侧栏筛选项：本县镇街、责任单位、测评轮次（按显示顺序）
-- params: $county VARCHAR
with townships as (
    select '镇街' as kind, code, name, coalesce(sort_order, 0) as sort_key, null::date as on_date
    from region
    where level = '镇街' and parent_code = $county
),
units as (
    select '单位', code, name || '（' || kind || '）', coalesce(sort_order, 0), null::date
    from unit
),
rounds as (
    select '轮次', code, name, 0, end_date
    from round
    where exists (select 1 from problem p where p.round_code = round.code)
)
select kind, code, name
from (select * from townships union all select * from units union all select * from rounds)
order by kind, on_date desc nulls last, sort_key, code
