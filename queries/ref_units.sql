-- name: ref_units
-- 用途: 责任单位的代码与名称（命令行 chuangwen units list、建责任单位账号时找单位代码）：可按条块、名称或代码里的文字筛选
-- params: $kind VARCHAR, $search VARCHAR
select
    u.code as code,
    u.name as name,
    u.kind as kind,
    u.unit_type as unit_type,
    r.name as township
from unit u
left join region r on r.code = u.region_code
where ($kind is null or u.kind = $kind)
  and ($search is null or contains(lower(u.name), lower($search)) or contains(lower(u.code), lower($search)))
order by case u.kind when '条' then 0 else 1 end, coalesce(u.sort_order, 0), u.code
