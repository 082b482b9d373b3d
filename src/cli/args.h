// A small command-line parser: "--name value" options, "--flag" switches and
// positional arguments, with errors for unknown or incomplete options.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "edgetl/status.h"

namespace edgetl::cli {

class Args {
 public:
  // `options` take a value, `flags` do not. Errors: kInvalidArgument naming
  // the offending argument.
  static Result<Args> Parse(const std::vector<std::string>& argv,
                            const std::set<std::string>& options,
                            const std::set<std::string>& flags);

  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::optional<std::string> get(const std::string& name) const;
  std::string get_or(const std::string& name, const std::string& fallback) const;
  // Errors: kInvalidArgument when missing (`required`) or not a number.
  Result<std::string> require(const std::string& name) const;
  Result<int> get_int(const std::string& name, int fallback) const;
  Result<double> get_double(const std::string& name, double fallback) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

}  // namespace edgetl::cli
