#include <cstring>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "edgetl/file_io.h"
#include "edgetl/image.h"
#include "image/decode_jpeg.h"

namespace edgetl {

Result<Image> LoadImage(const std::filesystem::path& path, int channels, int min_width,
                        int min_height) {
  if (channels != 1 && channels != 3) {
    return InvalidArgument("images are decoded to 1 or 3 channels, not " +
                           std::to_string(channels));
  }
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFound("no such image: " + path.string());
  EDGETL_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path, uint64_t{1} << 30));
  if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) {
    auto jpeg = DecodeJpeg(bytes, path.string(), channels, min_width, min_height);
    if (jpeg.ok() || jpeg.status().code() != StatusCode::kUnsupported) return jpeg;
  }
  cv::Mat decoded;
  try {
    // OpenCV's own limit on image size keeps absurd headers from allocating.
    decoded = cv::imdecode(bytes, channels == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    return InvalidArgument(path.string() + ": cannot decode image: " + e.what());
  }
  if (decoded.empty()) return InvalidArgument(path.string() + ": not a decodable image");
  cv::Mat rgb;
  if (channels == 3) {
    cv::cvtColor(decoded, rgb, cv::COLOR_BGR2RGB);
  } else {
    rgb = decoded;
  }
  Image image;
  image.width = rgb.cols;
  image.height = rgb.rows;
  image.channels = channels;
  image.pixels.resize(static_cast<size_t>(rgb.cols) * rgb.rows * channels);
  for (int y = 0; y < rgb.rows; ++y) {
    std::memcpy(image.pixels.data() + static_cast<size_t>(y) * rgb.cols * channels, rgb.ptr(y),
                static_cast<size_t>(rgb.cols) * channels);
  }
  return image;
}

}  // namespace edgetl
