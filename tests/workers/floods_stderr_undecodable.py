"""A worker that floods its stderr with 1 MiB of bytes that are not UTF-8, no newline among
them (a binary dump, a mis-set encoding), then says why it exits and exits with code 3."""

import os

chunk = bytes(range(0x80, 0x100)) * 512  # 64 KiB, every byte a lone continuation or a lead
for _ in range(16):
    os.write(2, chunk)
os.write(2, b"\nfatal: no model configured\n")
raise SystemExit(3)
