# slotprobe - build the EFI test image, run it, test everything.
#
#   make            build/slotprobe.efi and build/tests.json (its tests, listed)
#   make esp        build/esp.img (FAT, EFI/BOOT/BOOTX64.EFI) for USB sticks / disk boot
#   make run        build, boot under QEMU + OVMF, run the default plan (with a live migration)
#   make check      every test: host unit tests, harness tests, guest tests under QEMU
#   make unit / harness-tests / guest-tests    one part of make check
#   make bench      benchmark figures
#   make deps       install missing Debian packages (as root)

CLANG    ?= clang
NASM     ?= nasm
LLD      ?= ld.lld
OBJCOPY  ?= objcopy
HOSTCC   ?= gcc
PYTHON   ?= /usr/bin/python3
EFI_INC  ?= /usr/include/efi
EFI_LIB  ?= /usr/lib

B := build

# Every source in boot/, lib/*/ and tests/ (one file per guest test) goes into the image.
# lib/ is grouped by subsystem (README: Layout); each folder (and lib/ itself,
# for a module not yet placed) is on the include path, so sources include
# "name.h" wherever the header lives.
LIB_DIRS := lib $(patsubst %/,%,$(sort $(dir $(wildcard lib/*/*.[ch]))))
LIB_INC  := $(addprefix -I,$(LIB_DIRS))
FW_C   := $(wildcard boot/*.c) $(wildcard $(addsuffix /*.c,$(LIB_DIRS))) $(wildcard tests/*.c)
FW_ASM := $(wildcard boot/*.asm)
FW_OBJ := $(FW_C:%.c=$(B)/fw/%.o) $(FW_ASM:%.asm=$(B)/fw/%.o) $(B)/fw/build_id.o

FW_CFLAGS := -target x86_64-unknown-linux-gnu -std=gnu11 -O2 -g \
	-ffreestanding -fno-builtin -fno-stack-protector -fno-strict-aliasing \
	-fpic -fshort-wchar -mno-red-zone -mgeneral-regs-only \
	-Wall -Wextra -Werror -Wno-unused-parameter \
	-I. $(LIB_INC) -I$(EFI_INC) -I$(EFI_INC)/x86_64 -DGNU_EFI_USE_MS_ABI \
	-MMD -MP
FW_LDFLAGS := -nostdlib -shared -Bsymbolic --no-undefined --apply-dynamic-relocs \
	-z nocombreloc -z norelro -T linker.ld

# The host build of lib/ for unit tests: no libc.c (the host has one), no
# runtime.c and fault.c (they own the machine: EFI-only); printf & co. renamed
# (host_names.h).
HOST_LIB_C := $(filter-out lib/libc/libc.c lib/runtime/runtime.c lib/machine/fault.c,\
	$(wildcard $(addsuffix /*.c,$(LIB_DIRS))))
UNIT_C     := $(wildcard tests/unit/test_*.c)
UNIT_SUPPORT_C := $(filter-out $(UNIT_C),$(wildcard tests/unit/*.c))
HOST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-I. $(LIB_INC) -MMD -MP -fsanitize=address,undefined -fno-omit-frame-pointer
RENAME := -include tests/unit/host_names.h
UNIT_OBJ := $(HOST_LIB_C:%.c=$(B)/host/%.o) $(UNIT_C:%.c=$(B)/host/%.o) \
	$(UNIT_SUPPORT_C:%.c=$(B)/host/support/%.o)

.PHONY: all esp run check unit harness-tests guest-tests bench deps clean
all: $(B)/slotprobe.efi $(B)/tests.json

deps:
	@scripts/ensure-deps

$(B)/fw/%.o: %.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FW_CFLAGS) -c $< -o $@

$(B)/fw/%.o: %.asm
	@mkdir -p $(dir $@)
	$(NASM) -f elf64 -g -MD $(@:.o=.d) -o $@ $<

# The build id names the exact sources: it changes when any of them does.
$(B)/fw/build_id.c: $(FW_C) $(FW_ASM) $(wildcard $(addsuffix /*.h,$(LIB_DIRS)) $(addsuffix /*.def,$(LIB_DIRS))) linker.ld Makefile
	@mkdir -p $(dir $@)
	@id=$$(cat $^ | sha256sum | cut -c1-12); \
	echo "const char slotprobe_build_id[] = \"$$id\";" > $@.tmp && mv $@.tmp $@

$(B)/fw/build_id.o: $(B)/fw/build_id.c
	$(CLANG) $(FW_CFLAGS) -c $< -o $@

$(B)/slotprobe.so: $(FW_OBJ) linker.ld
	$(LLD) $(FW_LDFLAGS) $(EFI_LIB)/crt0-efi-x86_64.o $(FW_OBJ) \
		$(EFI_LIB)/libgnuefi.a -o $@

# ELF -> PE32+ EFI application, then verify the result (scripts/check-efi-image).
$(B)/slotprobe.efi: $(B)/slotprobe.so scripts/check-efi-image
	$(OBJCOPY) -j .text -j .data -j .dynamic -j .dynsym -j .rela -j .reloc \
		--target efi-app-x86_64 --subsystem=10 $< $@.tmp
	$(PYTHON) scripts/check-efi-image $@.tmp
	mv $@.tmp $@

# The image's own list of its tests, parameters and checkpoints, read from
# its GUEST_TEST descriptors: what the harness knows the tests by.
$(B)/tests.json: $(B)/slotprobe.so scripts/list-tests
	$(PYTHON) scripts/list-tests $< > $@.tmp
	mv $@.tmp $@

esp: $(B)/esp.img
$(B)/esp.img: $(B)/slotprobe.efi
	rm -f $@.tmp
	mformat -i $@.tmp -C -T 16384 -h 16 -s 32 -v SLOTPROBE ::
	mmd -i $@.tmp ::/EFI ::/EFI/BOOT
	mcopy -i $@.tmp $< ::/EFI/BOOT/BOOTX64.EFI
	mv $@.tmp $@

# Host unit tests of lib/ against the simulated machine.
$(B)/host/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(RENAME) -c $< -o $@
$(B)/host/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(RENAME) -c $< -o $@
$(B)/host/support/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@
$(B)/host/unit-tests: $(UNIT_OBJ)
	$(HOSTCC) $(HOST_CFLAGS) $^ -o $@

unit: $(B)/host/unit-tests
	$(B)/host/unit-tests

harness-tests:
	$(PYTHON) scripts/run-harness-tests

# The guest plan part of make check (scripts/run-checks), same entries and jobs.
SLOTPROBE_JOBS ?= 2
guest-tests: deps all
	$(PYTHON) scripts/slotprobe run --group check --jobs $(SLOTPROBE_JOBS)

run: deps all
	$(PYTHON) scripts/slotprobe run

check: deps all esp $(B)/host/unit-tests
	@scripts/run-checks

# Warm and cold side by side, make check's wall time included (several minutes).
bench: deps all
	$(PYTHON) scripts/bench --check

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
