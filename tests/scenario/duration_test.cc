#include "scenario/duration.h"

#include <gtest/gtest.h>

namespace raftsim::scenario {
namespace {

TEST(Duration, ParsesEveryUnit) {
  EXPECT_EQ(parse_duration("150ms"), sim::Duration{150000});
  EXPECT_EQ(parse_duration("2.5s"), sim::Duration{2500000});
  EXPECT_EQ(parse_duration("10s"), sim::Duration{10000000});
  EXPECT_EQ(parse_duration("1m"), sim::Duration{60000000});
  EXPECT_EQ(parse_duration("7us"), sim::Duration{7});
  EXPECT_EQ(parse_duration("0"), sim::Duration{0});
  EXPECT_EQ(parse_duration("0s"), sim::Duration{0});
  EXPECT_EQ(parse_duration("0.001ms"), sim::Duration{1});
}

TEST(Duration, RejectsWhatIsNotANumberAndAUnit) {
  for (const char* bad : {"5 sec", "5", "-1s", "1.5us", "s", "1.s", ".5s", "1h", "", "0.0001ms",
                          "99999999999999999999s", "1e3s", " 5s"}) {
    EXPECT_EQ(parse_duration(bad), std::nullopt) << bad;
  }
}

TEST(Duration, FormatIsTheExactInverse) {
  for (int64_t us : {0L, 1L, 999L, 1000L, 1500L, 150000L, 1000000L, 2500000L, 60000000L, 90000000L,
                     120000000L, 3723000001L}) {
    const sim::Duration d{us};
    EXPECT_EQ(parse_duration(format_duration(d)), d) << format_duration(d);
  }
  EXPECT_EQ(format_duration(sim::Duration{120000000}), "2m");
  EXPECT_EQ(format_duration(sim::Duration{90000000}), "90s");
  EXPECT_EQ(format_duration(sim::Duration{150000}), "150ms");
}

}  // namespace
}  // namespace raftsim::scenario
