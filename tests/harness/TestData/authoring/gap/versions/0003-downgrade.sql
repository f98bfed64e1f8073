begin
  alter table things drop column size;
end
