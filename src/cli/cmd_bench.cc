// edgetl bench --model MODEL [--threads N] [--runs K] [--images DIR|LIST] [--json]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/json.h"
#include "edgetl/dataset.h"
#include "edgetl/interpreter.h"

namespace edgetl::cli {
namespace {

constexpr const char kHelp[] =
    "usage: edgetl bench --model MODEL [--threads N] [--runs K] [--images DIR|LIST] [--per-op]\n"
    "                    [--json]\n"
    "  Times K inferences (default 100, after 5 warm-up runs) of one interpreter on N threads\n"
    "  (default: all hardware threads) with a random input, and prints the kernels that ran\n"
    "  (reference, avx512-vnni+amx, avx512-vnni, avx2 or portable), median and p90 latency,\n"
    "  images/s, GMAC/s, the interpreter's creation time (weight prepacking included), arena\n"
    "  and packed-weight sizes, and the process's peak RSS (and its RSS before the model was\n"
    "  loaded). With --images, also the batch throughput of decoding and embedding those\n"
    "  images on all N threads (no cache). --per-op adds a profiled pass: the time of every op\n"
    "  (text output only).";

double PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;  // kilobytes on Linux
}

// The current resident set (VmRSS), before the model is loaded: what the
// process and its libraries take without edgetl's work.
double CurrentRssMb() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  double mb = 0;
  while (std::fgets(line, sizeof line, f)) {
    long kb = 0;
    if (std::sscanf(line, "VmRSS: %ld kB", &kb) == 1) mb = kb / 1024.0;
  }
  std::fclose(f);
  return mb;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5));
  return v[i];
}

}  // namespace

int Bench(const Argv& argv) {
  auto args = Args::Parse(argv, {"model", "threads", "runs", "images"}, {"json", "per-op", "help"});
  if (!args.ok()) return Fail("bench", args.status());
  if (args->has("help")) {
    std::puts(kHelp);
    return 0;
  }
  auto model_path = args->require("model");
  auto threads = args->get_int("threads", 0);
  auto runs = args->get_int("runs", 100);
  for (const Status& s : {model_path.status(), threads.status(), runs.status()}) {
    if (!s.ok()) return Fail("bench", s);
  }
  if (*runs < 1 || *threads < 0) {
    return Fail("bench", InvalidArgument("--runs must be positive and --threads not negative"));
  }
  const double rss_baseline = CurrentRssMb();
  auto model = Model::FromFile(*model_path);
  if (!model.ok()) return Fail("bench", model.status());
  auto interpreter = Interpreter::Create(*model, {.threads = *threads});
  if (!interpreter.ok()) return Fail("bench", interpreter.status());
  std::mt19937 rng(1);
  for (int i = 0; i < interpreter->num_inputs(); ++i) {
    for (uint8_t& b : interpreter->input(i).data) b = static_cast<uint8_t>(rng());
  }
  // One inference first: the peak RSS of extracting one image.
  (void)interpreter->Invoke();
  const double rss_one = PeakRssMb();
  for (int i = 0; i < 4; ++i) (void)interpreter->Invoke();
  std::vector<double> ms;
  for (int i = 0; i < *runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    (void)interpreter->Invoke();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  const double median = Percentile(ms, 0.5), p90 = Percentile(ms, 0.9);
  const double gmacs = model->multiply_accumulates() / (median * 1e6);
  const InterpreterStats& stats = interpreter->stats();

  double batch_images_per_s = 0;
  size_t batch_images = 0;
  if (auto images = args->get("images")) {
    auto dataset = LoadDataset(*images);
    if (!dataset.ok()) return Fail("bench", dataset.status());
    std::vector<std::filesystem::path> paths;
    for (const Sample& s : dataset->samples) paths.push_back(s.path);
    const auto start = std::chrono::steady_clock::now();
    InferenceOptions options;
    options.threads = *threads;
    auto results = RunOnImages(*model, paths, options);
    if (!results.ok()) return Fail("bench", results.status());
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    batch_images = paths.size();
    batch_images_per_s = paths.size() / s;
  }

  if (args->has("json")) {
    std::vector<std::pair<std::string, std::string>> fields = {
        {"model", JsonString(*model_path)},
        {"threads", std::to_string(stats.threads)},
        {"kernels", JsonString(stats.kernels)},
        {"runs", std::to_string(*runs)},
        {"median_ms", JsonNumber(median)},
        {"p90_ms", JsonNumber(p90)},
        {"images_per_s", JsonNumber(1000.0 / median)},
        {"gmacs", JsonNumber(gmacs)},
        {"peak_rss_mb", JsonNumber(PeakRssMb())},
        {"peak_rss_one_image_mb", JsonNumber(rss_one)},
        {"rss_before_model_mb", JsonNumber(rss_baseline)},
        {"create_ms", JsonNumber(stats.create_ms)},
        {"arena_mb", JsonNumber(interpreter->arena_bytes() / 1048576.0)},
        {"packed_weights_mb", JsonNumber(stats.packed_weight_bytes / 1048576.0)}};
    if (batch_images) {
      fields.push_back({"batch_images", std::to_string(batch_images)});
      fields.push_back({"batch_images_per_s", JsonNumber(batch_images_per_s)});
    }
    std::printf("%s\n", JsonObject(fields).c_str());
    return 0;
  }
  std::printf("model:        %s\n", model_path->c_str());
  std::printf("threads:      %d\n", stats.threads);
  std::printf("kernels:      %s\n", stats.kernels.c_str());
  std::printf("latency:      median %.3f ms, p90 %.3f ms over %d runs\n", median, p90, *runs);
  std::printf("throughput:   %.1f images/s, %.1f GMAC/s\n", 1000.0 / median, gmacs);
  std::printf("create:       %.1f ms (weights prepacked: %.2f MB)\n", stats.create_ms,
              stats.packed_weight_bytes / 1048576.0);
  std::printf(
      "memory:       arena %.2f MB, peak RSS %.1f MB (%.1f MB after one image, %.1f MB before "
      "loading the model)\n",
      interpreter->arena_bytes() / 1048576.0, PeakRssMb(), rss_one, rss_baseline);
  if (batch_images) {
    std::printf("batch:        %zu images decoded and embedded at %.1f images/s\n", batch_images,
                batch_images_per_s);
  }
  if (args->has("per-op")) {
    auto profiled = Interpreter::Create(*model, {.threads = *threads, .profile = true});
    if (!profiled.ok()) return Fail("bench", profiled.status());
    for (int i = 0; i < *runs; ++i) (void)profiled->Invoke();
    std::printf("per op (mean of %d profiled runs):\n", *runs);
    for (int i = 0; i < model->num_operators(); ++i) {
      const OperatorInfo op = model->op(i);
      const std::string shape =
          op.outputs.empty() ? "" : model->tensor(op.outputs[0]).ShapeString();
      const std::vector<int>& skipped = profiled->stats().skipped_ops;
      if (std::find(skipped.begin(), skipped.end(), i) != skipped.end()) {
        std::printf("  %3d %-20s %-18s   skipped (the next layer reads its input)\n", i,
                    op.op_name.c_str(), shape.c_str());
        continue;
      }
      // 0.1 us: the small layers of a 0.1 ms model take a few microseconds.
      std::printf("  %3d %-20s %-18s %9.4f ms\n", i, op.op_name.c_str(), shape.c_str(),
                  profiled->op_times_ms()[i] / *runs);
    }
  }
  return 0;
}

}  // namespace edgetl::cli
