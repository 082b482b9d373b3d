// Camera frames (packed RGB variants and YUV 4:2:2 / 4:2:0) to RGB.
#include <algorithm>
#include <cmath>

#include "image/resize_into.h"

namespace edgetl {
namespace {

// BT.601 full-range YUV to RGB, rounded and clamped.
inline void YuvToRgb(int y, int u, int v, uint8_t* rgb) {
  const float d = static_cast<float>(u - 128), e = static_cast<float>(v - 128);
  const float r = y + 1.402f * e, g = y - 0.344136f * d - 0.714136f * e, b = y + 1.772f * d;
  rgb[0] = static_cast<uint8_t>(std::clamp(std::lround(r), 0L, 255L));
  rgb[1] = static_cast<uint8_t>(std::clamp(std::lround(g), 0L, 255L));
  rgb[2] = static_cast<uint8_t>(std::clamp(std::lround(b), 0L, 255L));
}

struct Layout {
  int bytes_per_pixel = 0;  // packed formats; 0 for planar
  bool subsampled420 = false;
};

Layout LayoutOf(PixelFormat f) {
  switch (f) {
    case PixelFormat::kRGB888:
    case PixelFormat::kBGR888:
      return {3, false};
    case PixelFormat::kRGBA8888:
      return {4, false};
    case PixelFormat::kYUYV:
      return {2, false};
    case PixelFormat::kNV12:
    case PixelFormat::kNV21:
    case PixelFormat::kI420:
      return {0, true};
  }
  return {};
}

// Validates a frame's size, stride and buffer; returns the first plane's
// stride in bytes.
Result<size_t> CheckFrame(const Frame& f) {
  const int w = f.width, h = f.height;
  if (w <= 0 || h <= 0 || w > 32768 || h > 32768) {
    return InvalidArgument("frame size " + std::to_string(w) + "x" + std::to_string(h) +
                           " is not usable");
  }
  const Layout layout = LayoutOf(f.format);
  if ((layout.subsampled420 && (w % 2 || h % 2)) || (f.format == PixelFormat::kYUYV && w % 2)) {
    return InvalidArgument("frame size " + std::to_string(w) + "x" + std::to_string(h) +
                           " must be even for a chroma-subsampled format");
  }
  const int row = layout.bytes_per_pixel ? w * layout.bytes_per_pixel : w;
  const size_t stride = f.stride > 0 ? static_cast<size_t>(f.stride) : static_cast<size_t>(row);
  if (stride < static_cast<size_t>(row)) {
    return InvalidArgument("frame stride " + std::to_string(stride) + " is shorter than a row of " +
                           std::to_string(row) + " bytes");
  }
  size_t needed = stride * (h - 1) + row;
  if (f.format == PixelFormat::kNV12 || f.format == PixelFormat::kNV21) {
    needed = stride * h + stride * (h / 2 - 1) + w;
  } else if (f.format == PixelFormat::kI420) {
    needed = stride * h + 2 * (stride / 2) * (h / 2);
  }
  if (f.data.size() < needed) {
    return InvalidArgument("frame buffer holds " + std::to_string(f.data.size()) +
                           " bytes, the layout needs " + std::to_string(needed));
  }
  return stride;
}

// The RGB pixel at (y, x) of a checked frame: a pointer into the frame for
// RGB888/RGBA, else converted into `rgb`.
const uint8_t* FramePixel(const Frame& f, size_t stride, int y, int x, uint8_t* rgb) {
  const uint8_t* d = f.data.data();
  const uint8_t* src = d + stride * y;
  switch (f.format) {
    case PixelFormat::kRGB888:
      return src + 3 * x;
    case PixelFormat::kRGBA8888:
      return src + 4 * x;
    case PixelFormat::kBGR888:
      rgb[0] = src[3 * x + 2];
      rgb[1] = src[3 * x + 1];
      rgb[2] = src[3 * x];
      return rgb;
    case PixelFormat::kYUYV: {
      const uint8_t* pair = src + 4 * (x / 2);
      YuvToRgb(pair[x % 2 ? 2 : 0], pair[1], pair[3], rgb);
      return rgb;
    }
    case PixelFormat::kNV12:
    case PixelFormat::kNV21: {
      const uint8_t* uv = d + stride * f.height + stride * (y / 2) + 2 * (x / 2);
      const bool nv12 = f.format == PixelFormat::kNV12;
      YuvToRgb(src[x], nv12 ? uv[0] : uv[1], nv12 ? uv[1] : uv[0], rgb);
      return rgb;
    }
    case PixelFormat::kI420: {
      const size_t cs = stride / 2, chroma = stride * f.height;
      const uint8_t* u = d + chroma + cs * (y / 2) + x / 2;
      const uint8_t* v = d + chroma + cs * (f.height / 2) + cs * (y / 2) + x / 2;
      YuvToRgb(src[x], *u, *v, rgb);
      return rgb;
    }
  }
  return rgb;
}

}  // namespace

Result<Image> FrameToImage(const Frame& f) {
  EDGETL_ASSIGN_OR_RETURN(const size_t stride, CheckFrame(f));
  Image img{f.width, f.height, 3,
            std::vector<uint8_t>(static_cast<size_t>(f.width) * f.height * 3)};
  uint8_t* out = img.pixels.data();
  for (int y = 0; y < f.height; ++y) {
    for (int x = 0; x < f.width; ++x, out += 3) {
      const uint8_t* p = FramePixel(f, stride, y, x, out);
      if (p != out) std::copy(p, p + 3, out);
    }
  }
  return img;
}

Status FrameInto(const Frame& f, const TensorView& input, const Preprocessing& pre) {
  EDGETL_ASSIGN_OR_RETURN(const size_t stride, CheckFrame(f));
  // Only the (at most four) source pixels each output pixel reads are
  // converted; no full-size RGB copy of the frame is made.
  auto source = [&f, stride](int y, int x, uint8_t* scratch) {
    return FramePixel(f, stride, y, x, scratch);
  };
  return image_internal::ResizeInto(source, 3, f.width, f.height, input, pre);
}

}  // namespace edgetl
