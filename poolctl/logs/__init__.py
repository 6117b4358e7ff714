"""Test-runner output readers: ExUnit, pytest and JUnit XML, each turned into `Failure` records."""
