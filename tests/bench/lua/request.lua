-- The request a benchmark sends. The harness defines, before this file, any of:
--   method, body, content_type: for every request (e.g. a POST with a JSON body)
--   paths: a list of paths, one picked at random for each request (e.g. records to read)
if method then wrk.method = method end
if body then wrk.body = body end
if content_type then wrk.headers["Content-Type"] = content_type end

if paths then
  math.randomseed(6)
  request = function()
    return wrk.format(nil, paths[math.random(#paths)])
  end
end
