// One line an external node wrote on stdout: any bytes end in an Envelope or in a reason, never a
// crash. An accepted line, encoded again, decodes again to a message that encodes to the same
// line; an init_ok body, whatever it declares, yields features or a reason; escaping the bytes for
// a report never fails.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "external/maelstrom.h"

namespace {

using raftsim::external::Envelope;

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "external_node_fuzzer: %s\n%.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  static_cast<void>(raftsim::external::escape_bytes(line));
  auto decoded = raftsim::external::decode(line);
  const auto* message = std::get_if<Envelope>(&decoded);
  if (message == nullptr) {
    if (std::get<std::string>(decoded).empty()) fail("refused without a reason", line);
    return 0;
  }
  const std::string encoded = raftsim::external::encode(*message);
  auto again = raftsim::external::decode(encoded);
  const auto* second = std::get_if<Envelope>(&again);
  if (second == nullptr) fail("an accepted line, encoded again, is refused", encoded);
  if (raftsim::external::encode(*second) != encoded) fail("encoding is not stable", encoded);
  if (message->type() == "init_ok") {
    const auto features = raftsim::external::read_init_ok(message->body, 1);
    if (const auto* why = std::get_if<std::string>(&features); why != nullptr && why->empty())
      fail("an init_ok refused without a reason", encoded);
  }
  return 0;
}
