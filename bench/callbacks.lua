-- wrk script: POSTs the pre-signed callbacks of $TIDINGS_BENCH_REQUESTS (make_requests.py),
-- each thread taking every n-th line, in order, and starting over when done (repeats are
-- then duplicates, which servers acknowledge too).
--
-- $TIDINGS_BENCH_DELAY_MS, if set, makes each connection pause that long between requests:
-- with C connections, about C * 1000 / delay requests a second (a steady rate).
local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

function init(args)
   -- Lines are dealt out over TIDINGS_BENCH_SHARES shares; this thread takes share
   -- TIDINGS_BENCH_FIRST_SHARE + its id (so two wrk processes can split one file).
   local total = tonumber(os.getenv("TIDINGS_BENCH_SHARES") or "2")
   local share = tonumber(os.getenv("TIDINGS_BENCH_FIRST_SHARE") or "0") + id
   requests = {}
   local line_number = 0
   for line in io.lines(os.getenv("TIDINGS_BENCH_REQUESTS")) do
      if line_number % total == share then
         local signature, body = line:match("([^\t]+)\t(.*)")
         requests[#requests + 1] = wrk.format("POST", wrk.path, {
            ["Content-Type"] = "application/x-www-form-urlencoded",
            ["X-Twilio-Signature"] = signature,
         }, body)
      end
      line_number = line_number + 1
   end
   index = 0
   pause = tonumber(os.getenv("TIDINGS_BENCH_DELAY_MS") or "0")
end

function request()
   index = index % #requests + 1
   return requests[index]
end

if (tonumber(os.getenv("TIDINGS_BENCH_DELAY_MS") or "0")) > 0 then
   function delay()
      return pause
   end
end
