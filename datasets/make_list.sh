#!/usr/bin/env bash
# Writes a dataset list (CSV "path,class") for a folder with one subfolder per
# class, so that a dataset can be trimmed, merged or relabelled as text and
# then used with `edgetl embed|imprint|retrain --data LIST.csv`.
#   datasets/make_list.sh DIR > LIST.csv
# Paths are written as given (relative DIR -> relative paths, resolved from
# the list's folder when read: keep the list beside DIR or pass an absolute
# DIR). Only .jpg/.jpeg/.png/.bmp files are listed, sorted.
set -euo pipefail
if [[ $# -ne 1 || ! -d $1 ]]; then
  echo "usage: $0 DATASET_DIR > LIST.csv" >&2
  exit 2
fi
dir=${1%/}
# A CSV field, quoted when it holds a comma or a quote.
csv() {
  if [[ $1 == *[,\"]* ]]; then printf '"%s"' "${1//\"/\"\"}"; else printf '%s' "$1"; fi
}
echo "path,class"
find "$dir" -mindepth 2 -maxdepth 2 -type f \
  \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' -o -iname '*.bmp' \) -print0 |
  LC_ALL=C sort -z |
  while IFS= read -r -d '' file; do
    class=$(basename "$(dirname "$file")")
    echo "$(csv "$file"),$(csv "$class")"
  done
