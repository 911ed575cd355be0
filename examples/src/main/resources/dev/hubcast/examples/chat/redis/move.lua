-- A connection of a server enters a room, leaves it for another, or closes.
-- ARGV: prefix, node, op (enter, leave, close), connection id, user, room.
local node, op, id, user, room = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
if op == 'enter' then
  enter(node, id, user, room)
else
  leave(id, room)
  if op == 'close' then
    redis.call('HDEL', key('conns', node), id)
  else
    redis.call('HSET', key('conns', node), id, user .. ' ')
  end
end
publish(false)
return 1
