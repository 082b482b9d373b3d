#include "cli/args.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace edgetl::cli {

Result<Args> Args::Parse(const std::vector<std::string>& argv, const std::set<std::string>& options,
                         const std::set<std::string>& flags) {
  Args args;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.size() > 2 && a.rfind("--", 0) == 0) {
      std::string name = a.substr(2), value;
      const size_t eq = name.find('=');
      const bool inline_value = eq != std::string::npos;
      if (inline_value) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      if (flags.count(name)) {
        if (inline_value) return InvalidArgument("--" + name + " takes no value");
        args.values_[name] = "1";
      } else if (options.count(name)) {
        if (!inline_value) {
          if (i + 1 >= argv.size()) return InvalidArgument("--" + name + " needs a value");
          value = argv[++i];
        }
        args.values_[name] = value;
      } else {
        return InvalidArgument("unknown option --" + name);
      }
    } else {
      args.positional_.push_back(a);
    }
  }
  return args;
}

std::optional<std::string> Args::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Args::get_or(const std::string& name, const std::string& fallback) const {
  return get(name).value_or(fallback);
}

Result<std::string> Args::require(const std::string& name) const {
  auto v = get(name);
  if (!v) return InvalidArgument("missing required option --" + name);
  return *v;
}

Result<int> Args::get_int(const std::string& name, int fallback) const {
  auto v = get(name);
  if (!v) return fallback;
  int n = 0;
  const auto [end, error] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (error == std::errc::result_out_of_range)
    return InvalidArgument("--" + name + " is out of range, got '" + *v + "'");
  if (v->empty() || error != std::errc() || end != v->data() + v->size())
    return InvalidArgument("--" + name + " must be an integer, got '" + *v + "'");
  return n;
}

Result<double> Args::get_double(const std::string& name, double fallback) const {
  auto v = get(name);
  if (!v) return fallback;
  char* end = nullptr;
  const double d = std::strtod(v->c_str(), &end);
  if (v->empty() || *end != '\0' || !std::isfinite(d))
    return InvalidArgument("--" + name + " must be a finite number, got '" + *v + "'");
  return d;
}

}  // namespace edgetl::cli
