-- wrk: async submits of `true` as form posts.
wrk.method = "POST"
wrk.body = "command=true&sync=0"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
