import { createHash } from 'crypto';
import { ENTRY_FIELDS } from './balance-cache.entry';

/** A Lua script and its SHA1, run with EVALSHA (EVAL when Redis answers NOSCRIPT). */
export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }
}

/**
 * Shared Lua helpers: the field list, canonical versions and their exact comparison, a read
 * that survives a key of the wrong type, and a full entry replace.
 */
const PRELUDE = `
local FIELDS = {${ENTRY_FIELDS.map((f) => `'${f}'`).join(', ')}}
local NF = #FIELDS
-- A version is a canonical integer: "0" or digits without a leading zero ("003" is no version).
local function isversion(v) return v and (v == '0' or string.match(v, '^[1-9]%d*$') ~= nil) end
-- HMGET of a balance hash; a key of another type (not ours) is deleted and reads as missing.
local function fields(key, ...)
  local kind = redis.call('TYPE', key)['ok']
  if kind ~= 'hash' then
    if kind ~= 'none' then redis.call('DEL', key) end
    local none = {}
    for f = 1, select('#', ...) do none[f] = false end
    return none
  end
  return redis.call('HMGET', key, ...)
end
local function cmp(a, b)
  if #a ~= #b then if #a < #b then return -1 else return 1 end end
  if a == b then return 0 end
  if a < b then return -1 else return 1 end
end
local function replace(key, base, ttl)
  local args = {}
  for f = 1, NF do
    args[#args + 1] = FIELDS[f]
    args[#args + 1] = ARGV[base + f]
  end
  redis.call('DEL', key)
  redis.call('HSET', key, unpack(args))
  redis.call('EXPIRE', key, ttl)
end
`;

/** What a write to an entry of the same balance may change (positions into ENTRY_FIELDS). */
const MUTABLE_FIELDS = ['version', 'available', 'onHold', 'allowSending', 'allowReceiving', 'updatedAt'] as const;

/**
 * Version-guarded writes. ARGV[1] is the TTL in seconds; then, per key, a mode, an expected
 * version and the ENTRY_FIELDS values (id first, version second). Modes:
 * - newer:     write if the entry is missing, belongs to another balance or is at a lower version;
 * - not-older: the same, and also at an equal version (a change that keeps the version: flags);
 * - exact:     write only if the cached version is still `expected` ('' = no entry) — repairs.
 * A newer/not-older write over a well-formed entry of the same balance updates MUTABLE_FIELDS in
 * place; every other write replaces the whole entry. Returns, per key, 1 when written and 0 when refused.
 */
export const STORE_SCRIPT = new LuaScript(`${PRELUDE}
local MUTABLE = {${MUTABLE_FIELDS.map((f) => ENTRY_FIELDS.indexOf(f) + 1).join(', ')}}
local ttl = tonumber(ARGV[1])
local out = {}
for i, key in ipairs(KEYS) do
  local base = 1 + (i - 1) * (NF + 2)
  local mode, expected = ARGV[base + 1], ARGV[base + 2]
  local id, version = ARGV[base + 3], ARGV[base + 4]
  local cached = fields(key, 'id', 'version')
  local write
  if mode == 'exact' then
    write = (cached[2] or '') == expected
  elseif cached[1] ~= id or not isversion(cached[2]) then
    write = true
  else
    local c = cmp(cached[2], version)
    write = c < 0 or (mode == 'not-older' and c == 0)
  end
  if write and mode ~= 'exact' and cached[1] == id and isversion(cached[2]) then
    -- A newer state of the same balance: only the state and the flags can have changed. (A
    -- repair, 'exact', always rewrites the whole entry.)
    local args = {}
    for _, f in ipairs(MUTABLE) do
      args[#args + 1] = FIELDS[f]
      args[#args + 1] = ARGV[base + 2 + f]
    end
    redis.call('HSET', key, unpack(args))
    redis.call('EXPIRE', key, ttl)
    out[i] = 1
  elseif write then
    replace(key, base + 2, ttl)
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
`);

/**
 * A read through the cache. ARGV[1] is the TTL; then, per key, the ENTRY_FIELDS values of the
 * state just read from Postgres. Per key it answers:
 * - {'hit'}: the entry holds exactly that state;
 * - {'newer', version, available, onHold, updatedAt}: the entry is at a higher version (a commit
 *   that landed after the Postgres read);
 * - {'miss'}: no usable entry (missing, another balance, lower version): the Postgres state is
 *   written, so the next read hits;
 * - {'differs'}: same version, other content; left for the sync job (it re-checks Postgres).
 */
export const READ_SCRIPT = new LuaScript(`${PRELUDE}
local ttl = tonumber(ARGV[1])
local out = {}
for i, key in ipairs(KEYS) do
  local base = 1 + (i - 1) * NF
  local cached = fields(key, unpack(FIELDS))
  local usable = cached[1] == ARGV[base + 1] and isversion(cached[2])
  if usable then
    local c = cmp(cached[2], ARGV[base + 2])
    if c > 0 then
      out[i] = {'newer', cached[2], cached[${ENTRY_FIELDS.indexOf('available') + 1}] or '', cached[${ENTRY_FIELDS.indexOf('onHold') + 1}] or '', cached[${ENTRY_FIELDS.indexOf('updatedAt') + 1}] or ''}
    elseif c == 0 then
      local same = true
      for f = 1, NF do
        if cached[f] ~= ARGV[base + f] then same = false end
      end
      if same then out[i] = {'hit'} else out[i] = {'differs'} end
    else
      usable = false
    end
  end
  if not usable then
    replace(key, base, ttl)
    out[i] = {'miss'}
  end
end
return out
`);
