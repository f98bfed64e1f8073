begin
  return (select count(*) from widgets);
end
