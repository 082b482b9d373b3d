// The one resize-and-convert loop behind ResizeBilinearInto and FrameInto:
// geometry of the resize modes, TensorFlow Lite's half-pixel bilinear rule,
// and the conversion of 8-bit pixels into the input tensor's type, written
// straight into the tensor.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "edgetl/image.h"

namespace edgetl::image_internal {

struct Rect {
  int x = 0, y = 0, w = 0, h = 0;
};

// Which part of the source maps onto which part of the output.
struct Placement {
  Rect from;  // in the source image
  Rect to;    // in the output; pixels outside it get the fill value
};

Placement PlaceForResize(int src_w, int src_h, int out_w, int out_h, ResizeMode mode);

// Source sample positions along one axis for the half-pixel rule:
//   s = (i + 0.5) * from_len / to_len - 0.5, lo = max(floor(s), 0),
//   hi = min(ceil(s), from_len - 1), frac = s - lo, offset by the rect start.
struct Axis {
  std::vector<int> lo, hi;
  std::vector<float> frac;
};
Axis SourceAxis(int from_start, int from_len, int to_len);

// Checks that `input` is [1,H,W,channels] of a type images can fill.
Status CheckImageInput(const TensorView& input, int channels);

// Resizes a `channels`-wide source into `input` (already checked with
// CheckImageInput). `source(y, x, scratch)` returns a pointer to the pixel at
// (y, x): into its own memory, or into `scratch` (room for 4 bytes) after
// converting it. Values are formed in float in the order
//   p00 (1-dy)(1-dx) + p10 dy (1-dx) + p01 (1-dy) dx + p11 dy dx
// and truncated to 8 bits, as TensorFlow Lite's RESIZE_BILINEAR does.
template <typename Source, typename Store>
void ResizeLoop(const Source& source, int channels, const Placement& place, int out_h, int out_w,
                uint8_t fill, Store store) {
  const Axis ys = SourceAxis(place.from.y, place.from.h, place.to.h);
  const Axis xs = SourceAxis(place.from.x, place.from.w, place.to.w);
  uint8_t s00[4], s01[4], s10[4], s11[4];
  size_t i = 0;
  for (int y = 0; y < out_h; ++y) {
    const int ty = y - place.to.y;
    const bool row_inside = ty >= 0 && ty < place.to.h;
    for (int x = 0; x < out_w; ++x, i += channels) {
      const int tx = x - place.to.x;
      if (!row_inside || tx < 0 || tx >= place.to.w) {
        for (int k = 0; k < channels; ++k) store(i + k, fill);
        continue;
      }
      const float dy = ys.frac[ty], dx = xs.frac[tx];
      const uint8_t* p00 = source(ys.lo[ty], xs.lo[tx], s00);
      const uint8_t* p10 = source(ys.hi[ty], xs.lo[tx], s10);
      const uint8_t* p01 = source(ys.lo[ty], xs.hi[tx], s01);
      const uint8_t* p11 = source(ys.hi[ty], xs.hi[tx], s11);
      for (int k = 0; k < channels; ++k) {
        const float v = static_cast<float>(p00[k]) * (1 - dy) * (1 - dx) +
                        static_cast<float>(p10[k]) * dy * (1 - dx) +
                        static_cast<float>(p01[k]) * (1 - dy) * dx +
                        static_cast<float>(p11[k]) * dy * dx;
        store(i + k, static_cast<uint8_t>(v));
      }
    }
  }
}

// Resize + type conversion into `input`, per Preprocessing.
template <typename Source>
Status ResizeInto(const Source& source, int channels, int src_w, int src_h, const TensorView& input,
                  const Preprocessing& pre) {
  EDGETL_RETURN_IF_ERROR(CheckImageInput(input, channels));
  if (src_w <= 0 || src_h <= 0) return InvalidArgument("empty image");
  const int out_h = input.info->shape[1], out_w = input.info->shape[2];
  const Placement place = PlaceForResize(src_w, src_h, out_w, out_h, pre.resize);
  switch (input.info->type) {
    case TensorType::kUInt8: {
      uint8_t* out = input.data.data();
      ResizeLoop(source, channels, place, out_h, out_w, pre.fill,
                 [out](size_t i, uint8_t v) { out[i] = v; });
      break;
    }
    case TensorType::kInt8: {
      int8_t* out = reinterpret_cast<int8_t*>(input.data.data());
      const int shift = pre.raw_int8 ? 0 : 128;
      ResizeLoop(source, channels, place, out_h, out_w, pre.fill,
                 [out, shift](size_t i, uint8_t v) { out[i] = static_cast<int8_t>(v - shift); });
      break;
    }
    case TensorType::kFloat32: {
      // real = (p - mean) / std: the caller's mean/std, else the input's own
      // quantization (real = scale * (p - zero_point)), else [-1, 1].
      float mean = 127.5f, inv_std = 1 / 127.5f;
      const Quantization& q = input.info->quant;
      if (pre.std_dev > 0) {
        mean = pre.mean;
        inv_std = 1 / pre.std_dev;
      } else if (!q.empty() && !q.per_channel() && q.scale[0] > 0) {
        mean = static_cast<float>(q.zero_point.empty() ? 0 : q.zero_point[0]);
        inv_std = q.scale[0];
      }
      float* out = reinterpret_cast<float*>(input.data.data());
      ResizeLoop(source, channels, place, out_h, out_w, pre.fill,
                 [out, mean, inv_std](size_t i, uint8_t v) { out[i] = (v - mean) * inv_std; });
      break;
    }
    default:
      break;  // CheckImageInput refused it
  }
  return Status::Ok();
}

}  // namespace edgetl::image_internal
