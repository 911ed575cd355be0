-- Numbers one room broadcast, stores it in the room's history stream and publishes it, as one
-- step: a number is never handed out without its broadcast being stored.
--
-- KEYS[1]  <prefix>:position:<room>  hash: epoch, seq (the room's latest number)
-- KEYS[2]  <prefix>:history:<room>   stream: one entry per broadcast, ID <seq>-0,
--                                    fields t (Redis time, ms) and e (the numbered envelope)
-- ARGV[1]  a new epoch, taken if the room has none (first broadcast, or its metadata was lost)
-- ARGV[2]  the epoch the node expects, or '' to take the next number
-- ARGV[3]  the number the node reserved (with ARGV[2])
-- ARGV[4]  the envelope, not numbered
-- ARGV[5]  history size: the most entries kept (0: no bound by count)
-- ARGV[6]  history age in ms: entries older are trimmed (0: no bound by age)
-- ARGV[7]  the stream's expiry in ms, renewed by every broadcast
-- ARGV[8]  the metadata's expiry in ms, renewed by every broadcast (longer than the stream's)
-- ARGV[9]  the channel every node subscribes to
--
-- Returns {1, epoch, seq} when stored; {0, epoch, seq} (the room's latest) when the expected
-- epoch differs or the reserved number is not above the latest: then nothing is stored.
local meta, stream = KEYS[1], KEYS[2]
local size, age = tonumber(ARGV[5]), tonumber(ARGV[6])
local keep = size > 0 or age > 0

local position = redis.call('HMGET', meta, 'epoch', 'seq')
local epoch = position[1]
local seq
if not epoch then
  epoch = ARGV[1]
  seq = 0
  redis.call('DEL', stream) -- entries of a numbering that is gone
  redis.call('HSET', meta, 'epoch', epoch, 'seq', '0')
  redis.call('PEXPIRE', meta, ARGV[8])
else
  seq = tonumber(position[2])
end

if ARGV[2] ~= '' then
  local reserved = tonumber(ARGV[3])
  if ARGV[2] ~= epoch or reserved <= seq then
    return {0, epoch, seq}
  end
  seq = reserved
else
  seq = seq + 1
end

local id = string.format('%d', seq)
local numbered = 'HN' .. id .. ' ' .. epoch .. '\n' .. ARGV[4]

-- The stream first: a script is not undone when a command fails, and a failed XADD must not
-- leave the number taken.
if keep then
  local time = redis.call('TIME')
  local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  if size > 0 then
    -- Approximately: Redis trims whole nodes, far cheaper than one entry per broadcast. Reads
    -- answer only the last `size` numbers (read.lua), so the history is exactly `size` long.
    redis.call('XADD', stream, 'MAXLEN', '~', size, id .. '-0', 't', string.format('%d', now),
      'e', numbered)
  else
    redis.call('XADD', stream, id .. '-0', 't', string.format('%d', now), 'e', numbered)
  end
  if age > 0 then
    -- IDs follow the numbers, not the time: find the first young entry among the oldest few and
    -- trim before it. Each broadcast trims up to 64, more than it adds; reads skip any old ones
    -- left.
    local cutoff = now - age
    local head = redis.call('XRANGE', stream, '-', '+', 'COUNT', 64)
    local from
    for _, entry in ipairs(head) do
      local fields = entry[2]
      local t
      for i = 1, #fields, 2 do
        if fields[i] == 't' then
          t = tonumber(fields[i + 1])
        end
      end
      if t and t >= cutoff then
        from = entry[1]
        break
      end
    end
    if not from and #head > 0 then
      local last = tonumber(string.match(head[#head][1], '^(%d+)'))
      from = string.format('%d', last + 1) .. '-0'
    end
    if from then
      redis.call('XTRIM', stream, 'MINID', from)
    end
  end
  redis.call('PEXPIRE', stream, ARGV[7])
end
redis.call('HSET', meta, 'seq', id)
redis.call('PEXPIRE', meta, ARGV[8])

redis.call('PUBLISH', ARGV[9], numbered)
return {1, epoch, seq}
