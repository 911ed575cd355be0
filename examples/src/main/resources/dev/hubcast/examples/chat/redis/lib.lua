-- Helpers shared by the chat directory's scripts; each script is this file followed by its own.
-- ARGV[1] is the prefix of every key and channel. The scripts name keys that are not in their
-- KEYS: fine on one Redis, not on Redis Cluster.
local P = ARGV[1]
local st = {alive = {}, roomsChanged = false}

local function key(a, b)
  if b then return P .. ':' .. a .. ':' .. b end
  return P .. ':' .. a
end

-- A connection id is "<node>-<n>".
local function nodeOf(id) return string.match(id, '^(.*)%-[^%-]*$') or id end

-- Whether a server's liveness key is there, asked once per script.
local function alive(node)
  local a = st.alive[node]
  if a == nil then
    a = redis.call('EXISTS', key('node', node)) == 1
    st.alive[node] = a
  end
  return a
end

local function enter(node, id, user, room)
  redis.call('HSET', key('room', room), id, user)
  if redis.call('SADD', key('rooms'), room) == 1 then st.roomsChanged = true end
  redis.call('SADD', key('visited'), room)
  redis.call('HSET', key('conns', node), id, user .. ' ' .. room)
end

local function leave(id, room)
  if redis.call('HDEL', key('room', room), id) == 1 then
    if redis.call('EXISTS', key('room', room)) == 0
        and redis.call('SREM', key('rooms'), room) == 1 then
      st.roomsChanged = true
    end
  end
end

-- Forgets one connection of a node; value is "user room" (room empty between rooms).
local function forget(node, id, value)
  local user, room = string.match(value, '^(%S+) ?(%S*)$')
  if room and room ~= '' then leave(id, room) end
  redis.call('HDEL', key('conns', node), id)
end

local function forgetNode(node)
  local conns = redis.call('HGETALL', key('conns', node))
  for i = 1, #conns, 2 do forget(node, conns[i], conns[i + 1]) end
  redis.call('DEL', key('conns', node))
end

-- Forgets every server whose liveness key has expired.
local function sweep()
  for _, node in ipairs(redis.call('SMEMBERS', key('nodes'))) do
    if not alive(node) then
      forgetNode(node)
      redis.call('SREM', key('nodes'), node)
    end
  end
end

-- A JSON array of strings; cjson alone would write an empty one as {}.
local function list(t)
  if #t == 0 then return '[]' end
  return cjson.encode(t)
end

-- The rooms list, sorted: the rooms with members, and the rooms that had some and still have a
-- history (the hub's stream <prefix>:history:<room>, which Redis expires with the history). A
-- visited room whose stream is gone is forgotten here.
local function roomsList()
  local rooms = redis.call('SMEMBERS', key('rooms'))
  local listed = {}
  for _, room in ipairs(rooms) do listed[room] = true end
  for _, room in ipairs(redis.call('SMEMBERS', key('visited'))) do
    if not listed[room] then
      if redis.call('EXISTS', key('history', room)) == 1 then
        rooms[#rooms + 1] = room
      else
        redis.call('SREM', key('visited'), room)
      end
    end
  end
  table.sort(rooms)
  return rooms
end

-- Announces, in one PUBLISH on <prefix>:events, the rooms list if it changed (or if allRooms):
-- {"rooms":["dev","lobby"]}. Presence and the people online are the hub's own (core presence).
local function publish(allRooms)
  if st.roomsChanged or allRooms then
    redis.call('PUBLISH', key('events'), '{"rooms":' .. list(roomsList()) .. '}')
  end
end

-- Sets a server's liveness key for ttl ms; returns 1 if it was still there, else 0.
local function live(node, ttl)
  local existed = redis.call('EXISTS', key('node', node))
  redis.call('SET', key('node', node), '1', 'PX', ttl)
  redis.call('SADD', key('nodes'), node)
  st.alive[node] = true
  return existed
end

