-- name: hotspot_options
-- 用途: 问题热点页筛选项：问题来源（库中出现过的）、问题类别（大类在前、小类缩进）、点位类型
-- params: $county VARCHAR
with sources as (
    select '来源' as kind, source as value, null as parent, 0 as sort_key
    from problem
    where township_code is null
       or township_code in (select code from region where parent_code = $county)
    group by source
),
categories as (
    select '类别', c.name, c.parent, coalesce(p.sort_order, c.sort_order, 0) * 1000 + coalesce(c.sort_order, 0)
    from problem_category c
    left join problem_category p on p.name = c.parent
),
site_types as (
    select '点位类型', name, null, coalesce(sort_order, 0)
    from site_type
)
select kind, value, parent
from (select * from sources union all select * from categories union all select * from site_types)
order by kind, sort_key, value
