// Minimal JSON and CSV writing for the CLI's output.
#pragma once

#include <string>
#include <vector>

namespace edgetl::cli {

// A quoted, escaped JSON string.
std::string JsonString(const std::string& s);
// A number; non-finite values become null (JSON has no NaN).
std::string JsonNumber(double v);
// "[a,b,...]" from already-encoded values.
std::string JsonArray(const std::vector<std::string>& items);
// "{"k":v,...}" from keys and already-encoded values, in order.
std::string JsonObject(const std::vector<std::pair<std::string, std::string>>& fields);

// A CSV field (RFC 4180): quoted, with quotes doubled, when it holds a comma,
// quote or line break; as is otherwise.
std::string CsvField(const std::string& s);

}  // namespace edgetl::cli
