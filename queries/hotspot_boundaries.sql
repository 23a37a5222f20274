-- name: hotspot_boundaries
-- 用途: 地图底图：本县与各镇街在统计时刻有效的最新边界版本（WKB，WGS-84），以及镇街名称、人口、中心点；
--       统计时刻早于某镇街最早一版的生效日期时用最早一版（库里没有更早的边界，不让过去的区间没有地图）
-- params: $county VARCHAR, $as_of TIMESTAMP
with regions as (
    select code, name, level, population, lon, lat, coalesce(sort_order, 0) as sort_key
    from region
    where code = $county or (level = '镇街' and parent_code = $county)
),
latest as (
    select b.region_code,
           coalesce(max(b.version) filter (where b.valid_from <= cast($as_of as date)), min(b.version)) as version
    from boundary b
    join regions r on r.code = b.region_code
    group by b.region_code
)
select r.code, r.name, r.level, r.population, r.lon, r.lat, b.geom_wkb
from regions r
join latest l on l.region_code = r.code
join boundary b on b.region_code = l.region_code and b.version = l.version
order by r.level = '镇街', r.sort_key, r.code
