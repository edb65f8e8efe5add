#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch.sh [PATCH...]: checkpatch --strict on the series (default: the
# assembled series in build/series). Exit status 1 if anything is reported.
. "$(dirname "$0")/lib.sh"

"$TOP/scripts/source.sh"
[ $# -gt 0 ] || { "$TOP/scripts/series.sh" --quiet; set -- "$BUILD"/series/fixes/*.patch "$BUILD"/series/0*.patch; }
dict=/usr/lib/python3/dist-packages/codespell_lib/data/dictionary.txt
[ -r "$dict" ] || die "codespell dictionary missing; run: apt-get install codespell"
# Debian's python3 (with python3-ply) for scripts/spdxcheck.py
out=$(cd "$KREPO" && PATH=/usr/bin:$PATH perl scripts/checkpatch.pl --strict \
	--codespell --codespellfile "$dict" --terse --show-types "$@" 2>&1 |
	grep -v '^total:' || true)
if [ -n "$out" ]; then
	printf '%s\n' "$out"
	die "checkpatch --strict: the lines above need fixing"
fi
say "checkpatch --strict: $# patches clean"
