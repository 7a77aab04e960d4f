// Deterministic mode's own parts: the disk service's fault model and the log-based invariants
// judged from reported logs. Each check is fed a violation.
#include <gtest/gtest.h>

#include "external/disk_service.h"
#include "external/report_checks.h"

namespace raftsim::external {
namespace {

Json request(const std::string& type, uint64_t id, Json extra = Json::object()) {
  extra["type"] = type;
  extra["msg_id"] = id;
  return extra;
}

std::map<std::string, std::string> read_back(DiskService& disk) {
  Json reply = std::get<Json>(disk.serve(request("disk_read", 99)));
  EXPECT_EQ(reply["type"], "disk_read_ok");
  EXPECT_EQ(reply["in_reply_to"], 99);
  return reply["records"].get<std::map<std::string, std::string>>();
}

TEST(DiskService, ACrashKeepsOnlyWhatWasSynced) {
  DiskService disk;
  EXPECT_EQ(std::get<Json>(disk.serve(request("disk_write", 1, {{"name", "a"}, {"value", "1"}})))
                .at("type"),
            "disk_write_ok");
  disk.serve(request("disk_sync", 2));
  disk.serve(request("disk_write", 3, {{"name", "b"}, {"value", "2"}}));
  disk.serve(request("disk_write", 4, {{"name", "a"}, {"value", nullptr}}));
  EXPECT_EQ(read_back(disk), (std::map<std::string, std::string>{{"b", "2"}}));
  disk.crash();
  EXPECT_EQ(read_back(disk), (std::map<std::string, std::string>{{"a", "1"}}));
}

TEST(DiskService, ALyingSyncKeepsNothingAndAWipeLosesEverything) {
  DiskService disk;
  disk.serve(request("disk_write", 1, {{"name", "a"}, {"value", "1"}}));
  disk.serve(request("disk_sync", 2));
  disk.set_fsync_lies(true);
  disk.serve(request("disk_write", 3, {{"name", "a"}, {"value", "2"}}));
  EXPECT_EQ(std::get<Json>(disk.serve(request("disk_sync", 4))).at("type"), "disk_sync_ok");
  disk.crash();
  EXPECT_EQ(read_back(disk), (std::map<std::string, std::string>{{"a", "1"}}));
  disk.wipe();
  EXPECT_TRUE(read_back(disk).empty());
}

TEST(DiskService, ATornWriteKeepsHalfOfTheLastUnsyncedWrite) {
  DiskService disk;
  disk.arm_torn_write();
  disk.serve(request("disk_write", 1, {{"name", "log.1"}, {"value", "abcdefgh"}}));
  disk.crash();
  EXPECT_EQ(read_back(disk), (std::map<std::string, std::string>{{"log.1", "abcd"}}));
}

TEST(DiskService, ACorruptRecordReadsDamagedAndIsNamed) {
  DiskService disk;
  EXPECT_EQ(disk.corrupt(1), "no durable record to corrupt");
  disk.serve(request("disk_write", 1, {{"name", "meta"}, {"value", "abcd"}}));
  disk.serve(request("disk_write", 2, {{"name", "log.1"}, {"value", "wxyz"}}));
  disk.serve(request("disk_sync", 3));
  EXPECT_EQ(disk.corrupt(2), "flipped a bit in record 'log.1' (byte 2 of 4)");
  Json reply = std::get<Json>(disk.serve(request("disk_read", 4)));
  EXPECT_EQ(reply["records"]["log.1"], "wxxz");  // 'y' ^ 1
  EXPECT_EQ(reply["records"]["meta"], "abcd");
  EXPECT_EQ(reply["corrupt"], Json::array({"log.1"}));
  disk.crash();  // the damage is durable
  EXPECT_EQ(std::get<Json>(disk.serve(request("disk_read", 5)))["corrupt"], Json::array({"log.1"}));
  // Written again, the record is whole; record 0 is the last one first written.
  disk.serve(request("disk_write", 6, {{"name", "log.1"}, {"value", "good"}}));
  disk.serve(request("disk_sync", 7));
  EXPECT_FALSE(std::get<Json>(disk.serve(request("disk_read", 8))).contains("corrupt"));
  EXPECT_EQ(disk.corrupt(0), "flipped a bit in record 'log.1' (byte 2 of 4)");
}

TEST(DiskService, MalformedRequestsAreNamed) {
  DiskService disk;
  EXPECT_EQ(std::get<std::string>(disk.serve(Json{{"type", "disk_sync"}})),
            "disk_sync without an integer msg_id");
  EXPECT_EQ(std::get<std::string>(disk.serve(request("disk_write", 1, {{"value", "x"}}))),
            "disk_write without a string 'name'");
  EXPECT_EQ(
      std::get<std::string>(disk.serve(request("disk_write", 1, {{"name", "a"}, {"value", 3}}))),
      "disk_write's 'value' is not a string or null");
  EXPECT_EQ(std::get<std::string>(disk.serve(request("disk_erase", 1))),
            "an unknown message to raftsim: 'disk_erase'");
}

StateReport with_log(std::string role, uint64_t term, uint64_t commit,
                     std::vector<StateReport::Entry> log) {
  StateReport r;
  r.role = std::move(role);
  r.term = term;
  r.commit_index = commit;
  r.last_log_index = log.size();
  r.last_log_term = log.empty() ? 0 : log.back().term;
  r.log = std::move(log);
  return r;
}

std::vector<std::string> properties(const ReportChecks& checks) {
  std::vector<std::string> out;
  for (const check::PropertyViolation& v : checks.violations())
    out.push_back(v.property + ": " + v.detail);
  return out;
}

TEST(ReportedLogs, AgreeingLogsBreakNothing) {
  ReportChecks checks({"n1", "n2", "n3"}, 1);
  checks.on_report(1, with_log("leader", 2, 2, {{1, "a"}, {2, "b"}, {2, "c"}}), 10);
  checks.on_report(2, with_log("follower", 2, 2, {{1, "a"}, {2, "b"}}), 11);
  checks.on_report(3, with_log("leader", 3, 3, {{1, "a"}, {2, "b"}, {2, "c"}, {3, "d"}}), 12);
  EXPECT_TRUE(checks.violations().empty());
  EXPECT_TRUE(checks.saw_logs());
}

TEST(ReportedLogs, OneTermAtOneIndexWithDifferentPrefixesBreaksLogMatching) {
  ReportChecks checks({"n1", "n2"}, 1);
  checks.on_report(1, with_log("follower", 2, 0, {{1, "a"}, {2, "b"}}), 10);
  checks.on_report(2, with_log("follower", 2, 0, {{1, "x"}, {2, "b"}}), 20);
  EXPECT_EQ(properties(checks),
            std::vector<std::string>{"log_matching: n2 and n1 both hold term 2 at index 2, but "
                                     "differ at index 1: (term 1, x) against (term 1, a)"});
}

TEST(ReportedLogs, TwoEntriesCommittedAtOneIndexBreakStateMachineSafety) {
  ReportChecks checks({"n1", "n2"}, 1);
  checks.on_report(1, with_log("leader", 1, 1, {{1, "a"}}), 10);
  checks.on_report(2, with_log("leader", 2, 1, {{2, "b"}}), 20);
  ASSERT_FALSE(checks.violations().empty());
  EXPECT_EQ(properties(checks).front(),
            "state_machine_safety: n2 reports (term 2, b) committed at index 1, where n1 "
            "reported (term 1, a)");
}

TEST(ReportedLogs, ALeaderWithoutACommittedEntryBreaksLeaderCompleteness) {
  ReportChecks checks({"n1", "n2", "n3"}, 1);
  checks.on_report(1, with_log("leader", 1, 2, {{1, "a"}, {1, "b"}}), 10);
  checks.on_report(3, with_log("leader", 2, 0, {{1, "a"}}), 20);
  EXPECT_EQ(properties(checks),
            std::vector<std::string>{"leader_completeness: n3 leads term 2 without (term 1, b) "
                                     "at index 2, which n1 reported committed in term 1"});
}

TEST(ReportedLogs, AWipedNodeMayForgetItsTermAndVoteButARestartedOneMayNot) {
  ReportChecks checks({"n1", "n2"}, 1);
  StateReport before = with_log("follower", 3, 0, {});
  before.voted_for = "n1";
  checks.on_report(2, before, 10);
  checks.on_start(2, true);
  StateReport wiped = with_log("follower", 1, 0, {});
  wiped.voted_for = "n2";
  checks.on_report(2, wiped, 20);
  EXPECT_TRUE(checks.violations().empty());
  checks.on_start(2, false);
  checks.on_report(2, with_log("follower", 0, 0, {}), 30);
  EXPECT_EQ(properties(checks),
            std::vector<std::string>{"term_monotonic: n2 reports term 0 after term 1"});
}

}  // namespace
}  // namespace raftsim::external
