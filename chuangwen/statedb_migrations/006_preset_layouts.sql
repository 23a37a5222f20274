-- 列映射预设记住它是为哪种表头存的：源文件列名（规范化后）集合的 SHA-256（chuangwen.imports.mapping.header_signature）。
-- 同样表头的文件再上传时，数据管理页自动选上最近为它存的预设；旧版本存的预设没有这一项（为空），照常可选
alter table import_preset add column header_signature text;
create index import_preset_layout on import_preset (kind, header_signature);
