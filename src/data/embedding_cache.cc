// Cache file layout (host byte order; the version guards it):
//   "EDGETLEC" | u32 version | u64 model hash | u64 preprocessing hash |
//   u32 entries | entries... | u64 FNV-1a of everything before it
// entry: u32 path length | path | u64 file size | i64 mtime | u32 dim | f32[dim]
#include "edgetl/embedding_cache.h"

#include <cstdlib>
#include <cstring>

#include "core/hash.h"
#include "edgetl/file_io.h"

namespace edgetl {
namespace fs = std::filesystem;

namespace {

constexpr char kMagic[8] = {'E', 'D', 'G', 'E', 'T', 'L', 'E', 'C'};
constexpr uint32_t kVersion = 1;

std::string Key(const fs::path& image) {
  std::error_code ec;
  fs::path abs = fs::absolute(image, ec);
  return (ec ? image : abs).lexically_normal().string();
}

bool Stat(const fs::path& image, uint64_t* size, int64_t* mtime) {
  std::error_code ec;
  *size = fs::file_size(image, ec);
  if (ec) return false;
  const auto t = fs::last_write_time(image, ec);
  if (ec) return false;
  *mtime = static_cast<int64_t>(t.time_since_epoch().count());
  return true;
}

uint64_t PreprocessingHash(const Preprocessing& pre) {
  const std::string key = std::to_string(static_cast<int>(pre.resize)) + "/" +
                          std::to_string(pre.fill) + "/" + std::to_string(pre.raw_int8) + "/" +
                          std::to_string(pre.mean) + "/" + std::to_string(pre.std_dev);
  return Fnv1a(key);
}

class Writer {
 public:
  template <typename T>
  void Put(const T& v) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    bytes.insert(bytes.end(), p, p + sizeof(T));
  }
  void PutBytes(const void* data, size_t n) {
    const auto* p = static_cast<const uint8_t*>(data);
    bytes.insert(bytes.end(), p, p + n);
  }
  std::vector<uint8_t> bytes;
};

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> b) : bytes_(b) {}
  template <typename T>
  bool Get(T* v) {
    return GetBytes(v, sizeof(T));
  }
  bool GetBytes(void* out, size_t n) {
    if (bytes_.size() - pos_ < n) return false;
    std::memcpy(out, bytes_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  size_t remaining() const { return bytes_.size() - pos_; }

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
};

}  // namespace

fs::path EmbeddingCache::DefaultPath(const fs::path& dataset) {
  fs::path base;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    base = xdg;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    base = fs::path(home) / ".cache";
  } else {
    base = fs::temp_directory_path();
  }
  fs::path folder = Key(dataset);
  if (!folder.has_filename()) folder = folder.parent_path();  // "flowers/" is "flowers"
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(Fnv1a(folder.string())));
  std::string name = folder.filename().string();
  if (name.empty()) name = "dataset";
  return base / "edgetl" / (name + "-" + hex + ".embcache");
}

EmbeddingCache EmbeddingCache::Open(const fs::path& path, const Model& model,
                                    const Preprocessing& pre) {
  EmbeddingCache cache;
  cache.path_ = path;
  cache.model_hash_ = Fnv1a(model.bytes());
  cache.preprocessing_hash_ = PreprocessingHash(pre);
  std::error_code ec;
  if (!fs::exists(path, ec)) return cache;
  auto bytes = ReadFileBytes(path);
  auto discard = [&](const std::string& why) {
    cache.entries_.clear();
    cache.discarded_ = why;
    cache.dirty_ = true;  // replace the untrusted file on Save
    return std::move(cache);
  };
  if (!bytes.ok()) return discard("unreadable: " + bytes.status().message());
  if (bytes->size() < sizeof(kMagic) + sizeof(uint64_t) ||
      std::memcmp(bytes->data(), kMagic, sizeof(kMagic)) != 0) {
    return discard("not an edgetl embedding cache");
  }
  const size_t body = bytes->size() - sizeof(uint64_t);
  uint64_t checksum = 0;
  std::memcpy(&checksum, bytes->data() + body, sizeof checksum);
  if (checksum != Fnv1a(std::span<const uint8_t>(bytes->data(), body))) {
    return discard("checksum mismatch (damaged or truncated)");
  }
  Reader r(std::span<const uint8_t>(bytes->data() + sizeof(kMagic), body - sizeof(kMagic)));
  uint32_t version = 0, count = 0;
  uint64_t model_hash = 0, pre_hash = 0;
  if (!r.Get(&version) || version != kVersion)
    return discard("version " + std::to_string(version) + ", expected " + std::to_string(kVersion));
  if (!r.Get(&model_hash) || !r.Get(&pre_hash) || !r.Get(&count))
    return discard("truncated header");
  if (model_hash != cache.model_hash_) return discard("made for another model");
  if (pre_hash != cache.preprocessing_hash_) return discard("made with other preprocessing");
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t len = 0, dim = 0;
    Entry e;
    if (!r.Get(&len) || len > r.remaining()) return discard("truncated entry");
    std::string key(len, '\0');
    r.GetBytes(key.data(), len);
    if (!r.Get(&e.size) || !r.Get(&e.mtime) || !r.Get(&dim) ||
        uint64_t{dim} * sizeof(float) > r.remaining()) {
      return discard("truncated entry");
    }
    e.embedding.resize(dim);
    r.GetBytes(e.embedding.data(), dim * sizeof(float));
    cache.entries_[std::move(key)] = std::move(e);
  }
  if (r.remaining() != 0) return discard("trailing bytes");
  return cache;
}

std::optional<std::vector<float>> EmbeddingCache::Find(const fs::path& image) {
  uint64_t size = 0;
  int64_t mtime = 0;
  auto it = entries_.find(Key(image));
  if (it == entries_.end() || !Stat(image, &size, &mtime) || it->second.size != size ||
      it->second.mtime != mtime) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  return it->second.embedding;
}

void EmbeddingCache::Put(const fs::path& image, std::vector<float> embedding) {
  Entry e;
  if (!Stat(image, &e.size, &e.mtime)) return;
  e.embedding = std::move(embedding);
  entries_[Key(image)] = std::move(e);
  dirty_ = true;
}

Status EmbeddingCache::Save() {
  if (!dirty_) return Status::Ok();
  Writer w;
  w.PutBytes(kMagic, sizeof kMagic);
  w.Put(kVersion);
  w.Put(model_hash_);
  w.Put(preprocessing_hash_);
  w.Put(static_cast<uint32_t>(entries_.size()));
  for (const auto& [key, e] : entries_) {
    w.Put(static_cast<uint32_t>(key.size()));
    w.PutBytes(key.data(), key.size());
    w.Put(e.size);
    w.Put(e.mtime);
    w.Put(static_cast<uint32_t>(e.embedding.size()));
    w.PutBytes(e.embedding.data(), e.embedding.size() * sizeof(float));
  }
  w.Put(Fnv1a(w.bytes));
  std::error_code ec;
  if (path_.has_parent_path()) fs::create_directories(path_.parent_path(), ec);
  if (ec) {
    return IoError("cannot create the cache folder " + path_.parent_path().string() + ": " +
                   ec.message());
  }
  EDGETL_RETURN_IF_ERROR(WriteFileAtomic(path_, w.bytes));
  dirty_ = false;
  return Status::Ok();
}

}  // namespace edgetl
