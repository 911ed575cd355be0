-- The rooms list (see roomsList). ARGV: prefix. Returns the rooms, sorted.
return roomsList()
