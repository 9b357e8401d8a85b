# Owned by the fuzzing harness; included from Makefile.am.
#
# make fuzz: libFuzzer targets for every parser of outside data, built with
# clang whatever CC is, each run for FUZZ_SECONDS from a scratch copy of its
# seed corpus (fuzz/corpus/TARGET). Not part of make check.
#   FUZZ_SECONDS   seconds per target (default 30)
#   FUZZ_TARGETS   which targets (default: all of sysfs-parse pci-address
#                  uevent find-device sysfs-read rtnl-parse fleet-format owner-parse
#                  port-name devlink-parse)
#   CLANG          the clang to build with (default clang)
FUZZ_SECONDS = 30
EXTRA_DIST += fuzz/fuzz.mk fuzz/run-fuzz.sh fuzz/fuzz.h \
	fuzz/fuzz-sysfs-parse.c fuzz/fuzz-pci-address.c fuzz/fuzz-uevent.c \
	fuzz/fuzz-find-device.c fuzz/fuzz-sysfs-read.c fuzz/fuzz-rtnl-parse.c fuzz/fuzz-fleet-format.c fuzz/fuzz-owner-parse.c \
	fuzz/fuzz-port-name.c fuzz/fuzz-devlink-parse.c \
	fuzz/sysfs-parse.dict fuzz/pci-address.dict fuzz/uevent.dict fuzz/find-device.dict \
	fuzz/corpus

fuzz: config.h
	$(AM_V_at)CLANG='$(CLANG)' FUZZ_SECONDS='$(FUZZ_SECONDS)' FUZZ_TARGETS='$(FUZZ_TARGETS)' \
	FUZZ_SRCDIR='$(abs_top_srcdir)' FUZZ_BUILDDIR='$(abs_top_builddir)' \
	UDEV_CFLAGS='$(UDEV_CFLAGS)' UDEV_LIBS='$(UDEV_LIBS)' LIBMNL_CFLAGS='$(LIBMNL_CFLAGS)' LIBMNL_LIBS='$(LIBMNL_LIBS)' WARN_CFLAGS='$(WARN_CFLAGS)' \
	$(SHELL) $(srcdir)/fuzz/run-fuzz.sh

clean-local: clean-fuzz
clean-fuzz:
	-rm -rf fuzz/out
.PHONY: fuzz clean-fuzz
