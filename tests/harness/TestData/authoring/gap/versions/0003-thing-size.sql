begin
  return (select things.size from things where things.id = id_in);
end
