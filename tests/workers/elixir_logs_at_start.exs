#!/usr/bin/env elixir
# A line-framed JSON worker in Elixir that logs with Logger as it starts: Logger's console
# writes to stdout by default (Elixir 1.14, OTP 24: checked), a blank line and then
# `12:00:00.000 [info] worker booting`, before its first answer.
require Logger
Logger.info("worker booting")
Logger.flush()

Stream.repeatedly(fn -> IO.gets("") end)
|> Enum.take_while(&is_binary/1)
|> Enum.each(fn line ->
  [_, id] = Regex.run(~r/"id"\s*:\s*(\d+)/, line)
  IO.binwrite(~s({"id": #{id}, "success": true, "result": {}}\n))
end)
