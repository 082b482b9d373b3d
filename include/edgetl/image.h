// Images and their conversion into a model's input tensor.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "edgetl/status.h"
#include "edgetl/tensor.h"

namespace edgetl {

// Interleaved 8-bit pixels, rows tightly packed: RGB (3 channels) or gray (1).
struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<uint8_t> pixels;
};

// Decodes an image file into RGB (channels = 3) or grayscale (channels = 1).
// JPEGs go through libjpeg-turbo: EXIF orientation is applied, and with
// min_width/min_height set they are decoded at the smallest DCT scale that is
// still at least that large (much faster for big photos). Other formats (PNG,
// BMP, and CMYK JPEGs) go through OpenCV; alpha is dropped.
// Errors name the file: kNotFound; kInvalidArgument for data that is not a
// decodable image, truncated or damaged, or of absurd dimensions (refused
// before memory is allocated for it).
Result<Image> LoadImage(const std::filesystem::path& path, int channels = 3, int min_width = 0,
                        int min_height = 0);

// Raw camera frame layouts.
enum class PixelFormat {
  kRGB888,    // packed R,G,B
  kBGR888,    // packed B,G,R (OpenCV)
  kRGBA8888,  // packed R,G,B,A; alpha is dropped
  kNV12,      // Y plane, then interleaved U,V plane at half resolution
  kNV21,      // Y plane, then interleaved V,U plane (Android camera)
  kYUYV,      // packed Y0,U,Y1,V per two pixels
  kI420,      // Y plane, U plane, V plane (chroma at half resolution)
};

// A frame in caller memory. `stride` is the bytes per row of the first plane
// (0: tightly packed); I420's chroma planes use stride / 2, NV12/NV21's UV
// plane uses stride. YUV is BT.601 full range (JFIF), as camera APIs deliver.
struct Frame {
  PixelFormat format = PixelFormat::kRGB888;
  int width = 0;
  int height = 0;
  int stride = 0;
  std::span<const uint8_t> data;
};

// Converts a frame to an RGB image. Errors (kInvalidArgument): non-positive
// or odd sizes for 4:2:0 formats, a stride shorter than a row, or a buffer
// smaller than the layout needs.
Result<Image> FrameToImage(const Frame& frame);

// How the image is fitted to the input's H x W.
enum class ResizeMode {
  kStretch,     // the whole image, aspect ratio not kept (Coral's behaviour)
  kCenterCrop,  // the largest centered window with the input's aspect ratio
  kLetterbox,   // the whole image scaled to fit, centered, bands filled
};

// "stretch", "center-crop" or "letterbox". Errors: kInvalidArgument naming
// the unknown mode.
Result<ResizeMode> ParseResizeMode(std::string_view name);

// How pixels become input values.
struct Preprocessing {
  ResizeMode resize = ResizeMode::kStretch;
  // Pixel value of letterbox bands, before the type conversion.
  uint8_t fill = 0;
  // int8 inputs normally receive pixel - 128 (the uint8 range moved onto
  // int8). TensorFlow Lite Micro's sample images (person_detect) instead
  // store int8 values in their bytes: set raw_int8 to copy bytes unchanged.
  bool raw_int8 = false;
  // float32 inputs: (pixel - mean) / std_dev when std_dev > 0; otherwise the
  // input tensor's own quantization if it has one (scale * (pixel - zero
  // point)); otherwise (pixel - 127.5) / 127.5, i.e. [-1, 1].
  float mean = 0;
  float std_dev = 0;
};

// Resizes `image` into the input tensor's [1,H,W,C] per `pre.resize` with
// TensorFlow Lite's RESIZE_BILINEAR rule (half-pixel centers, computed in
// float, truncated to 8 bits; the exact rule is in resize_bilinear.cc) and
// converts to the tensor's type on the way: uint8 as is, int8 shifted by
// -128 (or raw), float32 per Preprocessing. No intermediate image is made.
// Errors: kInvalidArgument when the tensor is not [1,H,W,C] with C equal to
// the image's channels, its type is not uint8/int8/float32, or the image is
// empty or its pixel count does not match its size.
Status ResizeBilinearInto(const Image& image, const TensorView& input,
                          const Preprocessing& pre = {});

// Converts and resizes a camera frame straight into an RGB input tensor
// [1,H,W,3], like ResizeBilinearInto on FrameToImage(frame) (the same bytes)
// but converting only the source pixels the resize reads.
// Errors: those of FrameToImage and of ResizeBilinearInto.
Status FrameInto(const Frame& frame, const TensorView& input, const Preprocessing& pre = {});

}  // namespace edgetl
