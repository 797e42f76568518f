# SPDX-License-Identifier: GPL-2.0
# Build and test entry points; the work is done by scripts/*.sh.
#
#   make / make module  build xen_drm_front.ko against the Debian 6.1 headers
#   make module-arm64   cross-build it for Debian's arm64 6.1 kernel
#   make check          sparse (x86_64, arm64), checkpatch, coccicheck,
#                       kernel-doc, in-tree
#   make intree         in-tree build in linux-source-6.1 (=m, =y), the rst
#   make kunit          KUnit tests under UML
#   make kunit-debug    the same with KASAN, lockdep and object debugging
#   make fuzz           the KUnit fuzz suite alone, long, in the debug kernel:
#                       FUZZ_ITERATIONS (default 2000000), FUZZ_SEED=S to
#                       replay the run that printed "fuzz: N iterations, seed S"
#   make e2e-backend    the system test's displif backend: unit test, EDID check
#   make e2e            system test: Xen + Dom0 (our backend) + DomU (the
#                       module) under QEMU; E2E_TARGETS="x86-pv x86-pvh arm64"
#                       chooses the DomUs (default all three)
#   make stress         its scenario 10 alone (also in make e2e, shortened
#                       there on x86-pvh and arm64), in full on each target:
#                       20 backend kills during flips, 100 unbind/bind
#                       cycles, a device detached while mapped
#   make deb            the DKMS package xen-drm-front-dkms (.deb, in the cache)
#   make deb-test       build it, install it with apt, check what DKMS built,
#                       purge it, check nothing is left
#   make test           all of the above, then "N passed, N failed"
#   make run            the module at work under Xen, its pictures, and how
#                       to load it; TARGET=x86-pvh or arm64 for another DomU
#   make bench-kunit    benchmarks through the driver under UML (simulated Xen)
#   make bench          ours against upstream drm_xen_front under Xen (QEMU)
#   make coverage       KUnit under UML with gcov: line and function coverage
#                       of each driver file, and an HTML report
#   make clean          remove the module build output from the repository
#
# Each target installs the Debian packages it needs (scripts/setup.sh).
# Caches (kernel source, arm64 headers and build, UML build trees, logs, the
# .deb): ~/.cache/xen-drm-front.

# Kernel tree to build the module against. Empty: the newest installed
# /usr/src/linux-headers-6.1.*-amd64, chosen after the packages are set up.
KDIR ?=
export KDIR

.PHONY: all module module-arm64 check intree kunit kunit-debug fuzz e2e-backend e2e stress deb deb-test \
	test run \
	bench-kunit bench coverage clean

all: module

module:
	@scripts/module.sh

module-arm64:
	@scripts/module-arm64.sh

check:
	@scripts/check.sh

intree:
	@scripts/intree.sh

kunit:
	@scripts/kunit.sh normal

kunit-debug:
	@scripts/kunit.sh debug

fuzz:
	@scripts/kunit.sh fuzz

e2e-backend:
	@scripts/e2e-backend.sh test

e2e:
	@scripts/e2e.sh

stress:
	@E2E_SCENARIOS=10 E2E_STRESS=$${E2E_STRESS:-full} scripts/e2e.sh

deb:
	@scripts/deb.sh build

deb-test:
	@scripts/deb.sh test

test:
	@scripts/test.sh

run: module
	@scripts/run.sh

bench-kunit:
	@scripts/bench-kunit.sh

bench:
	@scripts/bench.sh

coverage:
	@scripts/coverage.sh

clean:
	@scripts/clean.sh
