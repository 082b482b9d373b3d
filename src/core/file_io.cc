#include "edgetl/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <system_error>

namespace edgetl {
namespace fs = std::filesystem;

Result<std::vector<uint8_t>> ReadFileBytes(const fs::path& path, uint64_t max_bytes) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return NotFound("no such file: " + path.string());
  if (fs::is_directory(path, ec)) return IoError(path.string() + " is a directory, not a file");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open " + path.string() + ": " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  const off_t size = ::lseek(fd, 0, SEEK_END);
  if (size < 0 || ::lseek(fd, 0, SEEK_SET) < 0) {
    return IoError("cannot size " + path.string() + ": " + std::strerror(errno));
  }
  if (static_cast<uint64_t>(size) > max_bytes) {
    return IoError(path.string() + " is " + std::to_string(size) + " bytes, more than the " +
                   std::to_string(max_bytes) + " allowed");
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return IoError("cannot read " + path.string() + ": " + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  return bytes;
}

Status WriteFileAtomic(const fs::path& path, std::span<const uint8_t> bytes) {
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::random_device rd;
  std::string tmp_name = ".";
  tmp_name += path.filename().string();
  tmp_name += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
  const fs::path tmp = dir / tmp_name;
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    return IoError("cannot write " + path.string() + ": " + std::strerror(errno));
  }
  auto fail = [&](const char* what) {
    const std::string reason = std::strerror(errno);
    ::close(fd);
    ::unlink(tmp.c_str());
    return IoError(std::string("cannot ") + what + " " + path.string() + ": " + reason);
  };
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("write");
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("flush");
  if (::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return IoError("cannot close " + path.string() + ": " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(tmp.c_str());
    return IoError("cannot replace " + path.string() + ": " + reason);
  }
  return Status::Ok();
}

Status WriteFileAtomic(const fs::path& path, std::string_view text) {
  return WriteFileAtomic(
      path, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

}  // namespace edgetl
