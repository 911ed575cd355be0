-- Reads a room's position and broadcasts from its history stream (see append.lua for the keys).
--
-- KEYS[1]  <prefix>:position:<room>
-- KEYS[2]  <prefix>:history:<room>
-- ARGV[1]  a new epoch, taken if the room has none, so that every node answers the same
-- ARGV[2]  'after': the entries from ARGV[3] on, oldest first; 'latest': the last ARGV[4]
-- ARGV[3]  the first number wanted ('after')
-- ARGV[4]  the most entries to answer
-- ARGV[5]  history age in ms: older entries are not answered (0: no bound by age)
-- ARGV[6]  the metadata's expiry in ms, set when the room is created here
-- ARGV[7]  history size: only the room's last this many numbers are answered (0: no bound); the
--          stream is trimmed approximately (append.lua), so it may hold a few older ones
--
-- Returns {epoch, seq, envelope...}: the room's latest position, then the numbered envelopes,
-- oldest first.
local meta, stream = KEYS[1], KEYS[2]
local count, age, size = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[7])

local epoch = redis.call('HGET', meta, 'epoch')
local seq
if not epoch then
  epoch = ARGV[1]
  seq = 0
  redis.call('DEL', stream)
  redis.call('HSET', meta, 'epoch', epoch, 'seq', '0')
  redis.call('PEXPIRE', meta, ARGV[6])
else
  seq = tonumber(redis.call('HGET', meta, 'seq'))
end

local answer = {epoch, seq}
if count <= 0 or seq == 0 then
  return answer
end

local oldest = 0
if size > 0 then
  oldest = seq - size + 1 -- the first number the history holds
end

local entries
if ARGV[2] == 'after' then
  local from = math.max(tonumber(ARGV[3]), oldest, 0)
  entries = redis.call('XRANGE', stream, string.format('%d', from), '+', 'COUNT', count)
else
  entries = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', count)
end

local cutoff
if age > 0 then
  local time = redis.call('TIME')
  cutoff = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) - age
end

local kept = {}
for _, entry in ipairs(entries) do
  local fields = entry[2]
  local t, e
  for i = 1, #fields, 2 do
    if fields[i] == 't' then
      t = tonumber(fields[i + 1])
    elseif fields[i] == 'e' then
      e = fields[i + 1]
    end
  end
  local n = tonumber(string.match(entry[1], '^(%d+)'))
  if e and n >= oldest and (not cutoff or (t and t >= cutoff)) then
    kept[#kept + 1] = e
  end
end

if ARGV[2] == 'after' then
  for i = 1, #kept do
    answer[#answer + 1] = kept[i]
  end
else
  for i = #kept, 1, -1 do
    answer[#answer + 1] = kept[i]
  end
end
return answer
