begin
  alter table things add column size integer;
end
