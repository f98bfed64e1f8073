begin
  drop index widgets_created;
end
