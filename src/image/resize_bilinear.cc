// Resize-mode geometry and TensorFlow Lite's RESIZE_BILINEAR
// (align_corners = false, half_pixel_centers = true) into input tensors.
//
// For output pixel (y, x) inside the target rectangle the source position is
//   sy = (y - to.y + 0.5) * from.h / to.h - 0.5,   sx likewise,
// with y0 = max(floor(sy), 0), y1 = min(ceil(sy), from.h - 1) (x0, x1 alike),
// both offset by from.y, and
//   v = p(y0,x0)(1-dy)(1-dx) + p(y1,x0)dy(1-dx) + p(y0,x1)(1-dy)dx + p(y1,x1)dy dx
// where dy = sy - max(floor(sy), 0), evaluated in float in exactly this order
// and truncated to 8 bits. Near the top/left edge sy < 0 makes dy negative
// while y0 = y1, so the weights still sum to one.
#include "image/resize_into.h"

namespace edgetl {
namespace image_internal {

Placement PlaceForResize(int src_w, int src_h, int out_w, int out_h, ResizeMode mode) {
  const Rect whole_src{0, 0, src_w, src_h}, whole_out{0, 0, out_w, out_h};
  // Compare aspect ratios exactly, in integers: src_w/src_h vs out_w/out_h.
  const int64_t src_wide = int64_t{src_w} * out_h, out_wide = int64_t{out_w} * src_h;
  switch (mode) {
    case ResizeMode::kStretch:
      return {whole_src, whole_out};
    case ResizeMode::kCenterCrop: {
      // The largest centered source window with the output's aspect ratio.
      Rect from = whole_src;
      if (src_wide > out_wide) {
        from.w = std::max(1, static_cast<int>((int64_t{src_h} * out_w + out_h / 2) / out_h));
        from.x = (src_w - from.w) / 2;
      } else if (src_wide < out_wide) {
        from.h = std::max(1, static_cast<int>((int64_t{src_w} * out_h + out_w / 2) / out_w));
        from.y = (src_h - from.h) / 2;
      }
      return {from, whole_out};
    }
    case ResizeMode::kLetterbox: {
      // The whole source, scaled to fit and centered; the bands are filled.
      Rect to = whole_out;
      if (src_wide > out_wide) {
        to.h = std::max(1, static_cast<int>((int64_t{src_h} * out_w + src_w / 2) / src_w));
        to.y = (out_h - to.h) / 2;
      } else if (src_wide < out_wide) {
        to.w = std::max(1, static_cast<int>((int64_t{src_w} * out_h + src_h / 2) / src_h));
        to.x = (out_w - to.w) / 2;
      }
      return {whole_src, to};
    }
  }
  return {whole_src, whole_out};
}

Axis SourceAxis(int from_start, int from_len, int to_len) {
  Axis a;
  const float scale = static_cast<float>(from_len) / static_cast<float>(to_len);
  for (int i = 0; i < to_len; ++i) {
    const float s = (static_cast<float>(i) + 0.5f) * scale - 0.5f;
    const int lo = std::max(static_cast<int>(std::floor(s)), 0);
    const int hi = std::min(static_cast<int>(std::ceil(s)), from_len - 1);
    a.lo.push_back(from_start + lo);
    a.hi.push_back(from_start + hi);
    a.frac.push_back(s - static_cast<float>(lo));
  }
  return a;
}

Status CheckImageInput(const TensorView& input, int channels) {
  const auto& shape = input.info->shape;
  if (shape.size() != 4 || shape[0] != 1 || shape[3] != channels) {
    return InvalidArgument("input tensor " + input.info->ShapeString() + " does not take a " +
                           std::to_string(channels) + "-channel image (expected [1,H,W," +
                           std::to_string(channels) + "])");
  }
  const TensorType t = input.info->type;
  if (t != TensorType::kUInt8 && t != TensorType::kInt8 && t != TensorType::kFloat32) {
    return InvalidArgument("input tensor type " + TensorTypeName(t) + " cannot take an image");
  }
  return Status::Ok();
}

}  // namespace image_internal

Result<ResizeMode> ParseResizeMode(std::string_view name) {
  if (name == "stretch") return ResizeMode::kStretch;
  if (name == "center-crop") return ResizeMode::kCenterCrop;
  if (name == "letterbox") return ResizeMode::kLetterbox;
  return InvalidArgument("unknown resize mode '" + std::string(name) +
                         "' (expected stretch, center-crop or letterbox)");
}

Status ResizeBilinearInto(const Image& image, const TensorView& input, const Preprocessing& pre) {
  if (image.pixels.size() != static_cast<size_t>(image.width) * image.height * image.channels ||
      image.channels < 1 || image.channels > 4) {
    return InvalidArgument("image pixels do not match its size " + std::to_string(image.width) +
                           "x" + std::to_string(image.height) + "x" +
                           std::to_string(image.channels));
  }
  const size_t row = static_cast<size_t>(image.width) * image.channels;
  const uint8_t* pixels = image.pixels.data();
  const int c = image.channels;
  auto source = [pixels, row, c](int y, int x, uint8_t*) { return pixels + y * row + x * c; };
  return image_internal::ResizeInto(source, c, image.width, image.height, input, pre);
}

}  // namespace edgetl
