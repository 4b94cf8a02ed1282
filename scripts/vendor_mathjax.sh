#!/usr/bin/env bash
# Refresh the MathJax 3 subset that the HTML book serves itself (book/_static/mathjax), so that maths is
# typeset with no network: the tex-chtml bundle, its CommonHTML web fonts and the TeX extensions that
# the bundle autoloads (\color, \cancel, \boldsymbol, ...). About 2.2 MB; the accessibility explorer
# (a11y/sre, ~4 MB) is left out: it loads only when a reader turns it on in MathJax's context menu.
# Usage: bash scripts/vendor_mathjax.sh [VERSION]   (needs npm and the npm registry; default 3.2.2)
set -euo pipefail
version="${1:-3.2.2}"
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/book/_static/mathjax"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "mathjax@$version" >/dev/null && tar xzf mathjax-*.tgz)
src="$work/package"
rm -rf "$dest"
mkdir -p "$dest/output/chtml/fonts" "$dest/input/tex"
cp "$src/LICENSE" "$dest/LICENSE"
cp "$src/es5/tex-chtml.js" "$dest/tex-chtml.js"
cp -r "$src/es5/output/chtml/fonts/woff-v2" "$dest/output/chtml/fonts/woff-v2"
cp -r "$src/es5/input/tex/extensions" "$dest/input/tex/extensions"
printf 'MathJax %s (npm package "mathjax", Apache-2.0), subset made by scripts/vendor_mathjax.sh.\n' \
  "$(node -p "require('$src/package.json').version")" > "$dest/VERSION.txt"
du -sh "$dest"
