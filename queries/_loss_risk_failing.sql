-- 片段（不是独立查询）：丢分预警里“截至统计时刻，哪一处（点位或街面路段）因为在办问题不合格于哪一条测评标准”。
-- [丢分预警·开始] 唯一定义，只由中间结果 loss_risk_open 引入；loss_risk_groups（各组计数）、loss_risk_items（各处明细）、
-- loss_risk_coverage（对上没有）都读那一份（-- reads:），一次页面运行、一个统计时刻只算一次。
-- 结果是 CTE：_loss_risk_framework.sql 的三个（current_edition、field_standard、plan），以及 open_problem（在办问题）、
-- failing（一条在办问题落在哪一处、哪一条标准上）。
--
-- 规则：
-- - 一处：有点位的问题就是它的点位（类型取点位类型）；没有点位的问题（街面问题）在它的镇街里算一条路段，
--   落在抽样方案中“每镇街”抽查的街面类型（如主次干道）上。
-- - 测评标准：问题自带本版测评标准编号、且该标准考察这类点位时用它；否则按“问题类别 × 点位类型 → 测评标准”对照
--   （先对小类，没有再对大类）。对不上的问题不计入（页面写明条数）。
-- - 一条街面问题对同一条标准只算一处：落在几类街面类型上时取点位类型排序在前的一类。
-- include: _loss_risk_framework.sql  （测评体系、实地考察标准与扣分方式、抽样方案）
open_problem as (
    select s.problem_code, s.site_code, s.township_code, s.category, s.lead_unit_code, s.deadline, s.is_overdue,
           s.lon, s.lat, pr.edition as problem_edition, pr.standard_code as problem_standard, pr.description
    from problem_state_open($as_of) s
    join problem pr on pr.code = s.problem_code
    where not s.is_closed  -- problem_state_open 本就只给在办的；写明它，参照路径（全部问题）也一样
),
placed as (
    select o.*, si.site_type, si.township_code as item_township, 'S:' || si.code as item_key,
           si.name as item_name, si.lon as item_lon, si.lat as item_lat,
           coalesce(t.sort_order, 0) as type_order
    from open_problem o
    join site si on si.code = o.site_code
    left join site_type t on t.name = si.site_type
    union all
    select o.*, pl.site_type, o.township_code, 'P:' || o.problem_code, o.description, o.lon, o.lat, pl.type_order
    from open_problem o
    join plan pl on pl.scope = '每镇街'
    where o.site_code is null and o.township_code is not null
),
matched as (
    select pl.*,
           coalesce(own.standard_code, leaf.standard_code, parent.standard_code) as standard_code
    from placed pl
    left join field_standard own
           on own.edition = pl.problem_edition and own.standard_code = pl.problem_standard
          and list_contains(own.site_types, pl.site_type)
    left join current_edition e on true
    left join standard_category leaf
           on leaf.edition = e.edition and leaf.category = pl.category and leaf.site_type = pl.site_type
    left join problem_category pc on pc.name = pl.category
    left join standard_category parent
           on parent.edition = e.edition and parent.category = pc.parent and parent.site_type = pl.site_type
),
failing as materialized (
    select m.*
    from matched m
    join field_standard f on f.standard_code = m.standard_code and list_contains(f.site_types, m.site_type)
    qualify row_number() over (partition by m.problem_code, m.standard_code order by m.type_order, m.site_type) = 1
),
-- [丢分预警·结束]
