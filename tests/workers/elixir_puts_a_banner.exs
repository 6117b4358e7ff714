#!/usr/bin/env elixir
# A line-framed JSON worker in Elixir that greets with IO.puts (standard_io: stdout) before
# its first answer. No JSON library: the id is read with a regex and the answer written by hand.
IO.puts("Elixir worker ready")

Stream.repeatedly(fn -> IO.gets("") end)
|> Enum.take_while(&is_binary/1)
|> Enum.each(fn line ->
  [_, id] = Regex.run(~r/"id"\s*:\s*(\d+)/, line)
  IO.binwrite(~s({"id": #{id}, "success": true, "result": {}}\n))
end)
