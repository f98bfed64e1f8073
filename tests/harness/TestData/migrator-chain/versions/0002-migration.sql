begin
  alter table widgets add column size integer;
  create function widget_words(t text) returns text[] as $$ select regexp_split_to_array(t, '\s+') $$ language sql;
end
