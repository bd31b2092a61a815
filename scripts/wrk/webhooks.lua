-- wrk script: posts signed events prepared by `bench_tool webhooks` to /webhooks/stripe.
-- Arguments (after --): FILE THREADS MODE
--   MODE unique:    every event once; a second send is counted as reused.
--   MODE duplicate: the events again and again (all already delivered).
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local file, nthreads = args[1], tonumber(args[2])
  mode = args[3]
  requests = {}
  local i = 0
  for line in io.lines(file) do
    if i % nthreads == id then
      local _, signature, payload = line:match("^([^\t]+)\t([^\t]+)\t(.+)$")
      table.insert(requests, wrk.format("POST", "/webhooks/stripe",
        { ["Stripe-Signature"] = signature, ["Content-Type"] = "application/json" }, payload))
    end
    i = i + 1
  end
  sent = 0
  reused = 0
end

function request()
  if mode == "unique" and sent >= #requests then reused = reused + 1 end
  local r = requests[(sent % #requests) + 1]
  sent = sent + 1
  return r
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (t:get("reused") or 0) end
  io.write(string.format("bench-reused: %d\n", total))
end
