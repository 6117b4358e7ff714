#!/usr/bin/env ruby
# A Ruby worker whose start requires a gem that is not installed: Ruby reports the LoadError
# on stderr, its first line naming the require, and exits 1 before reading any request.
require "json"
require "no_such_gem_for_poolctl"
