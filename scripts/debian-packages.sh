# Sourced by scripts/test.sh: the Debian packages the tests use for real.
#   espeak-ng  speaks the cues of the audio track
#   lame       encodes MP3 quickly
#   chromium   the real browser the web tests drive through Playwright (never a browser download)
#   libpango-1.0-0 libpangoft2-1.0-0  lay out text for WeasyPrint (the report's PDF; needed at run time)
#   poppler-utils  pdftoppm, to turn a report's pages into images to look at
# Installed as root when missing; elsewhere the tests that need them skip (and fail under CI=true).

RETRORUN_DEBIAN_PACKAGES="espeak-ng lame chromium libpango-1.0-0 libpangoft2-1.0-0 poppler-utils"

missing_packages() {
    local package
    for package in $RETRORUN_DEBIAN_PACKAGES; do
        # A program is found by its name; a library (or poppler-utils) by dpkg's record.
        command -v "$package" >/dev/null 2>&1 \
            || dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" \
            || printf '%s ' "$package"
    done
}

missing=$(missing_packages)
if [ -n "$missing" ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "debian: installing $missing" >&2
        apt-get update -qq
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    else
        echo "debian: missing $missing (not root): the tests that need them will skip" >&2
    fi
fi
