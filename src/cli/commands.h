// The edgetl subcommands. Each takes the arguments after its name and returns
// the process exit code (0 ok, 1 failure, 2 usage error).
#pragma once

#include <string>
#include <vector>

#include "edgetl/status.h"

namespace edgetl::cli {

using Argv = std::vector<std::string>;

int Inspect(const Argv& argv);
int Classify(const Argv& argv);
int Embed(const Argv& argv);
int Run(const Argv& argv);
int Imprint(const Argv& argv);
int MakeImprintableCommand(const Argv& argv);
int Retrain(const Argv& argv);
int Bench(const Argv& argv);

// Prints "edgetl <command>: <status message>" to stderr and returns the exit
// code for it (2 for invalid arguments, 1 otherwise).
int Fail(const std::string& command, const Status& status);

}  // namespace edgetl::cli
