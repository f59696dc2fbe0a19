#!/usr/bin/env bash
# Install the pinned browser runtimes (package-lock.json) and copy what the site
# serves into book/_assets/site/, which _config.yml publishes at the site root
# through html_extra_path:
#   mathjax/   MathJax 3 (tex-chtml + fonts, lazy-loaded parts)
# (The notebooks' ipywidgets sliders are drawn without the ipywidgets runtime:
# book/_assets/frame_sliders.py.)
# node_modules/ and site/ are build outputs (.gitignore).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules ] || ! cmp -s package-lock.json node_modules/.package-lock.json.copy; then
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
  cp package-lock.json node_modules/.package-lock.json.copy
fi
rm -rf site
mkdir -p site/mathjax

mj=node_modules/mathjax/es5
cp "$mj"/tex-chtml.js site/mathjax/
cp -r "$mj"/input "$mj"/output "$mj"/ui "$mj"/a11y "$mj"/adaptors "$mj"/sre site/mathjax/
rm -rf site/mathjax/output/svg site/mathjax/output/svg.js
cp node_modules/mathjax/LICENSE site/mathjax/
echo "site assets: $(du -sh site | cut -f1) in book/_assets/site"
