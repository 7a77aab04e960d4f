// Writes the fuzzers' seed corpora, one directory per fuzzer under OUT_DIR:
//   scenario/  the shipped scenario files (scenarios/, tests/, bench/);
//   history/   the small histories of SHARED_DIR/corpora in their own formats, and each also
//              converted to raftsim's format (no such files are shipped);
//   wire/      wire messages as the nodes encode them;
//   wal/       write-ahead logs as FileStorage writes them: whole, torn and corrupted.
// Usage: make_seeds OUT_DIR SOURCE_DIR SHARED_DIR
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "check/history_io.h"
#include "real/file_storage.h"
#include "real/wire.h"

namespace {

namespace fs = std::filesystem;
using raftsim::raft::Entry;
using raftsim::raft::EntryType;
using raftsim::raft::Index;
using raftsim::raft::Message;
using raftsim::raft::MessageType;
using raftsim::raft::NodeId;
using raftsim::raft::Term;

void put(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<Message> messages() {
  Message append;
  append.type = MessageType::kAppendEntries;
  append.from = NodeId{2};
  append.to = NodeId{1};
  append.term = Term{3};
  append.prev_log_index = Index{4};
  append.prev_log_term = Term{2};
  append.entries = {{Term{3}, Index{5}, EntryType::kNoOp, ""},
                    {Term{3}, Index{6}, EntryType::kCommand, "put k v"}};
  append.leader_commit = Index{5};
  append.round = 7;

  Message vote;
  vote.type = MessageType::kVoteRequest;
  vote.from = NodeId{3};
  vote.to = NodeId{1};
  vote.term = Term{4};
  vote.last_log_index = Index{6};
  vote.last_log_term = Term{3};
  vote.transfer = true;

  Message response;
  response.type = MessageType::kAppendResponse;
  response.from = NodeId{2};
  response.to = NodeId{1};
  response.term = Term{3};
  response.reject = true;
  response.rejected_index = Index{6};
  response.conflict_index = Index{4};
  response.conflict_term = Term{2};

  Message snapshot;
  snapshot.type = MessageType::kInstallSnapshot;
  snapshot.from = NodeId{2};
  snapshot.to = NodeId{1};
  snapshot.term = Term{5};
  snapshot.snapshot = std::make_shared<const raftsim::raft::Snapshot>(
      raftsim::raft::Snapshot{Index{9}, Term{4}, "state machine image"});
  return {append, vote, response, snapshot};
}

void wire_seeds(const fs::path& dir) {
  namespace v1 = raftsim::v1;
  v1::RaftBatch batch;
  batch.set_cluster_id("fuzz");
  int n = 0;
  for (const Message& m : messages()) {
    v1::RaftMessage wire;
    raftsim::real::to_proto(m, wire);
    put(dir / ("message-" + std::to_string(n++)), wire.SerializeAsString());
    raftsim::real::to_proto(m, *batch.add_messages());
  }
  put(dir / "batch", batch.SerializeAsString());

  v1::KvRequest request;
  request.set_client_id(1);
  request.set_seq(2);
  request.set_key("k");
  request.set_value("v");
  request.set_expected("old");
  put(dir / "kv-request", request.SerializeAsString());

  raftsim::sim::LinkModel model;
  model.latency.shape = raftsim::sim::Latency::Shape::kLongTail;
  model.latency.min = std::chrono::milliseconds(1);
  model.latency.max = std::chrono::milliseconds(5);
  model.latency.tail_chance = 0.1;
  model.latency.tail_max = std::chrono::milliseconds(50);
  model.loss = 0.05;
  v1::LinkModel link;
  raftsim::real::to_proto(model, link);
  put(dir / "link-model", link.SerializeAsString());
}

// Larger files slow every mutation and add little a small one does not.
constexpr uintmax_t kMaxSeedBytes = 8 << 10;

void scenario_seeds(const fs::path& dir, const fs::path& source) {
  int n = 0;
  for (const char* folder : {"scenarios", "tests", "bench"}) {
    for (const auto& file : fs::recursive_directory_iterator(source / folder)) {
      if (file.path().extension() != ".yaml" || file.file_size() > kMaxSeedBytes) continue;
      fs::copy_file(file.path(),
                    dir / (std::to_string(n++) + "-" + file.path().filename().string()),
                    fs::copy_options::overwrite_existing);
    }
  }
}

std::optional<raftsim::check::HistoryFormat> format_of(const fs::path& path) {
  using raftsim::check::HistoryFormat;
  if (path.extension() == ".edn") return HistoryFormat::knossos_edn;
  if (path.extension() == ".log") return HistoryFormat::porcupine_etcd;
  if (path.extension() == ".txt" && path.parent_path().filename() == "kv") {
    return HistoryFormat::porcupine_kv;
  }
  return std::nullopt;
}

void history_seeds(const fs::path& dir, const fs::path& shared) {
  if (!fs::is_directory(shared / "corpora")) return;  // the other seeds still start the fuzzer
  int n = 0;
  for (const auto& file : fs::recursive_directory_iterator(shared / "corpora")) {
    const auto format = format_of(file.path());
    if (!format || !file.is_regular_file() || file.file_size() > kMaxSeedBytes) continue;
    const std::string name = std::to_string(n++) + "-" + file.path().filename().string();
    fs::copy_file(file.path(), dir / name, fs::copy_options::overwrite_existing);
    const auto read = raftsim::check::read_history_file(file.path().string(), *format);
    if (read.history) {
      put(dir / (name + ".jsonl"),
          raftsim::check::write_history(*read.history, raftsim::check::HistoryFormat::raftsim)
              .text);
    }
  }
}

void wal_seeds(const fs::path& dir) {
  const fs::path scratch = dir / "scratch";
  {
    raftsim::real::FileStorage storage(scratch.string());
    (void)storage.load();
    storage.write(raftsim::raft::HardState{Term{2}, NodeId{1}, Index{1}},
                  {{Term{1}, Index{1}, EntryType::kNoOp, ""},
                   {Term{2}, Index{2}, EntryType::kCommand, "put k v"},
                   {Term{2}, Index{3}, EntryType::kCommand, std::string("a\0b", 3)}});
    storage.sync([] {});
  }
  const std::string log = read(scratch / "log");
  fs::remove_all(scratch);
  put(dir / "whole", log);
  put(dir / "torn-tail", log.substr(0, log.size() - 3));
  std::string corrupt = log;
  corrupt[30] = static_cast<char>(corrupt[30] ^ 0x40);  // inside the first record
  put(dir / "corrupt-middle", corrupt);
  put(dir / "empty", "");
}

}  // namespace

// Lines a node writes: init_ok with the extension's declarations, lin-kv replies and errors, a
// message to a peer, a state report.
void external_node_seeds(const fs::path& dir) {
  const char* lines[] = {
      R"({"src":"n1","dest":"c1","body":{"type":"init_ok","in_reply_to":1,"raftsim":{"state_reports":true,"deterministic":true,"append":true,"transfer":true,"message_kinds":{"request_vote":"vote_request","append_entries":["append","heartbeat"]}}}})",
      R"({"src":"n1","dest":"c1","body":{"type":"read_ok","in_reply_to":7,"value":[1,2,3]}})",
      R"({"src":"n2","dest":"c3","body":{"type":"error","in_reply_to":9,"code":11,"text":"not the leader"}})",
      R"({"src":"n1","dest":"n2","body":{"type":"append","msg_id":4,"term":2,"entries":[{"term":2,"op":"x"}]}})",
      R"({"src":"n3","dest":"raftsim","body":{"type":"raftsim_state","role":"leader","term":3,"vote":"n3","commit":5,"last_index":6,"last_term":3}})",
  };
  int n = 0;
  for (const char* line : lines)
    std::ofstream(dir / ("seed-" + std::to_string(n++))) << line;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: make_seeds OUT_DIR SOURCE_DIR SHARED_DIR\n");
    return 2;
  }
  const fs::path out = argv[1];
  for (const char* fuzzer : {"scenario", "history", "wire", "wal", "external_node"})
    fs::create_directories(out / fuzzer);
  scenario_seeds(out / "scenario", argv[2]);
  history_seeds(out / "history", argv[3]);
  wire_seeds(out / "wire");
  wal_seeds(out / "wal");
  external_node_seeds(out / "external_node");
  return 0;
}
