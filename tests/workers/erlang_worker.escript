#!/usr/bin/env escript
%%! -noshell -noinput
%% A packet-4 JSON worker in Erlang, as a port program: open_port({fd, 0, 1}, [{packet, 4}])
%% frames stdin and stdout like the VM on the other side of an Erlang port does.
%% With "banner" it first writes a line of text to stdout through io:format.
main(Args) ->
    case lists:member("banner", Args) of
        true -> io:format("erlang worker starting~n");
        false -> ok
    end,
    Port = open_port({fd, 0, 1}, [{packet, 4}, binary, eof]),
    loop(Port).

loop(Port) ->
    receive
        {Port, {data, Request}} ->
            Id = case re:run(Request, "\"id\"\\s*:\\s*(\\d+)", [{capture, [1], binary}]) of
                {match, [I]} -> I;
                nomatch -> <<"null">>
            end,
            port_command(Port, <<"{\"id\":", Id/binary,
                                 ",\"success\":true,\"result\":{\"status\":\"ok\",\"worker\":\"erlang\"}}">>),
            loop(Port);
        {Port, eof} ->
            halt(0)
    end.
