-- wrk script: replays shopper sessions prepared by `bench_tool sessions`.
-- Arguments (after --): FILE THREADS MODE [PRODUCT_IDS]
-- Each session is a client of its own behind the shop's (trusted) proxy: X-Forwarded-For
-- gives it an address made from its line number.
--   MODE cart:     each request adds one of a product to the session's cart; sessions take
--                  turns, and the product changes every round (PRODUCT_IDS, comma-separated).
--   MODE checkout: each request checks out one session's cart; a session is used once (a
--                  second use would continue the order already placed, so it is counted).
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
  local products = {}
  for p in (args[4] or ""):gmatch("[^,]+") do table.insert(products, p) end
  sessions = {}
  local i = 0
  for line in io.lines(file) do
    if i % nthreads == id then
      local cookie, token = line:match("^([^\t]+)\t([^\t]+)$")
      local address = string.format("10.%d.%d.%d",
        math.floor(i / 65536) % 256, math.floor(i / 256) % 256, i % 256)
      table.insert(sessions, { cookie = cookie, token = token, address = address })
    end
    i = i + 1
  end
  requests = {}
  local headers = function(s)
    return { ["Cookie"] = s.cookie, ["Content-Type"] = "application/x-www-form-urlencoded",
             ["X-Forwarded-For"] = s.address }
  end
  if mode == "checkout" then
    -- A complete form, as the review page sends it: an address in a country the shop ships to
    -- and the first shipping method the shop starts with.
    local shipping = "&ship_name=Bench+Shopper&ship_line1=1+Main+St&ship_line2=&ship_city=Springfield"
      .. "&ship_postal_code=12345&ship_country=US&shipping_method=standard&discount_code="
    for _, s in ipairs(sessions) do
      table.insert(requests, wrk.format("POST", "/checkout", headers(s),
        "csrf_token=" .. s.token .. "&email=bench%40example.com" .. shipping))
    end
  else
    -- One request per (session, product): round r adds product r to every session's cart.
    for _, p in ipairs(products) do
      for _, s in ipairs(sessions) do
        table.insert(requests, wrk.format("POST", "/cart/items", headers(s),
          "csrf_token=" .. s.token .. "&product_id=" .. p .. "&quantity=1"))
      end
    end
  end
  sent = 0
  reused = 0
end

function request()
  if mode == "checkout" and sent >= #requests then reused = reused + 1 end
  local r = requests[(sent % #requests) + 1]
  sent = sent + 1
  return r
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (t:get("reused") or 0) end
  io.write(string.format("bench-reused: %d\n", total))
end
