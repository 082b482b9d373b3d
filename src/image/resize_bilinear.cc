// TensorFlow Lite's RESIZE_BILINEAR (align_corners = false,
// half_pixel_centers = true), applied straight into an input tensor.
//
// For output pixel (y, x) the source position is
//   sy = (y + 0.5) * in_h / out_h - 0.5,   sx likewise,
// with y0 = max(floor(sy), 0), y1 = min(ceil(sy), in_h - 1) (x0, x1 alike) and
//   v = p(y0,x0)(1-dy)(1-dx) + p(y1,x0)dy(1-dx) + p(y0,x1)(1-dy)dx + p(y1,x1)dy dx
// where dy = sy - y0, dx = sx - x0, evaluated in float in exactly this order
// and truncated to 8 bits. Near the top/left edge sy < 0 makes dy negative
// while y0 = y1 = 0, so the weights still sum to one.
#include <cmath>

#include "edgetl/image.h"

namespace edgetl {
namespace {

struct Axis {
  std::vector<int> lo, hi;
  std::vector<float> frac;
};

Axis SourceAxis(int in, int out) {
  Axis a;
  const float scale = static_cast<float>(in) / static_cast<float>(out);
  for (int i = 0; i < out; ++i) {
    const float s = (static_cast<float>(i) + 0.5f) * scale - 0.5f;
    const int lo = std::max(static_cast<int>(std::floor(s)), 0);
    const int hi = std::min(static_cast<int>(std::ceil(s)), in - 1);
    a.lo.push_back(lo);
    a.hi.push_back(hi);
    a.frac.push_back(s - static_cast<float>(lo));
  }
  return a;
}

template <typename Store>
void Resize(const Image& img, int out_h, int out_w, Store store) {
  const Axis ys = SourceAxis(img.height, out_h), xs = SourceAxis(img.width, out_w);
  const int c = img.channels;
  const size_t row = static_cast<size_t>(img.width) * c;
  for (int y = 0; y < out_h; ++y) {
    const uint8_t* r0 = img.pixels.data() + ys.lo[y] * row;
    const uint8_t* r1 = img.pixels.data() + ys.hi[y] * row;
    const float dy = ys.frac[y];
    for (int x = 0; x < out_w; ++x) {
      const float dx = xs.frac[x];
      const int x0 = xs.lo[x] * c, x1 = xs.hi[x] * c;
      for (int k = 0; k < c; ++k) {
        const float v = static_cast<float>(r0[x0 + k]) * (1 - dy) * (1 - dx) +
                        static_cast<float>(r1[x0 + k]) * dy * (1 - dx) +
                        static_cast<float>(r0[x1 + k]) * (1 - dy) * dx +
                        static_cast<float>(r1[x1 + k]) * dy * dx;
        store((static_cast<size_t>(y) * out_w + x) * c + k, static_cast<uint8_t>(v));
      }
    }
  }
}

}  // namespace

Status ResizeBilinearInto(const Image& image, const TensorView& input,
                          const PixelConversion& conversion) {
  const auto& shape = input.info->shape;
  if (shape.size() != 4 || shape[0] != 1 || shape[3] != image.channels) {
    return InvalidArgument("input tensor " + input.info->ShapeString() + " does not take a " +
                           std::to_string(image.channels) + "-channel image (expected [1,H,W," +
                           std::to_string(image.channels) + "])");
  }
  if (image.width <= 0 || image.height <= 0) return InvalidArgument("empty image");
  const int out_h = shape[1], out_w = shape[2];
  switch (input.info->type) {
    case TensorType::kUInt8: {
      uint8_t* out = input.data.data();
      Resize(image, out_h, out_w, [out](size_t i, uint8_t v) { out[i] = v; });
      break;
    }
    case TensorType::kInt8: {
      int8_t* out = reinterpret_cast<int8_t*>(input.data.data());
      const int shift = conversion.raw_int8 ? 0 : 128;
      Resize(image, out_h, out_w,
             [out, shift](size_t i, uint8_t v) { out[i] = static_cast<int8_t>(v - shift); });
      break;
    }
    case TensorType::kFloat32: {
      float* out = reinterpret_cast<float*>(input.data.data());
      Resize(image, out_h, out_w, [out](size_t i, uint8_t v) { out[i] = (v - 127.5f) / 127.5f; });
      break;
    }
    default:
      return InvalidArgument("input tensor type " + TensorTypeName(input.info->type) +
                             " cannot take an image");
  }
  return Status::Ok();
}

}  // namespace edgetl
