# A {packet, 4} worker run as an Elixir script that puts standard_io in unicode mode (to print
# accents in its logs, say) and writes its frames with IO.binwrite: each byte over 127, of the
# length header and of the UTF-8 text alike, goes out as two UTF-8 bytes. An argument is a start
# slower than that many milliseconds (a loaded machine's Elixir boot); `busy MS`, one that spends
# them on the CPU (a boot slowed on a loaded machine, still at work).
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

defmodule Boot do
  # a boot still at work on the CPU, its request already taken from the pipe by the VM
  def spin(until) do
    if System.monotonic_time(:millisecond) < until, do: spin(until), else: :ok
  end
end

case System.argv() do
  ["busy", ms] -> Boot.spin(System.monotonic_time(:millisecond) + String.to_integer(ms))
  [ms] -> Process.sleep(String.to_integer(ms))
  _ -> :ok
end

Worker.loop()
