-- Writes all of a server's connections again (after an outage), announcing every room.
-- ARGV: prefix, node, ttl (ms), then connection id, user, room ('' if none) for each connection.
local node = ARGV[2]
live(node, ARGV[3])
forgetNode(node)
for i = 4, #ARGV, 3 do
  local id, user, room = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if room ~= '' then
    enter(node, id, user, room)
  else
    redis.call('HSET', key('conns', node), id, user .. ' ')
  end
end
sweep()
publish(true)
return 1
