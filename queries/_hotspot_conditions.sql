-- 片段（不是独立查询）：问题热点的筛选条件（侧栏的查看范围、镇街、牵头单位、轮次，本页的点位、来源、类别、点位类型、
-- 严重程度）。问题状态的行别名为 s、问题类别为 pc；_hotspot_filter.sql（区间内发现的问题）与 hotspot_stock（存量）都引入它。
    where involves_unit($scope_unit, s.lead_unit_code, s.problem_code)
      and ($township is null or s.township_code = $township)
      and ($unit is null or s.lead_unit_code = $unit)
      and ($round is null or s.round_code = $round)
      and ($site is null or s.site_code = $site)
      and ($sources is null or list_contains($sources, s.source))
      and ($categories is null or list_contains($categories, s.category)
           or list_contains($categories, pc.parent))
      and ($severities is null or list_contains($severities, s.severity))
      and ($site_types is null or exists (select 1 from site t where t.code = s.site_code
                                          and list_contains($site_types, t.site_type)))
