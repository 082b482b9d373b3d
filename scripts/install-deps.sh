#!/usr/bin/env bash
# Installs edgetl's build and test dependencies from Debian's packages.
# Used by the README's set-up commands and by .ci/run.
set -euo pipefail
packages=(
  cmake g++ make pkg-config
  flatbuffers-compiler libflatbuffers-dev   # .tflite format: schema compiled at build time
  libeigen3-dev                             # softmax-regression trainer
  libturbojpeg0-dev                         # JPEG decode with DCT-domain scaling
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev libopencv-videoio-dev
  libgtest-dev libgmock-dev                 # tests
  libbenchmark-dev                          # bench/
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
