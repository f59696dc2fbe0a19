#!/usr/bin/env bash
# Install the pinned browser runtimes (package-lock.json) and copy what the site
# serves into book/_assets/site/, which _config.yml publishes at the site root
# through html_extra_path:
#   widgets/require.js                     RequireJS (the widget manager is AMD)
#   widgets/html-manager/dist/embed-amd.js @jupyter-widgets/html-manager + its fonts
#   mathjax/                               MathJax 3 (tex-chtml + fonts, lazy-loaded parts)
# node_modules/ and site/ are build outputs (.gitignore).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules ] || ! cmp -s package-lock.json node_modules/.package-lock.json.copy; then
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
  cp package-lock.json node_modules/.package-lock.json.copy
fi
rm -rf site
mkdir -p site/widgets/html-manager/dist site/mathjax

cp node_modules/requirejs/require.js site/widgets/require.js
hm=node_modules/@jupyter-widgets/html-manager/dist
cp "$hm"/embed-amd.js "$hm"/*.woff "$hm"/*.woff2 "$hm"/*.ttf "$hm"/*.eot "$hm"/*.svg \
  site/widgets/html-manager/dist/
# No source maps are shipped: drop the comment so browser tools do not ask for them.
sed -i '/^\/\/# sourceMappingURL=/d' site/widgets/html-manager/dist/embed-amd.js
# Licence files ship with what they cover; a missing one stops the script (set -e), it is
# never skipped. The html-manager npm package has no LICENSE file (BSD-3-Clause in its
# package.json), so ours is in licenses/; embed.js.LICENSE.txt lists the bundled packages.
# RequireJS carries its licence in the header of require.js.
cp licenses/jupyter-widgets-html-manager.LICENSE site/widgets/html-manager/LICENSE
cp "$hm"/embed.js.LICENSE.txt site/widgets/html-manager/dist/THIRD-PARTY-LICENSES.txt
grep -q "@license RequireJS" site/widgets/require.js

mj=node_modules/mathjax/es5
cp "$mj"/tex-chtml.js site/mathjax/
cp -r "$mj"/input "$mj"/output "$mj"/ui "$mj"/a11y "$mj"/adaptors "$mj"/sre site/mathjax/
rm -rf site/mathjax/output/svg site/mathjax/output/svg.js
cp node_modules/mathjax/LICENSE site/mathjax/
echo "site assets: $(du -sh site | cut -f1) in book/_assets/site"
