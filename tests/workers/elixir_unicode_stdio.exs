# A {packet, 4} worker run as an Elixir script that puts standard_io in unicode mode (to print
# accents in its logs, say) and writes its frames with IO.binwrite: each byte over 127, of the
# length header and of the UTF-8 text alike, goes out as two UTF-8 bytes. An argument is a start
# slower than that many milliseconds (a loaded machine's Elixir boot).
:io.setopts(:standard_io, encoding: :unicode)

defmodule Worker do
  def loop do
    case IO.binread(:stdio, 4) do
      <<size::32>> ->
        request = IO.binread(:stdio, size)
        [_, id] = Regex.run(~r/"id":\s*(\d+)/, request)
        body = ~s({"id":#{id},"success":true,"result":{"status":"ok","city":"Zürich"}})
        IO.binwrite(:stdio, <<byte_size(body)::32>> <> body)
        loop()

      _ ->
        :ok
    end
  end
end

case System.argv() do
  [ms] -> Process.sleep(String.to_integer(ms))
  _ -> :ok
end

Worker.loop()
