-- 宏（不是独立查询）：“问题涉及某单位”的唯一定义——该单位牵头，或是配合单位之一；unit 为空时不限。
-- 查看范围（责任单位账号只看自己单位的问题，$scope_unit）与“涉及单位”筛选（$involved_unit）都用它。迁移 006 载入。
create or replace macro involves_unit(unit, lead_unit, problem) as
    unit is null
    or lead_unit = unit
    or exists (select 1 from problem_coop_unit pc where pc.problem_code = problem and pc.unit_code = unit);
