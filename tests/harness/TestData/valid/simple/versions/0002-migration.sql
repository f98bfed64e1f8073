begin
  create index widgets_created on widgets (created);
end
