#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the driver in tree, as it would be upstream: our drivers/gpu/drm/xen/
# and displif.h copied over the older driver in Debian's linux-source-6.1,
# an x86_64 kernel with Xen guest support, then only modules_prepare and our
# directory, W=1 and sparse (C=2), once with the driver =m and once =y. A
# whole kernel build would take far too long on two cores. Also renders
# Documentation/gpu/xen-front.rst. Fails on any compiler, sparse or
# documentation warning in our files.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

"$SCRIPTS/setup.sh" intree

# Our own copy of the source: the KUnit tree (src_tree) is overlaid with
# tests/ and locked by the KUnit runs, and its .config must not change.
top=$(intree_top)
mkdir -p "$LOGS"
# One run at a time per package version, whichever clone it comes from:
# they share the tree and the build directories.
lock_src "$top/tree"

# Leftovers of an interrupted run (we hold the lock: nobody else's).
rm -rf "$top"/.tmp.* "$top"/.extract.*
src=$(intree_tree)

# Make the tree's driver directory and displif.h the repository's. Like
# overlay() in lib.sh, but without tests/ (the KUnit build's; coccicheck's
# overlay puts them here), and the old driver's files go (--delete).
# --checksum: a fresh clone's files all have new mtimes; rewriting only
# what differs keeps warm builds incremental.
# Only sources: objects of a module build in the repository stay out.
sync=(rsync --recursive --checksum --delete --delete-excluded)
"${sync[@]}" --exclude='*.mod.c' --include=Kconfig --include=Makefile \
	--include=Kbuild --include='*.[ch]' --exclude='*' \
	"$REPO/$DRIVER_DIR/" "$src/$DRIVER_DIR/"
for f in "$DISPLIF" Documentation/gpu/xen-front.rst; do
	if [[ -f $REPO/$f ]]; then
		rsync --checksum "$REPO/$f" "$src/$f"
	fi
done

# Our files' warnings and errors: compiler (file:line:col:), sparse (the
# same) and objtool (file.o: warning:). Paths are absolute with O=.
our_re="(^|[ /])$DRIVER_DIR/[^ :]*:([0-9]+:)* (warning|error)"
# ours LOG: show our files' warnings in LOG, with the repository's paths.
ours() {
	grep -E "$our_re" "$1" | sed "s|$src/||" >&2
}

# kmake BUILD ARGS...: make in the tree with the build directory BUILD.
# -Werror: a warning must leave no object behind, or the next (warm) run
# would not recompile the file and would pass. W=1 and KCFLAGS are the
# same for modules_prepare and our directory, so that neither rebuilds
# what the other built.
kmake() {
	local build=$1
	shift
	make -C "$src" O="$build" W=1 KCFLAGS=-Werror -j"$JOBS" "$@"
}

# configure DIR: .config in DIR from x86_64_defconfig, xen.config and our
# fragment DIR/intree.config.
configure() {
	kmake "$1" x86_64_defconfig xen.config &&
		"$src/scripts/kconfig/merge_config.sh" -m -O "$1" \
			"$1/.config" "$1/intree.config" &&
		kmake "$1" olddefconfig
}

# configured DIR: whether DIR/.config has every line of our fragment.
# Kconfig drops what it cannot satisfy without a word.
configured() {
	local line
	while read -r line; do
		grep -qFx "$line" "$1/.config" || return 1
	done <"$1/intree.config"
}

# build NAME VALUE: configure, prepare and build our directory with
# CONFIG_DRM_XEN_FRONTEND=VALUE in a build directory of its own.
build() {
	local name=$1 value=$2 frag hash dir tmp log
	log=$LOGS/intree-$name.log
	# The fragment on top of x86_64_defconfig + xen.config. Built in, the
	# driver needs DRM built in too (x86_64_defconfig has it).
	frag="CONFIG_DRM=y
CONFIG_DRM_XEN_FRONTEND=$value"
	hash=$(printf 'x86_64_defconfig xen.config\n%s\n' "$frag" | sha256sum)
	dir=$top/build-$name-${hash:0:12}
	say "in-tree($name): $dir, log $log"
	: >"$log"
	if [[ ! -f $dir/.config ]]; then
		# Configured in a temporary directory, renamed when the .config
		# is complete: the directory exists only with the right config.
		tmp=$(mktemp -d "$top/.tmp.build-$name.XXXXXX")
		printf '%s\n' "$frag" >"$tmp/intree.config"
		if ! configure "$tmp" >>"$log" 2>&1; then
			warn "in-tree($name): configuration failed (log: $log)"
			tail -n 40 "$log" >&2
			return 1
		fi
		mv -T "$tmp" "$dir"
	fi
	# modules_prepare first: it brings .config up to date with our
	# Kconfig. A Kconfig that once dropped the driver (a dependency it
	# could not meet) leaves it dropped after the fix: configure again.
	if ! { kmake "$dir" modules_prepare &&
		{ configured "$dir" ||
			{ echo "in-tree: configuring again" &&
				configure "$dir" && kmake "$dir" modules_prepare; }; } &&
		kmake "$dir" C=2 CHECK=sparse "$DRIVER_DIR/"; } >>"$log" 2>&1; then
		warn "in-tree($name): build failed (log: $log)"
		ours "$log" || tail -n 40 "$log" >&2
		return 1
	fi
	if ! configured "$dir"; then
		warn "in-tree($name): Kconfig drops a line of $dir/intree.config"
		return 1
	fi
	if ours "$log"; then
		warn "in-tree($name): warnings in our files (log: $log)"
		return 1
	fi
	# Make sure the build did what it says: the module object, or the
	# driver in the directory's built-in.a.
	case $value in
	m) [[ -f $dir/$DRIVER_DIR/xen_drm_front.o ]] ;;
	y) [[ $(ar t "$dir/$DRIVER_DIR/built-in.a") == *xen_drm_front* ]] ;;
	esac || { warn "in-tree($name): no driver in the build output"; return 1; }
}

# Documentation/gpu/xen-front.rst: kernel-doc on the files its kernel-doc
# directives name, then docutils, failing on any warning. Not the kernel's
# Sphinx: make htmldocs works per top-level directory, and SPHINXDIRS=gpu
# renders all of Documentation/gpu/ with its hundreds of kernel-doc
# directives and warnings: 7 min cold here, more than 3 min warm.
# docutils does not know Sphinx's kernel-doc directive: it becomes a no-op
# there, its files being checked by kernel-doc itself.
docs() {
	local rst=Documentation/gpu/xen-front.rst log=$LOGS/intree-docs.log
	local -a kdoc=()
	[[ -f $src/$rst ]] || return 0
	mapfile -t kdoc < <(sed -n 's/^\.\. kernel-doc:: *//p' "$src/$rst" | sort -u)
	: >"$log"
	if ((${#kdoc[@]} > 0)); then
		(cd "$src" && perl scripts/kernel-doc -none "${kdoc[@]}") >>"$log" 2>&1 ||
			echo "kernel-doc failed" >>"$log"
	fi
	# Debian's python3, which has python3-docutils, whatever is first in PATH.
	if ! /usr/bin/python3 - "$src/$rst" >>"$log" 2>&1 <<-'PY'; then
		import sys
		import docutils.core
		from docutils.parsers.rst import Directive, directives

		class AnyOption(dict):
		    def __missing__(self, key):
		        return directives.unchanged

		class KernelDoc(Directive):
		    required_arguments = 1
		    # Non-empty, or docutils allows no options at all.
		    option_spec = AnyOption(doc=directives.unchanged)
		    def run(self):
		        return []

		directives.register_directive("kernel-doc", KernelDoc)
		path = sys.argv[1]
		with open(path, encoding="utf-8") as f:
		    docutils.core.publish_string(
		        f.read(), source_path=path, writer_name="html",
		        settings_overrides={"report_level": 2, "halt_level": 5,
		                            "warning_stream": sys.stdout})
	PY
		echo "docutils failed" >>"$log"
	fi
	# Any output is a warning (kernel-doc warns without failing).
	if [[ -s $log ]]; then
		sed "s|$src/||" "$log" >&2
		return 1
	fi
}

failed=()
step() {
	local name=$1 start=$SECONDS
	shift
	if "$@"; then
		say "in-tree: $name ok ($((SECONDS - start)) s)"
	else
		say "in-tree: $name FAILED ($((SECONDS - start)) s)"
		failed+=("$name")
	fi
}
step "=m" build m m
step "=y" build y y
step docs docs
((${#failed[@]} == 0)) || die "in-tree failed: ${failed[*]}"
