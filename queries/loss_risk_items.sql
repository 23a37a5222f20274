-- name: loss_risk_items
-- 用途: 丢分预警的各处明细（几个单位编码、名称的列用 chr(31) 分隔，好让结果按内容记住）：截至统计时刻每一处（点位，或没有点位的一条街面问题）不合格于哪条测评标准、因为哪些在办问题，各问题的牵头与配合单位、最早的整改期限与逾期天数；只列查看范围内的单位涉及的处（问题编号只列范围内的），计数 problems_all 含全部单位
-- params: $as_of TIMESTAMP, $scope_unit VARCHAR
-- reads: loss_risk_open  （哪一处因在办问题不合格于哪条标准，见 loss_risk_open.sql；一个统计时刻只算一次）
-- 指标: 分摊丢分 | 口径: 一条测评标准的预计丢分按各不合格处被抽中的机会（m ÷ n；街面路段超出该镇街路段数时按比例折算）分给各处，一处的再由落在这条标准上的在办问题的牵头与配合单位平分（与扣分明细的分摊相同）；各处、各单位、各镇街、各类点位之和都等于全县预计丢分 | 分母: 该标准全部不合格处被抽中的机会之和
-- 指标: 少丢分（改这一处） | 口径: 这一处的在办问题全部销号后，各测评标准预计丢分的减少之和（其余各处不变）；责任单位只算自己的问题：同一处同一标准还有别的单位的在办问题时，改了自己的也不合格 | 分母: —
-- 指标: 每天少丢 | 口径: 少丢分 ÷ 剩余天数；剩余天数 = 距这一处最早的整改期限的天数（向上取整），已逾期或当天到期按 1 天，没有整改期限按 7 天 | 分母: 剩余天数
-- 指标: 改完前N处累计少丢 | 口径: 按攻坚清单的顺序改完前 N 处（这些处的在办问题全部销号）后，预计丢分比现在少多少：几处同时改完的实际效果，不是各处单独少丢之和 | 分母: —
-- 指标: 逾期天数 | 口径: 这一处落在该标准上的在办问题中逾期最久的：向上取整（(统计时刻 − 整改期限) ÷ 24 小时）；都没逾期为空 | 分母: —
with
failing as (
    select * from loss_risk_open where counted
),
problem_unit as (
    select problem_code, lead_unit_code as unit_code
    from failing
    union
    select pc.problem_code, pc.unit_code
    from problem_coop_unit pc
    where pc.problem_code in (select problem_code from failing)
),
item_unit as (
    -- 落在这一处这条标准上的全部在办问题（不论查看范围）的牵头与配合单位：分摊丢分时平分
    select item_key, standard_code,
           string_agg(unit_code, chr(31) order by unit_code) as unit_codes,
           string_agg(unit_name, chr(31) order by unit_code) as unit_names
    from (
        select distinct f.item_key, f.standard_code, pu.unit_code, un.name as unit_name
        from failing f
        join problem_unit pu on pu.problem_code = f.problem_code
        join unit un on un.code = pu.unit_code
    )
    group by item_key, standard_code
),
mine as (
    select f.*,
           involves_unit($scope_unit, f.lead_unit_code, f.problem_code) as in_scope,
           case when f.is_overdue then ceil(epoch($as_of - f.deadline) / 86400)::integer end as days_overdue
    from failing f
)
select m.item_key,
       m.standard_code,
       m.site_type,
       m.item_township as township_code,
       r.name as township_name,
       any_value(m.site_code) as site_code,
       any_value(m.item_name) as item_name,
       any_value(m.item_lon) as lon,
       any_value(m.item_lat) as lat,
       count(*) as problems_all,
       count(*) filter (where m.in_scope) as problems,
       string_agg(m.problem_code, '、' order by m.problem_code) filter (where m.in_scope) as problem_codes,
       string_agg(distinct u.name, '、' order by u.name) filter (where m.in_scope) as lead_units,
       string_agg(distinct m.lead_unit_code, chr(31) order by m.lead_unit_code) filter (where m.in_scope) as lead_unit_codes,
       any_value(iu.unit_codes) as unit_codes,
       any_value(iu.unit_names) as unit_names,
       min(m.deadline) filter (where m.in_scope) as deadline,
       max(m.days_overdue) filter (where m.in_scope) as days_overdue
from mine m
join item_unit iu on iu.item_key = m.item_key and iu.standard_code = m.standard_code
join unit u on u.code = m.lead_unit_code
left join region r on r.code = m.item_township
group by m.item_key, m.standard_code, m.site_type, m.item_township, r.name
having count(*) filter (where m.in_scope) > 0
order by m.item_key, m.standard_code
