-- The rooms of every relay node, in Redis: the same rules as src/rooms.rs,
-- run atomically (one script at a time), so two nodes never both answer
-- `created` for a room. Everything a member must hear is published, in the
-- order decided here, on its node's channel "vc:node:<node>" as
-- "<conn>\n<kind>\n<room>\n<body>"; kind F is a frame to pass on verbatim,
-- N a room notice (body: peer-joined, peer-left, peer-away, peer-back), E an
-- event the node wrote (created, joined, resumed, full), R "your slot was
-- resumed elsewhere". A member is "<node>.<n>".
--
-- Keys: vc:room:<room> (hash: i_* the initiator's slot, o_* the other's;
-- *_conn, *_sess (session token or ""), *_away ("1" while away), *_kn, *_kb,
-- *_kd (frames, bytes kept; frames dropped)); vc:kept:<room>:<conn> (list of
-- "N\t<notice>" or "F\t<frame>" kept for an away member); vc:away (zset
-- "<room>\n<conn>" by grace deadline in ms); vc:nodes (set of nodes);
-- vc:alive:<node> (expires unless the node refreshes it); vc:node-rooms:<node>
-- (rooms where the node has had a member); vc:rooms (set of the rooms that
-- exist, for the cap on rooms all nodes share).
--
-- ARGV[1] is the operation; the rest depend on it. A single Redis, not a
-- Redis Cluster: keys are computed here, not declared.

local op = ARGV[1]

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function room_key(room) return 'vc:room:' .. room end
local function kept_key(room, conn) return 'vc:kept:' .. room .. ':' .. conn end
local function node_of(conn) return string.match(conn, '^(.*)%.') end

local function publish(conn, kind, room, body)
  local node = node_of(conn)
  local n = string.sub(conn, #node + 2)
  redis.call('PUBLISH', 'vc:node:' .. node, n .. '\n' .. kind .. '\n' .. room .. '\n' .. body)
end

-- The slot prefix ("i_" or "o_") that `conn` holds in `room`, or nil.
local function slot_of(room, conn)
  local key = room_key(room)
  if redis.call('HGET', key, 'i_conn') == conn then return 'i_' end
  if redis.call('HGET', key, 'o_conn') == conn then return 'o_' end
  return nil
end

local function other(slot) if slot == 'i_' then return 'o_' end return 'i_' end

local function clear_kept(room, slot, conn)
  redis.call('DEL', kept_key(room, conn))
  redis.call('HSET', room_key(room), slot .. 'kn', 0, slot .. 'kb', 0)
end

-- Keeps a notice for an away member, collapsing what it makes moot (as
-- src/kept.rs): peer-left replaces everything, peer-back cancels a kept
-- peer-away.
local function keep_notice(room, slot, conn, notice)
  local list = kept_key(room, conn)
  if notice == 'peer-left' then
    clear_kept(room, slot, conn)
  elseif notice == 'peer-back' then
    if redis.call('LREM', list, -1, 'N\tpeer-away') == 1 then return end
  end
  redis.call('RPUSH', list, 'N\t' .. notice)
end

local function keep_frame(room, slot, conn, frame, max_frames, max_bytes)
  local key = room_key(room)
  local kn = tonumber(redis.call('HGET', key, slot .. 'kn') or '0')
  local kb = tonumber(redis.call('HGET', key, slot .. 'kb') or '0')
  if kn >= max_frames or kb + #frame > max_bytes then
    redis.call('HINCRBY', key, slot .. 'kd', 1)
    return
  end
  redis.call('HSET', key, slot .. 'kn', kn + 1, slot .. 'kb', kb + #frame)
  redis.call('RPUSH', kept_key(room, conn), 'F\t' .. frame)
end

-- Sends to the holder of `slot`: published if live, kept if away.
local function send(room, slot, kind, body, limits)
  local key = room_key(room)
  local conn = redis.call('HGET', key, slot .. 'conn')
  if not conn then return end
  if redis.call('HGET', key, slot .. 'away') == '1' then
    if kind == 'N' then
      keep_notice(room, slot, conn, body)
    else
      keep_frame(room, slot, conn, body, limits[1], limits[2])
    end
  else
    publish(conn, kind, room, body)
  end
end

local SLOT_FIELDS = {'conn', 'sess', 'away', 'kn', 'kb', 'kd'}

-- Frees `conn`'s slot (which it holds); the other member becomes the
-- initiator and hears peer-left. An emptied room is forgotten.
local function free(room, conn, limits)
  local key = room_key(room)
  local slot = slot_of(room, conn)
  if not slot then return end
  redis.call('DEL', kept_key(room, conn))
  redis.call('ZREM', 'vc:away', room .. '\n' .. conn)
  if slot == 'i_' then
    if not redis.call('HGET', key, 'o_conn') then
      redis.call('DEL', key)
      redis.call('SREM', 'vc:rooms', room)
      return
    end
    for _, field in ipairs(SLOT_FIELDS) do
      local value = redis.call('HGET', key, 'o_' .. field)
      if value then redis.call('HSET', key, 'i_' .. field, value) else redis.call('HDEL', key, 'i_' .. field) end
    end
  end
  for _, field in ipairs(SLOT_FIELDS) do redis.call('HDEL', key, 'o_' .. field) end
  send(room, 'i_', 'N', 'peer-left', limits)
end

local function is_live(room, slot, conn)
  local key = room_key(room)
  return slot and redis.call('HGET', key, slot .. 'conn') == conn
    and redis.call('HGET', key, slot .. 'away') ~= '1'
end

-- `conn` lost its socket: away until the grace ends if it has a session,
-- else it leaves.
local function lose(room, conn, grace, limits)
  local slot = slot_of(room, conn)
  if not is_live(room, slot, conn) then return 'nothing' end
  local key = room_key(room)
  if (redis.call('HGET', key, slot .. 'sess') or '') == '' then
    free(room, conn, limits)
    return 'left'
  end
  redis.call('HSET', key, slot .. 'away', '1', slot .. 'kn', 0, slot .. 'kb', 0, slot .. 'kd', 0)
  redis.call('DEL', kept_key(room, conn))
  redis.call('ZADD', 'vc:away', now_ms() + grace, room .. '\n' .. conn)
  send(room, other(slot), 'N', 'peer-away', limits)
  return 'away'
end

local function set_slot(room, slot, conn, sess)
  redis.call('HSET', room_key(room), slot .. 'conn', conn, slot .. 'sess', sess, slot .. 'away', '',
    slot .. 'kn', 0, slot .. 'kb', 0, slot .. 'kd', 0)
  redis.call('SADD', 'vc:node-rooms:' .. node_of(conn), room)
end

if op == 'join' then
  -- room, conn, session or "", created event, joined event, full event, most rooms, kept
  -- frames, kept bytes
  local room, conn, sess = ARGV[2], ARGV[3], ARGV[4]
  local limits = {tonumber(ARGV[9]), tonumber(ARGV[10])}
  local key = room_key(room)
  if redis.call('EXISTS', key) == 0 then
    -- The cap counts every node's rooms; the caller tells the client.
    if redis.call('SCARD', 'vc:rooms') >= tonumber(ARGV[8]) then return 'busy' end
    redis.call('SADD', 'vc:rooms', room)
    set_slot(room, 'i_', conn, sess)
    publish(conn, 'E', room, ARGV[5])
    return 'created'
  end
  if redis.call('HEXISTS', key, 'o_conn') == 1 then
    publish(conn, 'E', room, ARGV[7])
    return 'full'
  end
  set_slot(room, 'o_', conn, sess)
  publish(conn, 'E', room, ARGV[6])
  send(room, 'i_', 'N', 'peer-joined', limits)
  if redis.call('HGET', key, 'i_away') == '1' then
    publish(conn, 'N', room, 'peer-away')
  end
  return 'joined'
end

if op == 'resume' then
  -- room, conn, session, resumed event, kept frames, kept bytes
  local room, conn, sess = ARGV[2], ARGV[3], ARGV[4]
  local limits = {tonumber(ARGV[6]), tonumber(ARGV[7])}
  local key = room_key(room)
  local slot = nil
  for _, s in ipairs({'i_', 'o_'}) do
    local held = redis.call('HGET', key, s .. 'sess')
    if held and held ~= '' and held == sess then slot = s end
  end
  if not slot then return 'unknown' end
  local old = redis.call('HGET', key, slot .. 'conn')
  local was_away = redis.call('HGET', key, slot .. 'away') == '1'
  local kept = redis.call('LRANGE', kept_key(room, old), 0, -1)
  redis.call('DEL', kept_key(room, old))
  redis.call('ZREM', 'vc:away', room .. '\n' .. old)
  set_slot(room, slot, conn, sess)
  if not was_away then publish(old, 'R', room, '') end
  publish(conn, 'E', room, ARGV[5])
  for _, item in ipairs(kept) do
    local kind, body = string.match(item, '^(.)\t(.*)$')
    publish(conn, kind, room, body)
  end
  send(room, other(slot), 'N', 'peer-back', limits)
  return 'resumed'
end

if op == 'relay' then
  -- room, conn, frame, kept frames, kept bytes
  local room, conn = ARGV[2], ARGV[3]
  local slot = slot_of(room, conn)
  if not is_live(room, slot, conn) then return 0 end
  if not redis.call('HGET', room_key(room), other(slot) .. 'conn') then return 0 end
  send(room, other(slot), 'F', ARGV[4], {tonumber(ARGV[5]), tonumber(ARGV[6])})
  return 1
end

if op == 'leave' then
  -- room, conn, kept frames, kept bytes
  local room, conn = ARGV[2], ARGV[3]
  if not is_live(room, slot_of(room, conn), conn) then return 0 end
  free(room, conn, {tonumber(ARGV[4]), tonumber(ARGV[5])})
  return 1
end

if op == 'lose' then
  -- room, conn, grace ms, kept frames, kept bytes
  return lose(ARGV[2], ARGV[3], tonumber(ARGV[4]), {tonumber(ARGV[5]), tonumber(ARGV[6])})
end

if op == 'sweep' then
  -- grace ms, kept frames, kept bytes: frees away slots whose grace ended,
  -- and treats the members of nodes that stopped refreshing their key as
  -- if their sockets were lost.
  local grace = tonumber(ARGV[2])
  local limits = {tonumber(ARGV[3]), tonumber(ARGV[4])}
  local expired = 0
  for _, entry in ipairs(redis.call('ZRANGEBYSCORE', 'vc:away', '-inf', now_ms())) do
    redis.call('ZREM', 'vc:away', entry)
    local room, conn = string.match(entry, '^(.*)\n(.*)$')
    local slot = slot_of(room, conn)
    if slot and redis.call('HGET', room_key(room), slot .. 'away') == '1' then
      free(room, conn, limits)
      expired = expired + 1
    end
  end
  local lost = 0
  for _, node in ipairs(redis.call('SMEMBERS', 'vc:nodes')) do
    if redis.call('EXISTS', 'vc:alive:' .. node) == 0 then
      local prefix = node .. '.'
      for _, room in ipairs(redis.call('SMEMBERS', 'vc:node-rooms:' .. node)) do
        -- Both read first: losing the initiator moves the other's slot.
        local conns = redis.call('HMGET', room_key(room), 'i_conn', 'o_conn')
        for _, conn in ipairs(conns) do
          if conn and string.sub(conn, 1, #prefix) == prefix then
            if lose(room, conn, grace, limits) ~= 'nothing' then lost = lost + 1 end
          end
        end
      end
      redis.call('DEL', 'vc:node-rooms:' .. node)
      redis.call('SREM', 'vc:nodes', node)
    end
  end
  return {expired, lost}
end

return redis.error_reply('unknown operation ' .. tostring(op))
