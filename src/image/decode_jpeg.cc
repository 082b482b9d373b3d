#include "image/decode_jpeg.h"

#include <turbojpeg.h>

#include <memory>

namespace edgetl {
namespace {

struct TjCloser {
  void operator()(void* h) const { tjDestroy(h); }
};

uint16_t Read16(const uint8_t* p, bool little) {
  return little ? p[0] | p[1] << 8 : p[0] << 8 | p[1];
}
uint32_t Read32(const uint8_t* p, bool little) {
  return little ? p[0] | p[1] << 8 | p[2] << 16 | uint32_t(p[3]) << 24
                : uint32_t(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

// Orientation tag (0x0112) of IFD0 in a TIFF block, or 1.
int TiffOrientation(const uint8_t* tiff, size_t size) {
  if (size < 8) return 1;
  const bool little = tiff[0] == 'I' && tiff[1] == 'I';
  if (!little && !(tiff[0] == 'M' && tiff[1] == 'M')) return 1;
  // In size_t: ifd + 2 in 32 bits wraps for offsets near 2^32.
  const size_t ifd = Read32(tiff + 4, little);
  if (ifd > size - 2) return 1;
  const uint16_t count = Read16(tiff + ifd, little);
  for (uint32_t i = 0; i < count; ++i) {
    const size_t entry = ifd + 2 + size_t(i) * 12;
    if (entry + 12 > size) return 1;
    if (Read16(tiff + entry, little) == 0x0112) {
      const int v = Read16(tiff + entry + 8, little);
      return v >= 1 && v <= 8 ? v : 1;
    }
  }
  return 1;
}

}  // namespace

int JpegExifOrientation(std::span<const uint8_t> b) {
  if (b.size() < 4 || b[0] != 0xFF || b[1] != 0xD8) return 1;
  size_t pos = 2;
  while (pos + 4 <= b.size() && b[pos] == 0xFF) {
    const uint8_t marker = b[pos + 1];
    if (marker == 0xDA || marker == 0xD9) break;  // image data: no more headers
    const size_t length = size_t(b[pos + 2]) << 8 | b[pos + 3];
    if (length < 2 || pos + 2 + length > b.size()) break;
    const uint8_t* data = b.data() + pos + 4;
    if (marker == 0xE1 && length >= 8 && std::equal(data, data + 6, "Exif\0\0")) {
      return TiffOrientation(data + 6, length - 8);
    }
    pos += 2 + length;
  }
  return 1;
}

Image ApplyOrientation(const Image& in, int orientation) {
  if (orientation <= 1 || orientation > 8) return in;
  const bool swap = orientation >= 5;
  Image out{swap ? in.height : in.width, swap ? in.width : in.height, in.channels, {}};
  out.pixels.resize(in.pixels.size());
  const int c = in.channels;
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      // The source pixel that lands at (x, y) for each EXIF orientation.
      int sx = x, sy = y;
      switch (orientation) {
        case 2:
          sx = in.width - 1 - x;
          break;  // mirrored
        case 3:
          sx = in.width - 1 - x;
          sy = in.height - 1 - y;
          break;  // 180
        case 4:
          sy = in.height - 1 - y;
          break;  // flipped
        case 5:
          sx = y;
          sy = x;
          break;  // transposed
        case 6:
          sx = y;
          sy = in.height - 1 - x;
          break;  // rotate 90 CW
        case 7:
          sx = in.width - 1 - y;
          sy = in.height - 1 - x;
          break;  // transverse
        case 8:
          sx = in.width - 1 - y;
          sy = x;
          break;  // rotate 90 CCW
      }
      const uint8_t* src = in.pixels.data() + (size_t(sy) * in.width + sx) * c;
      std::copy(src, src + c, out.pixels.data() + (size_t(y) * out.width + x) * c);
    }
  }
  return out;
}

Result<Image> DecodeJpeg(std::span<const uint8_t> bytes, const std::string& name, int channels,
                         int min_width, int min_height) {
  std::unique_ptr<void, TjCloser> tj(tjInitDecompress());
  if (!tj) return Internal("cannot initialize TurboJPEG");
  int width = 0, height = 0, subsamp = 0, colorspace = 0;
  if (tjDecompressHeader3(tj.get(), bytes.data(), bytes.size(), &width, &height, &subsamp,
                          &colorspace) != 0) {
    return InvalidArgument(name + ": not a valid JPEG (" + tjGetErrorStr2(tj.get()) + ")");
  }
  if (width <= 0 || height <= 0) return InvalidArgument(name + ": JPEG has zero size");
  if (colorspace == TJCS_CMYK || colorspace == TJCS_YCCK) {
    return Unsupported(name + ": CMYK JPEG");
  }
  const int orientation = JpegExifOrientation(bytes);
  if (orientation >= 5) std::swap(min_width, min_height);  // the stored image is rotated
  int count = 0;
  const tjscalingfactor* factors = tjGetScalingFactors(&count);
  tjscalingfactor chosen{1, 1};
  // No target size: full resolution.
  for (int i = 0; (min_width > 0 || min_height > 0) && i < count; ++i) {
    const tjscalingfactor f = factors[i];
    if (f.num > f.denom) continue;  // never upscale while decoding
    const int w = TJSCALED(width, f), h = TJSCALED(height, f);
    if (w >= min_width && h >= min_height &&
        w * int64_t(h) < TJSCALED(width, chosen) * int64_t(TJSCALED(height, chosen))) {
      chosen = f;
    }
  }
  const int out_w = TJSCALED(width, chosen), out_h = TJSCALED(height, chosen);
  if (uint64_t(out_w) * uint64_t(out_h) > kMaxDecodedPixels) {
    return InvalidArgument(name + ": JPEG of " + std::to_string(width) + "x" +
                           std::to_string(height) + " pixels is larger than edgetl decodes");
  }
  Image image{out_w, out_h, channels, std::vector<uint8_t>(size_t(out_w) * out_h * channels)};
  if (tjDecompress2(tj.get(), bytes.data(), bytes.size(), image.pixels.data(), out_w, 0, out_h,
                    channels == 1 ? TJPF_GRAY : TJPF_RGB,
                    TJFLAG_STOPONWARNING | TJFLAG_ACCURATEDCT) != 0) {
    return InvalidArgument(name + ": damaged or truncated JPEG (" + tjGetErrorStr2(tj.get()) + ")");
  }
  return ApplyOrientation(image, orientation);
}

}  // namespace edgetl
