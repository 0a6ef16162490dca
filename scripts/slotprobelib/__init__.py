"""slotprobe host harness: boots the slotprobe EFI image under QEMU, speaks the
SP1 host link (README.md, section "Host link"), migrates at guest checkpoints
and reports TAP/JUnit. Standard library only; the modules: scripts/README.md."""
