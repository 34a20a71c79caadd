-- wrk script: GET /v1/messages/{sid} for random messages among the first
-- $TIDINGS_BENCH_MESSAGES of prefix $TIDINGS_BENCH_PREFIX (as bench-fill stores them).
function init(args)
   prefix = os.getenv("TIDINGS_BENCH_PREFIX") or "SMf1"
   count = tonumber(os.getenv("TIDINGS_BENCH_MESSAGES") or "1000000")
   width = 34 - #prefix
   math.randomseed(os.time() + (id or 0))
end

function request()
   local sid = prefix .. string.format("%0" .. width .. "x", math.random(0, count - 1))
   return wrk.format("GET", "/v1/messages/" .. sid)
end

-- With $TIDINGS_BENCH_RATE, each thread sends that many lookups a second (pacing.lua).
delay = dofile("bench/pacing.lua").delay(os.getenv("TIDINGS_BENCH_RATE"))
