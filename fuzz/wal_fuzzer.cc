// Recovery from a damaged write-ahead log: the input is written as DIR/log and a FileStorage
// recovers from it. Recovery ends in a log (a torn tail truncated) or in a refusal that names
// the file, never a crash. What it accepts is stable: loading again finds the same entries with
// nothing left to repair, and an entry appended after recovery is there on the next load.
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "real/file_storage.h"

namespace {

namespace fs = std::filesystem;
using raftsim::real::FileStorage;

std::string& data_dir() {
  static std::string dir;
  return dir;
}

// fsync costs milliseconds on a real disk and proves nothing about parsing.
raftsim::real::SyncCalls no_syncs() {
  return {[](int) { return 0; }, [](int) { return 0; }};
}

[[noreturn]] void fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "wal_fuzzer: %s\n%.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

std::variant<raftsim::node::Loaded, raftsim::node::LoadError> load() {
  FileStorage storage(data_dir(), no_syncs());
  return storage.load();
}

void check_stable(const raftsim::node::Loaded& first) {
  auto second = load();
  if (const auto* error = std::get_if<raftsim::node::LoadError>(&second)) {
    fail("a log that loaded once is refused the second time", error->message);
  }
  const auto& again = std::get<raftsim::node::Loaded>(second);
  if (!again.repaired.empty()) fail("a repaired log needs repairing again", again.repaired);
  if (again.state.entries != first.state.entries) fail("a second load finds different entries");
}

void check_append(const raftsim::node::Loaded& loaded) {
  const auto& entries = loaded.state.entries;
  const raftsim::raft::Index next =
      entries.empty() ? loaded.state.snapshot.index.next() : entries.back().index.next();
  const raftsim::raft::Term term = entries.empty() ? raftsim::raft::Term{1} : entries.back().term;
  const raftsim::raft::Entry appended{term, next, raftsim::raft::EntryType::kCommand, "fuzz"};
  {
    FileStorage storage(data_dir(), no_syncs());
    if (std::holds_alternative<raftsim::node::LoadError>(storage.load())) fail("load refused");
    storage.write(std::nullopt, {appended});
    storage.sync([] {});
  }
  auto after = load();
  if (const auto* error = std::get_if<raftsim::node::LoadError>(&after)) {
    fail("a log with one entry appended after recovery is refused", error->message);
  }
  const auto& got = std::get<raftsim::node::Loaded>(after).state.entries;
  if (got.empty() || got.back() != appended || got.size() != entries.size() + 1) {
    fail("the entry appended after recovery is not the last one loaded");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // In memory when the machine has a tmpfs: the files are rewritten at every input.
  const fs::path tmp =
      fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
  std::string pattern = (tmp / "raftsim-wal-fuzz-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) fail("cannot create a temporary directory");
  data_dir() = pattern;
  std::atexit([] {
    std::error_code ec;
    fs::remove_all(data_dir(), ec);
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::error_code ec;
  for (const auto& file : fs::directory_iterator(data_dir(), ec))
    fs::remove(file.path(), ec);
  {
    std::ofstream log(data_dir() + "/log", std::ios::binary);
    log.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!log) fail("cannot write the log");
  }
  auto first = load();
  if (const auto* error = std::get_if<raftsim::node::LoadError>(&first)) {
    if (error->message.find(data_dir() + "/log") == std::string::npos) {
      fail("a refusal that does not name the file", error->message);
    }
    return 0;
  }
  const auto& loaded = std::get<raftsim::node::Loaded>(first);
  check_stable(loaded);
  check_append(loaded);
  return 0;
}
