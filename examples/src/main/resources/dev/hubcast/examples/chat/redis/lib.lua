-- Helpers shared by the chat directory's scripts; each script is this file followed by its own.
-- ARGV[1] is the prefix of every key and channel. The scripts name keys that are not in their
-- KEYS: fine on one Redis, not on Redis Cluster.
local P = ARGV[1]
local st = {alive = {}, touched = {}, order = {}, roomsChanged = false, peopleChanged = false}

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

-- Notes a room whose members changed, to announce it at the end, in the order of the changes.
local function touch(room)
  if not st.touched[room] then
    st.touched[room] = true
    st.order[#st.order + 1] = room
  end
end

-- A user's connection: the user is online (in <prefix>:people) while it has one.
local function addUser(user, id)
  redis.call('SADD', key('user', user), id)
  if redis.call('SADD', key('people'), user) == 1 then st.peopleChanged = true end
end

local function dropUser(user, id)
  redis.call('SREM', key('user', user), id)
  if redis.call('SCARD', key('user', user)) == 0
      and redis.call('SREM', key('people'), user) == 1 then
    st.peopleChanged = true
  end
end

local function enter(node, id, user, room)
  redis.call('HSET', key('room', room), id, user)
  if redis.call('SADD', key('rooms'), room) == 1 then st.roomsChanged = true end
  redis.call('SADD', key('visited'), room)
  redis.call('HSET', key('conns', node), id, user .. ' ' .. room)
  addUser(user, id)
  touch(room)
end

local function leave(id, room)
  if redis.call('HDEL', key('room', room), id) == 1 then
    touch(room)
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
  if user then dropUser(user, id) end
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

-- The room's members on live servers: user names, each once, sorted.
local function names(room)
  local h = redis.call('HGETALL', key('room', room))
  local seen, out = {}, {}
  for i = 1, #h, 2 do
    local user = h[i + 1]
    if not seen[user] and alive(nodeOf(h[i])) then
      seen[user] = true
      out[#out + 1] = user
    end
  end
  table.sort(out)
  return out
end

-- Everyone with a connection on a live server: user names, sorted.
local function people()
  local out = {}
  for _, user in ipairs(redis.call('SMEMBERS', key('people'))) do
    for _, id in ipairs(redis.call('SMEMBERS', key('user', user))) do
      if alive(nodeOf(id)) then
        out[#out + 1] = user
        break
      end
    end
  end
  table.sort(out)
  return out
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

-- Announces, in one PUBLISH on <prefix>:events, the members of every room this script changed
-- (in order) and, if they changed or allRooms, the rooms list and the people online:
-- {"presence":[{"room":"lobby","members":["ada","bob"]}],"rooms":["dev","lobby"],"people":[...]}
local function publish(allRooms)
  local fields = {}
  if #st.order > 0 then
    local presence = {}
    for _, room in ipairs(st.order) do
      presence[#presence + 1] =
          '{"room":' .. cjson.encode(room) .. ',"members":' .. list(names(room)) .. '}'
    end
    fields[#fields + 1] = '"presence":[' .. table.concat(presence, ',') .. ']'
  end
  if st.roomsChanged or allRooms then
    fields[#fields + 1] = '"rooms":' .. list(roomsList())
  end
  if st.peopleChanged or allRooms then
    fields[#fields + 1] = '"people":' .. list(people())
  end
  if #fields > 0 then
    redis.call('PUBLISH', key('events'), '{' .. table.concat(fields, ',') .. '}')
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

