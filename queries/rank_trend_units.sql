-- name: rank_trend_units
-- 用途: 排名组单位清单（对手选择用）：在任一公布排名的轮次有成绩记录的地区，按地区排序
-- params:
select distinct rg.code as region_code, rg.name as region_name, rg.sort_order
from score s
join round r on r.code = s.round_code and r.is_ranked
join region rg on rg.code = s.region_code
order by rg.sort_order nulls last, rg.code
