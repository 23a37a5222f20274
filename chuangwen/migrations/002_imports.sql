-- 002 导入：--create-missing 新增的参考数据（回滚时删除）与列映射预设
-- 导入新增的单位、镇街/社区、问题类别：记下表名与主键，回滚该次导入时按此删除
create table import_created (
    import_id  bigint not null,
    table_name varchar not null check (table_name in ('region', 'unit', 'problem_category', 'site', 'site_type')),
    key        varchar not null,
    primary key (import_id, table_name, key)
);

-- 列映射预设（数据管理页保存）：种类 + 名称唯一，内容为映射 TOML 文本
create table import_preset (
    kind         varchar not null,
    name         varchar not null,
    mapping_toml varchar not null,
    saved_at     timestamp not null,
    primary key (kind, name)
);
