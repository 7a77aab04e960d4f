// A file name in the running test's own scratch directory.
//
// ctest runs every test in its own process, several at once. Two tests that both wrote
// /tmp/split_brain.trace.jsonl would read each other's half-written files, so each test gets a
// directory named after itself and its process.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

namespace raftsim::test {

inline std::string scratch_path(const std::string& name) {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string test = info == nullptr ? std::string("no-test")
                                     : std::string(info->test_suite_name()) + "." + info->name();
  std::replace(test.begin(), test.end(), '/', '_');  // parameterised tests are named a/b
  const std::string dir =
      ::testing::TempDir() + "raftsim-" + test + "-" + std::to_string(::getpid()) + "/";
  std::filesystem::create_directories(dir);
  return dir + name;
}

}  // namespace raftsim::test
