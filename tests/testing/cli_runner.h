// Runs the edgetl command-line tool and captures what it prints.
#pragma once

#include <string>

namespace edgetl::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `edgetl <args>` (args are passed to the shell as written).
CliResult RunCli(const std::string& args);

}  // namespace edgetl::testing
