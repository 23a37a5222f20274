-- 库的设置（在看板里或用 chuangwen settings set 选的）：本县、目标名次。优先于环境变量与库内 meta 的默认值；每次改动另记审计
create table store_setting (
    key    text primary key check (key in ('our_region_code', 'target_rank')),
    value  text not null,
    set_by text not null,
    set_at text not null
);
