#!/usr/bin/env bash
# The README's rolling upgrade from PostgreSQL schema version 3, with the real old binary:
# builds `tidings` from the last commit on schema version 3, then runs RollingUpgradeTests
# (Tests/TidingsEndToEndTests/RollingUpgradeTests.swift) with it, against the server that
# TIDINGS_TEST_POSTGRES_URL names. Run after `swift test`, whose build it uses.
set -euo pipefail
cd "$(dirname "$0")/.."

# The parent of 94ea40b, which brought schema version 4 (the commit without locks).
schema3=323542b81d297cbae47d471859a45c819d7d6a3e
test_name='oldAndNewInstancesRecordSideBySideThenTheOldOnesAreReplaced()'

if ! git cat-file -e "$schema3^{commit}" 2>/dev/null; then
    git fetch --quiet origin "$schema3" 2>/dev/null || {
        echo "rolling-upgrade: this clone lacks commit $schema3, and it could not be fetched; a shallow clone needs 'git fetch --unshallow'" >&2
        exit 1
    }
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/old"
git archive "$schema3" | tar -x -C "$work/old"
echo "rolling-upgrade: building tidings at ${schema3:0:7} (schema version 3)"
(cd "$work/old" && swift build --product tidings > "$work/build.log" 2>&1) || {
    tail -n 40 "$work/build.log"
    exit 1
}
old="$(cd "$work/old" && swift build --show-bin-path)/tidings"

TIDINGS_TEST_UPGRADED_FROM="$old" swift test --skip-build --filter RollingUpgradeTests 2>&1 | tee "$work/test.log"
# The suite skips itself without the old binary: make sure it ran here.
grep -q "Test $test_name passed" "$work/test.log" || {
    echo "rolling-upgrade: $test_name did not pass" >&2
    exit 1
}
echo "rolling-upgrade: old and new instances recorded side by side"
