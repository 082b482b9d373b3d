// JPEG decoding with libjpeg-turbo. Internal.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "edgetl/image.h"

namespace edgetl {

// Decodes a JPEG to RGB (channels 3) or gray (1). When min_width/min_height
// are set (> 0), decodes at the smallest DCT scaling factor (1/8 .. 1) that keeps
// the image at least that large: a 4000x3000 photo for a 224x224 input is
// never decoded at full size. Applies EXIF orientation. Truncated or
// damaged data is an error (libjpeg's warnings included), and so are
// dimensions over kMaxDecodedPixels after scaling, checked before any pixel
// memory is allocated. `name` names the file in errors.
// Returns kUnsupported for color spaces TurboJPEG cannot convert (e.g. CMYK),
// so that the caller can fall back to another decoder.
Result<Image> DecodeJpeg(std::span<const uint8_t> bytes, const std::string& name, int channels,
                         int min_width, int min_height);

// EXIF orientation (1..8) found in the JPEG's APP1 segment, or 1.
int JpegExifOrientation(std::span<const uint8_t> bytes);

// Applies an EXIF orientation to pixels (rotations/mirrors).
Image ApplyOrientation(const Image& image, int orientation);

constexpr uint64_t kMaxDecodedPixels = uint64_t{1} << 27;  // 134M pixels

}  // namespace edgetl
